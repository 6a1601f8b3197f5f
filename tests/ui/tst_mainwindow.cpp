#include "agentsfields.h"
#include "databaseeditor.h"
#include "databasetestresult.h"
#include "endpointdetaileditor.h"
#include "endpointseditor.h"
#include "endpointtablemodel.h"
#include "errorbanner.h"
#include "livedashboard.h"
#include "loginstepeditor.h"
#include "mainwindow.h"
#include "plandocument.h"
#include "poolsourceeditor.h"
#include "queryinspector.h"
#include "run/runcontroller.h"
#include "scenariopanel.h"
#include "statusline.h"
#include "targetpanel.h"
#include "testhttpserver.h"
#include "timeserieschart.h"
#include "uiwiring.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;

namespace {

void setPreset(MainWindow &window, const QString &preset)
{
    QComboBox *combo = window.scenarioPanel()->presetCombo();
    combo->setCurrentIndex(combo->findData(preset));
}

template <typename T> T *child(QWidget *root, const QString &name)
{
    T *w = root->findChild<T *>(name);
    if (!w)
        qFatal("no child %s", qPrintable(name));
    return w;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("preflight-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    }

    void liveRunFillsChartsAndTable()
    {
        PreflightTest::TestHttpServer server;
        QVERIFY(server.start());

        MainWindow window;
        window.show();
        QAbstractItemModelTester tester(window.endpointModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(window.endpointView()->model(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);

        // Fill the form as a user would.
        QLineEdit *url = window.targetPanel()->baseUrlEdit();
        url->clear();
        QTest::keyClicks(url, QString::fromStdString(server.baseUrl()));
        QTest::mouseClick(child<QWidget>(&window, QStringLiteral("addEndpoint")), Qt::LeftButton);
        QTableWidget *endpoints = window.targetPanel()->endpointsEditor()->table();
        QCOMPARE(endpoints->rowCount(), 2);
        endpoints->item(1, EndpointsEditor::PathColumn)->setText(QStringLiteral("/items"));
        setPreset(window, QStringLiteral("sustain"));
        child<QSpinBox>(&window, QStringLiteral("users"))->setValue(4);
        child<QDoubleSpinBox>(&window, QStringLiteral("duration"))->setValue(60);
        QVERIFY(window.document()->isModified());

        QSignalSpy finished(window.controller(), &RunController::runFinished);
        QVERIFY(window.startAction()->isEnabled());
        window.startAction()->trigger();
        QVERIFY(!window.startAction()->isEnabled());

        TimeSeriesChart *latency = window.dashboard()->latencyChart();
        TimeSeriesChart *throughput = window.dashboard()->throughputChart();
        QTRY_VERIFY_WITH_TIMEOUT(latency->shownPoints(LiveDashboard::P95) >= 3, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(throughput->shownPoints(LiveDashboard::RequestsPerSecond) >= 3, 20000);
        QCOMPARE(window.endpointModel()->rowCount(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(window.endpointModel()
                                         ->index(1, EndpointTableModel::RequestsColumn)
                                         .data(EndpointTableModel::SortRole)
                                         .toULongLong() > 0,
                                 20000);
        QVERIFY(window.statusLine()->text().contains(QLatin1String("running")));
        QVERIFY(window.banner()->isHidden());

        QVERIFY(window.stopAction()->isEnabled());
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(!window.stopAction()->isEnabled());
        QVERIFY(window.statusLine()->text().contains(QLatin1String("finished")));
        QVERIFY(server.requestsSeen() > 0);
        QVERIFY(QApplication::activeModalWidget() == nullptr);
    }

    void refusedPortShowsTheBannerNotADialog()
    {
        MainWindow window;
        window.show();
        QLineEdit *url = window.targetPanel()->baseUrlEdit();
        url->setText(QStringLiteral("http://127.0.0.1:%1").arg(PreflightTest::TestHttpServer::refusedPort()));
        QSignalSpy failed(window.controller(), &RunController::runFailed);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        const auto failure = failed.at(0).at(0).value<RunFailure>();
        QCOMPARE(failure.kind, RunFailure::Kind::TargetUnreachable);
        QVERIFY(!window.banner()->isHidden());
        QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Error);
        // The banner shows what the failure carries: what happened, and the fix for a refused connection.
        QCOMPARE(window.banner()->message(), failure.message);
        QVERIFY2(window.banner()->message().contains(QLatin1String("connection refused")),
                 qPrintable(window.banner()->message()));
        QCOMPARE(window.banner()->fix(), failure.fix);
        QVERIFY2(window.banner()->fix().contains(QLatin1String("start the backend")),
                 qPrintable(window.banner()->fix()));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QVERIFY(window.startAction()->isEnabled());
        // The banner closes with its own button.
        QTest::mouseClick(child<QWidget>(&window, QStringLiteral("bannerClose")), Qt::LeftButton);
        QVERIFY(window.banner()->isHidden());
    }

    void invalidFieldShowsTheBannerWithoutStarting()
    {
        MainWindow window;
        window.show();
        window.targetPanel()
            ->endpointsEditor()
            ->table()
            ->item(0, EndpointsEditor::WeightColumn)
            ->setText(QStringLiteral("heavy"));
        QSignalSpy phase(window.controller(), &RunController::phaseChanged);
        window.startAction()->trigger();
        QVERIFY(!window.banner()->isHidden());
        QVERIFY(window.banner()->message().contains(QLatin1String("weight")));
        QCOMPARE(phase.count(), 0);
        QVERIFY(window.startAction()->isEnabled());
    }

    void everyControlHasAnAccessibleName()
    {
        MainWindow window;
        window.show();
        // Every preset shows different rows; walk with each one.
        for (const QString &preset : {QStringLiteral("sweep"), QStringLiteral("sustain"), QStringLiteral("stages")}) {
            setPreset(window, preset);
            const QList<QWidget *> missing = UiWiring::unnamedControls(&window);
            QStringList names;
            for (QWidget *w : missing)
                names << QStringLiteral("%1 \"%2\" in %3")
                             .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName(),
                                  w->parentWidget() ? w->parentWidget()->objectName() : QString());
            QVERIFY2(missing.isEmpty(), qPrintable(names.join(QStringLiteral(", "))));
        }
        for (QAction *a : {window.startAction(), window.stopAction()})
            QVERIFY(!a->shortcuts().isEmpty());
        // The walk is not vacuous: an unnamed button is caught.
        auto *unnamed = new QPushButton(QStringLiteral("?"), window.targetPanel());
        QCOMPARE(UiWiring::unnamedControls(&window), QList<QWidget *>{unnamed});
        delete unnamed;
        // It reaches the query dock, the login and pool editors, the database test result and the agents section,
        // shown or not: an unnamed button inside any of them is caught too.
        TargetPanel *target = window.targetPanel();
        for (QWidget *part : std::initializer_list<QWidget *>{
                 window.queryInspector(), target->loginEditor(), target->poolEditor(), target->databaseEditor(),
                 target->endpointsEditor()->detail(), window.scenarioPanel()->agentsFields()}) {
            QVERIFY(window.isAncestorOf(part));
            auto *planted = new QPushButton(QStringLiteral("?"), part);
            QCOMPARE(UiWiring::unnamedControls(&window), QList<QWidget *>{planted});
            delete planted;
        }
    }

    // A label's '&' is a mnemonic only with a buddy; without one it is shown as a literal ampersand.
    void noLabelShowsALiteralMnemonic()
    {
        MainWindow window;
        window.show();
        QStringList literal;
        for (QLabel *label : window.findChildren<QLabel *>()) {
            const QString text = label->text();
            if (label->textFormat() != Qt::RichText && !Qt::mightBeRichText(text) && !label->buddy() &&
                QString(text).remove(QStringLiteral("&&")).contains(QLatin1Char('&')))
                literal << text;
        }
        QVERIFY2(literal.isEmpty(), qPrintable(literal.join(QStringLiteral(", "))));
    }

    void planSavesAndOpensAgain()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("api.preflight.json"));
        {
            MainWindow window;
            window.targetPanel()->baseUrlEdit()->setText(QStringLiteral("http://127.0.0.1:8123"));
            window.targetPanel()->endpointsEditor()->addEndpoint();
            window.targetPanel()
                ->endpointsEditor()
                ->table()
                ->item(1, EndpointsEditor::PathColumn)
                ->setText(QStringLiteral("/search?q=x"));
            window.targetPanel()->endpointsEditor()->moveEndpointUp();
            setPreset(window, QStringLiteral("sustain"));
            QVERIFY(window.savePlan(path));
            QVERIFY(!window.document()->isModified());
            QCOMPARE(window.document()->recentFiles().value(0), path);
        }
        MainWindow window;
        QVERIFY(window.openPlan(path));
        QString error;
        const std::optional<Plan> plan = window.currentPlan(&error);
        QVERIFY2(plan, qPrintable(error));
        QCOMPARE(plan->target.base_url, QStringLiteral("http://127.0.0.1:8123"));
        QCOMPARE(int(plan->endpoints.size()), 2);
        QCOMPARE(plan->endpoints[0].path, QStringLiteral("/search?q=x"));
        QCOMPARE(plan->scenario.preset, QStringLiteral("sustain"));
        QVERIFY(!window.document()->isModified());
        QVERIFY(window.windowTitle().contains(QLatin1String("api.preflight.json")));
    }

    void brokenPlanFileShowsWhere()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("broken.preflight.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\n  \"target\": {\"base_url\": \"http://127.0.0.1:1\"},,\n}");
        file.close();
        MainWindow window;
        QVERIFY(!window.openPlan(path));
        QVERIFY(!window.banner()->isHidden());
        QVERIFY(window.banner()->message().contains(QLatin1String("broken.preflight.json")));
    }

    void dbAndPoolSamplesReachTheConnectionsChart()
    {
        LiveDashboard dashboard;
        dashboard.reset(10);
        DbSample db;
        db.t_s = 1;
        db.active = 5;
        db.waiting_on_lock = 2;
        db.idle_in_transaction = 1;
        db.idle = 3;
        dashboard.addDbSample(db);
        db.t_s = 2;
        dashboard.addDbSample(db);
        PoolSample pool;
        pool.t_s = 1;
        pool.ok = true;
        pool.in_use = 5;
        pool.max = 5;
        dashboard.addPoolSample(pool);
        dashboard.flush();
        TimeSeriesChart *chart = dashboard.connectionsChart();
        QCOMPARE(chart->shownStackPoints(0), 2);
        QCOMPARE(chart->shownPoints(LiveDashboard::PoolInUse), 1);
        // active (3 after waiting) + waiting 2 + idle in transaction 1 + idle 3 = 9; pool max 5: the axis covers both.
        QVERIFY(chart->yMax() >= 9);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
