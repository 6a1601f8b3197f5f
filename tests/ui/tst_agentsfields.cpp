// The Scenario panel's agents section (docs/gui.md, docs/distributed.md "From the GUI"), in a real main window: off is
// a local run, on gives the run controller what `preflight run --agents N …` would, a wrong field blocks Start and
// says which, the fields are remembered without the token, and a distributed run started from the GUI waits for its
// agents visibly, can be stopped there, fails with the fix, and runs to the end with one real `preflight agent`.
#include "agentcredentials.h"
#include "agentsfields.h"
#include "data/rundata.h"
#include "errorbanner.h"
#include "mainwindow.h"
#include "run/runcontroller.h"
#include "scenariopanel.h"
#include "statusline.h"
#include "targetpanel.h"
#include "testhttpserver.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

#include <memory>

using namespace Preflight;
using PreflightTest::AgentCredentials;
using PreflightTest::TestHttpServer;

namespace {

AgentsFields *agentsOf(MainWindow &window)
{
    return window.scenarioPanel()->agentsFields();
}

// As a user types it: select all, type the new text (textEdited fires).
void retype(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

// A short sustained load against `server`, so that a run ends by itself.
void shortRunAgainst(MainWindow &window, const TestHttpServer &server)
{
    window.targetPanel()->baseUrlEdit()->setText(QString::fromStdString(server.baseUrl()));
    QComboBox *preset = window.scenarioPanel()->presetCombo();
    preset->setCurrentIndex(preset->findData(QStringLiteral("sustain")));
    window.findChild<QSpinBox *>(QStringLiteral("users"))->setValue(2);
    window.findChild<QDoubleSpinBox *>(QStringLiteral("duration"))->setValue(3);
}

// A `preflight agent` process dialling the coordinator at 127.0.0.1:port.
std::unique_ptr<QProcess> startAgent(const AgentCredentials &credentials, int port)
{
    auto agent = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("PREFLIGHT_AGENT_TOKEN"));
    agent->setProcessEnvironment(env);
    agent->start(QStringLiteral(PREFLIGHT_BIN),
                 {QStringLiteral("agent"), QStringLiteral("--coordinator"),
                  QStringLiteral("wss://127.0.0.1:%1").arg(port), QStringLiteral("--ca-file"), credentials.caFile(),
                  QStringLiteral("--agent-token-file"), credentials.tokenFile(), QStringLiteral("--workers"),
                  QStringLiteral("1"), QStringLiteral("--connect-timeout"), QStringLiteral("30")});
    return agent;
}

void finishAgent(QProcess *agent)
{
    if (!agent->waitForFinished(30000)) {
        agent->kill();
        agent->waitForFinished();
    }
}

} // namespace

class TestAgentsFields : public QObject
{
    Q_OBJECT
private:
    AgentCredentials m_credentials;
    QString m_shortToken;

    // Turns the section on from the keyboard and fills it with valid files.
    void fillValid(AgentsFields *fields, int agents, int port, int wait_s)
    {
        fields->setFocus(Qt::TabFocusReason);
        QTest::keyClick(fields, Qt::Key_Space);
        QVERIFY(fields->isChecked());
        fields->agentsBox()->setValue(agents);
        retype(fields->listenEdit(), QStringLiteral("127.0.0.1:%1").arg(port));
        retype(fields->certEdit(), m_credentials.certFile());
        retype(fields->keyEdit(), m_credentials.keyFile());
        retype(fields->tokenFileEdit(), m_credentials.tokenFile());
        fields->waitBox()->setValue(wait_s);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("preflight-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_agentsfields"));
        qunsetenv("PREFLIGHT_AGENT_TOKEN");
        QVERIFY2(m_credentials.make(), qPrintable(m_credentials.error()));
        m_shortToken = m_credentials.path(QStringLiteral("tooshort"));
        QFile f(m_shortToken);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("abc123\n");
    }

    // Every test starts from a GUI that has never seen agents.
    void init() { QSettings().remove(QStringLiteral("agents")); }

    void offIsALocalRun()
    {
        MainWindow window;
        window.show();
        AgentsFields *fields = agentsOf(window);
        QVERIFY(!fields->isChecked());
        // Whatever the hidden fields hold, off means local.
        fields->keyEdit()->setText(m_credentials.path(QStringLiteral("missing.key")));
        QString error;
        const std::optional<RunController::Options> options = window.currentRunOptions(&error);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->distributed.agents, 0);
        QVERIFY(!options->distributed.enabled());
        QVERIFY(fields->note()->isHidden());
    }

    void onGivesWhatTheCommandLineWould()
    {
        MainWindow window;
        window.show();
        AgentsFields *fields = agentsOf(window);
        fillValid(fields, 3, 7543, 5);
        QString error;
        const std::optional<RunController::Options> options = window.currentRunOptions(&error);
        QVERIFY2(options, qPrintable(error));
        const DistributedOptions &d = options->distributed;
        QCOMPARE(d.agents, 3);
        QCOMPARE(d.listenHost, QStringLiteral("127.0.0.1"));
        QCOMPARE(d.port, quint16(7543));
        QCOMPARE(d.certFile, m_credentials.certFile());
        QCOMPARE(d.keyFile, m_credentials.keyFile());
        QCOMPARE(d.token, AgentCredentials::token()); // read from the file, its newline trimmed
        QCOMPARE(d.readyTimeout_ms, 5000);
        QVERIFY(fields->note()->isHidden());

        // The defaults are the CLI's: 0.0.0.0:7443, 60 s.
        AgentsFields fresh;
        QCOMPARE(fresh.listenEdit()->text(), QStringLiteral("0.0.0.0:7443"));
        QCOMPARE(fresh.waitBox()->value(), 60);
        QCOMPARE(fresh.agentsBox()->minimum(), 1);
        QCOMPARE(fresh.agentsBox()->maximum(), 1000);
    }

    // Tab walks the section in reading order: the check box, then each field and its Browse… button.
    void everyFieldIsReachableByTab()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        AgentsFields *fields = agentsOf(window);
        fields->setChecked(true);
        fields->setFocus(Qt::TabFocusReason);
        QCOMPARE(QApplication::focusWidget(), fields);
        QStringList order;
        for (int i = 0; i < 9; ++i) {
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
            QWidget *focus = QApplication::focusWidget();
            QVERIFY(focus && fields->isAncestorOf(focus));
            order << focus->accessibleName();
        }
        QCOMPARE(order,
                 QStringList({QStringLiteral("Agents"), QStringLiteral("Listen on"), QStringLiteral("Certificate"),
                              QStringLiteral("Choose the certificate file"), QStringLiteral("Key"),
                              QStringLiteral("Choose the key file"), QStringLiteral("Token file"),
                              QStringLiteral("Choose the token file"), QStringLiteral("Ready wait")}));
    }

    void missingKeyFileBlocksStart()
    {
        MainWindow window;
        window.show();
        AgentsFields *fields = agentsOf(window);
        fillValid(fields, 2, 7544, 60);
        retype(fields->keyEdit(), m_credentials.path(QStringLiteral("missing.key")));
        QSignalSpy phase(window.controller(), &RunController::phaseChanged);
        window.startAction()->trigger();
        QCOMPARE(phase.count(), 0);
        QVERIFY(window.startAction()->isEnabled());
        // Inline, under the fields: which field, what is wrong, what to do.
        QVERIFY(!fields->note()->isHidden());
        const QString note = fields->note()->text();
        QVERIFY2(note.startsWith(QLatin1String("Key ")) && note.contains(QLatin1String("missing.key")) &&
                     note.contains(QLatin1String("cannot read it")) && note.contains(QLatin1String("check the path")),
                 qPrintable(note));
        QCOMPARE(fields->problemField(), fields->keyEdit());
        QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Error);
        QCOMPARE(window.banner()->message(), note);
        QVERIFY(window.banner()->fix().contains(QLatin1String("agents section")));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        // Fixing the field clears the note as the user types.
        retype(fields->keyEdit(), m_credentials.keyFile());
        QVERIFY(fields->note()->isHidden());
    }

    void shortTokenBlocksStart()
    {
        MainWindow window;
        window.show();
        AgentsFields *fields = agentsOf(window);
        fillValid(fields, 2, 7545, 60);
        retype(fields->tokenFileEdit(), m_shortToken);
        QSignalSpy phase(window.controller(), &RunController::phaseChanged);
        window.startAction()->trigger();
        QCOMPARE(phase.count(), 0);
        const QString note = fields->note()->text();
        QVERIFY2(note.startsWith(QLatin1String("Token file ")) && note.contains(QLatin1String("16 bytes")) &&
                     note.contains(QLatin1String("openssl rand")),
                 qPrintable(note));
        QVERIFY2(!note.contains(QLatin1String("abc123")), qPrintable(note)); // never the token
        QCOMPARE(fields->problemField(), fields->tokenFileEdit());
        QCOMPARE(window.banner()->message(), note);

        // An empty certificate is named too, before the key and the token.
        fields->certEdit()->clear();
        QString error;
        QVERIFY(!window.currentRunOptions(&error));
        QVERIFY2(error.startsWith(QLatin1String("Certificate is missing")), qPrintable(error));
    }

    void fieldsAreRememberedButNeverTheToken()
    {
        {
            MainWindow window;
            window.show();
            fillValid(agentsOf(window), 4, 7546, 90);
            window.close();
        }
        MainWindow window;
        AgentsFields *fields = agentsOf(window);
        QVERIFY(fields->isChecked());
        QCOMPARE(fields->agentsBox()->value(), 4);
        QCOMPARE(fields->listenEdit()->text(), QStringLiteral("127.0.0.1:7546"));
        QCOMPARE(fields->certEdit()->text(), m_credentials.certFile());
        QCOMPARE(fields->keyEdit()->text(), m_credentials.keyFile());
        QCOMPARE(fields->tokenFileEdit()->text(), m_credentials.tokenFile());
        QCOMPARE(fields->waitBox()->value(), 90);
        QSettings settings;
        settings.sync();
        for (const QString &key : settings.allKeys())
            QVERIFY2(!settings.value(key).toString().toUtf8().contains(AgentCredentials::token()), qPrintable(key));
        QFile file(settings.fileName());
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
        QVERIFY(!file.readAll().contains(AgentCredentials::token()));
    }

    // While the coordinator waits, the status line and the banner say for how many, where, and how many came; Stop
    // ends the wait as an interrupted run, not a failure.
    void waitingShowsProgressAndStopCancelsIt()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        MainWindow window;
        window.show();
        shortRunAgainst(window, server);
        fillValid(agentsOf(window), 2, port, 120);
        QSignalSpy finished(window.controller(), &RunController::runFinished);
        QSignalSpy failed(window.controller(), &RunController::runFailed);
        window.startAction()->trigger();
        const QString waiting = QStringLiteral("waiting for 2 agents on 127.0.0.1:%1").arg(port);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusLine()->text().contains(waiting + QStringLiteral(" (0 connected)")),
                                 20000);
        QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Info);
        QVERIFY(window.banner()->fix().contains(QStringLiteral("wss://THIS-HOST:%1").arg(port)));

        std::unique_ptr<QProcess> agent = startAgent(m_credentials, port);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusLine()->text().contains(waiting + QStringLiteral(" (1 connected)")),
                                 30000);
        QVERIFY(window.stopAction()->isEnabled());
        window.stopAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.at(0).at(0).value<RunDataPtr>()->info.status, RunStatus::Interrupted);
        QVERIFY2(window.statusLine()->text().contains(QLatin1String("interrupted")),
                 qPrintable(window.statusLine()->text()));
        QVERIFY(window.banner()->isHidden());
        QVERIFY(window.startAction()->isEnabled());
        QCOMPARE(server.requestsSeen(), uint64_t(1)); // the reachability check: no load ran
        finishAgent(agent.get());
    }

    // Nobody comes within the ready wait: the banner shows the AgentsUnavailable failure's message and fix.
    void missingAgentsFailWithTheFixInTheBanner()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        MainWindow window;
        window.show();
        shortRunAgainst(window, server);
        fillValid(agentsOf(window), 1, TestHttpServer::refusedPort(), 1);
        QSignalSpy failed(window.controller(), &RunController::runFailed);
        window.startAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        const auto failure = failed.at(0).at(0).value<RunFailure>();
        QCOMPARE(failure.kind, RunFailure::Kind::AgentsUnavailable);
        QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Error);
        QCOMPARE(window.banner()->message(), failure.message);
        QCOMPARE(window.banner()->fix(), failure.fix);
        QVERIFY2(failure.message.contains(QLatin1String("waited 1 s for 1 agents")), qPrintable(failure.message));
        QVERIFY2(failure.fix.contains(QLatin1String("start the missing agents")), qPrintable(failure.fix));
        QVERIFY(window.startAction()->isEnabled());
        QCOMPARE(server.requestsSeen(), uint64_t(1));
    }

    // End to end: the GUI coordinates one real `preflight agent`, and the run completes as one run of the GUI's.
    void oneAgentRunsTheLoadToTheEnd()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        MainWindow window;
        window.show();
        shortRunAgainst(window, server);
        fillValid(agentsOf(window), 1, port, 60);
        QSignalSpy finished(window.controller(), &RunController::runFinished);
        QSignalSpy failed(window.controller(), &RunController::runFailed);
        window.startAction()->trigger();
        std::unique_ptr<QProcess> agent = startAgent(m_credentials, port);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() == 1, 90000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : window.banner()->message()));
        const RunDataPtr run = finished.at(0).at(0).value<RunDataPtr>();
        QCOMPARE(run->info.status, RunStatus::Completed);
        QVERIFY2(run->info.machine.contains(QLatin1String("coordinator of 1 agents")), qPrintable(run->info.machine));
        QVERIFY(!run->intervals.empty());
        QVERIFY(server.requestsSeen() > 10);
        QVERIFY(window.statusLine()->text().contains(QLatin1String("finished: completed")));
        finishAgent(agent.get());
        QCOMPARE(agent->exitStatus(), QProcess::NormalExit);
        QCOMPARE(agent->exitCode(), 0);
        QVERIFY(!agent->readAllStandardError().contains(AgentCredentials::token()));
    }

    // An agent killed mid-run: the run ends by itself, aborted with what was measured, and the banner names the lost
    // agent, as the CLI's exit code 5 does.
    void lostAgentShowsInTheBanner()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        MainWindow window;
        window.show();
        shortRunAgainst(window, server);
        window.findChild<QDoubleSpinBox *>(QStringLiteral("duration"))->setValue(60);
        fillValid(agentsOf(window), 1, port, 60);
        QSignalSpy finished(window.controller(), &RunController::runFinished);
        window.startAction()->trigger();
        std::unique_ptr<QProcess> agent = startAgent(m_credentials, port);
        QTRY_VERIFY_WITH_TIMEOUT(server.requestsSeen() > 50, 60000);
        agent->kill();
        finishAgent(agent.get());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(finished.at(0).at(0).value<RunDataPtr>()->info.status, RunStatus::Aborted);
        QCOMPARE(window.controller()->loadFailure().kind, LoadFailure::Kind::AgentLost);
        QCOMPARE(window.banner()->kind(), ErrorBanner::Kind::Error);
        QVERIFY2(window.banner()->message().contains(QLatin1String("lost an agent")),
                 qPrintable(window.banner()->message()));
        QVERIFY(window.startAction()->isEnabled());
    }
};

QTEST_MAIN(TestAgentsFields)
#include "tst_agentsfields.moc"
