#include "demosession.h"
#include "endpointseditor.h"
#include "errorbanner.h"
#include "mainwindow.h"
#include "plandocument.h"
#include "targetpanel.h"

#include <QAction>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using namespace Preflight;

class TestDemoSession : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("preflight-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_demosession"));
#ifdef PREFLIGHT_DEMO_TARGET_BIN
        qputenv("PREFLIGHT_DEMO_TARGET", PREFLIGHT_DEMO_TARGET_BIN);
#endif
    }

    void startsTheRealDemoTargetAndLoadsItsPlan()
    {
        QString error;
        if (DemoLauncher::findBinary(&error).isEmpty())
            QSKIP(qPrintable(error));
        MainWindow window;
        window.show();
        auto *session = new DemoSession(&window, &window);
        QSignalSpy ready(session, &DemoSession::ready);
        QSignalSpy failed(session, &DemoSession::failed);
        DemoArguments arguments; // default flaws: single-connection,n-plus-one
        arguments.levels = {1, 3};
        session->start(arguments);
        // While the target seeds: an informative banner, Start disabled, the GUI thread free.
        QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Info);
        QVERIFY(window.banner()->message().contains(QLatin1String("Starting the demo backend")));
        QVERIFY(!window.startAction()->isEnabled());

        QTRY_VERIFY_WITH_TIMEOUT(ready.count() + failed.count() > 0, 40000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
        const QString url = ready.at(0).at(0).toString();
        QVERIFY(url.startsWith(QLatin1String("http://127.0.0.1:")));
        QCOMPARE(window.targetPanel()->baseUrlEdit()->text(), url);
        QVERIFY(window.targetPanel()->endpointsEditor()->table()->rowCount() >= 3);
        QCOMPARE(window.document()->displayName(), QStringLiteral("Demo"));
        QVERIFY(window.windowTitle().startsWith(QLatin1String("Demo")));
        QVERIFY(!window.document()->isModified());
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(window.banner()->message().contains(url));
        QString planError;
        const std::optional<Plan> plan = window.currentPlan(&planError);
        QVERIFY2(plan, qPrintable(planError));
        QCOMPARE(plan->scenario.levels, (std::vector<int>{1, 3})); // --levels reaches the GUI's plan too

        // Closing the window (destroying the session) stops the target.
        const qint64 pid = session->launcher()->processId();
        QVERIFY(pid > 0);
        delete session;
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    }
};

QTEST_MAIN(TestDemoSession)
#include "tst_demosession.moc"
