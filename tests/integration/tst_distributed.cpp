// Distributed runs end to end (docs/distributed.md): a coordinator (`preflight run --agents N`) and N `preflight agent`
// processes on loopback, over TLS with a CA and certificate made by the openssl CLI for this test. One merged run, the
// open model's spacing measured at the server, and the faults: a killed agent, a missing one, a wrong token, a skewed
// clock, connections that stall or leave in the middle of their TLS handshake.
#include "agentcredentials.h"
#include "preflightprocess.h"
#include "testhttpserver.h"

#include "store/runstore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <memory>
#include <sys/types.h>

using namespace Preflight;
using PreflightTest::TestHttpServer;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

int storedRunCount(const QString &path)
{
    RunStore store;
    RunStore::OpenOptions options;
    options.create = false;
    options.read_only = true;
    if (store.open(path, options))
        return -1;
    return int(store.listRuns().size());
}

// A started preflight process whose output is collected.
struct Proc
{
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QString err;

    void start(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        process->setProcessEnvironment(env);
        process->setProcessChannelMode(QProcess::SeparateChannels);
        process->start(QStringLiteral(PREFLIGHT_BIN), args);
        QVERIFY(process->waitForStarted());
    }
    // Exit code, or -1 (crashed) / -2 (not finished within timeout_ms).
    int finish(int timeout_ms = 120000)
    {
        const bool done = process->waitForFinished(timeout_ms);
        err += QString::fromUtf8(process->readAllStandardError());
        if (!done) {
            process->kill();
            process->waitForFinished();
            return -2;
        }
        return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    }
};

} // namespace

class TestDistributed : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    PreflightTest::AgentCredentials m_credentials;
    QString m_ca, m_cert, m_key, m_token, m_otherToken;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    QStringList coordinatorArgs(const TestHttpServer &server, int agents, int port, const QStringList &load,
                                const QString &name) const
    {
        return QStringList{QStringLiteral("run"),
                           QStringLiteral("--target"),
                           QString::fromStdString(server.baseUrl()),
                           QStringLiteral("--endpoint"),
                           QStringLiteral("GET /items"),
                           QStringLiteral("--agents"),
                           QString::number(agents),
                           QStringLiteral("--listen"),
                           QStringLiteral("127.0.0.1:%1").arg(port),
                           QStringLiteral("--agent-cert"),
                           m_cert,
                           QStringLiteral("--agent-key"),
                           m_key,
                           QStringLiteral("--agent-token-file"),
                           m_token,
                           QStringLiteral("--json"),
                           path(name + QStringLiteral(".json")),
                           QStringLiteral("--store"),
                           path(name + QStringLiteral(".db")),
                           QStringLiteral("--quiet")} +
               load;
    }

    QStringList agentArgs(int port, const QString &token = {}) const
    {
        return {QStringLiteral("agent"),
                QStringLiteral("--coordinator"),
                QStringLiteral("wss://127.0.0.1:%1").arg(port),
                QStringLiteral("--ca-file"),
                m_ca,
                QStringLiteral("--agent-token-file"),
                token.isEmpty() ? m_token : token,
                QStringLiteral("--workers"),
                QStringLiteral("1"),
                QStringLiteral("--connect-timeout"),
                QStringLiteral("30")};
    }

    static QProcessEnvironment agentEnvironment()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("PREFLIGHT_AGENT_TOKEN"));
        return env;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_credentials.make(), qPrintable(m_credentials.error()));
        m_ca = m_credentials.caFile();
        m_cert = m_credentials.certFile();
        m_key = m_credentials.keyFile();
        m_token = m_credentials.tokenFile();
        m_otherToken = m_credentials.otherTokenFile();
    }

    // Three agents make one stored run: totals are what the server counted (plus the coordinator's one
    // reachability check), the run is completed, and its P50/P99 match a single-process run of the same load
    // within the histogram's error plus run-to-run noise.
    void threeAgentsMakeOneRun()
    {
        TestHttpServer::Config config;
        config.delay_ms = 20; // latency is the server's: comparable between the two runs
        TestHttpServer server(config);
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        const QStringList load{QStringLiteral("--users"), QStringLiteral("6"), QStringLiteral("--duration"),
                               QStringLiteral("4")};
        Proc coordinator;
        coordinator.start(coordinatorArgs(server, 3, port, load, QStringLiteral("merged")));
        std::vector<Proc> agents(3);
        for (Proc &a : agents)
            a.start(agentArgs(port), agentEnvironment());
        const int code = coordinator.finish();
        QVERIFY2(code == 0, qPrintable(coordinator.err));
        for (Proc &a : agents)
            QVERIFY2(a.finish() == 0, qPrintable(a.err));
        QVERIFY(!coordinator.err.contains(QLatin1String("6f1c2a9be0d34f7a")));

        const QJsonObject summary = readJson(path(QStringLiteral("merged.json")));
        const QJsonObject run = summary.value(QLatin1String("run")).toObject();
        QCOMPARE(run.value(QLatin1String("status")).toString(), QStringLiteral("completed"));
        const QJsonObject totals = summary.value(QLatin1String("totals")).toObject();
        const qint64 requests = qint64(totals.value(QLatin1String("requests")).toDouble());
        QVERIFY(requests > 100);
        QCOMPARE(requests + 1, qint64(server.requestsSeen()));
        QCOMPARE(storedRunCount(path(QStringLiteral("merged.db"))), 1);
        QVERIFY(!summary.value(QLatin1String("levels")).toArray().isEmpty());
        QVERIFY(!summary.value(QLatin1String("verdict")).toString().isEmpty());

        // The same load from one process.
        TestHttpServer single(config);
        QVERIFY(single.start());
        const PreflightTest::CliResult local = PreflightTest::runPreflight(
            QStringList{QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(single.baseUrl()),
                        QStringLiteral("--endpoint"), QStringLiteral("GET /items"), QStringLiteral("--json"),
                        path(QStringLiteral("single.json")), QStringLiteral("--store"),
                        path(QStringLiteral("single.db")), QStringLiteral("--quiet")} +
            load);
        QVERIFY2(local.exitCode == 0, qPrintable(local.err));
        const QJsonObject one = readJson(path(QStringLiteral("single.json")));
        const QJsonObject mergedLatency = totals.value(QLatin1String("latency_ms")).toObject();
        const QJsonObject singleLatency =
            one.value(QLatin1String("totals")).toObject().value(QLatin1String("latency_ms")).toObject();
        const double p50 = mergedLatency.value(QLatin1String("p50")).toDouble();
        const double p50One = singleLatency.value(QLatin1String("p50")).toDouble();
        const double p99 = mergedLatency.value(QLatin1String("p99")).toDouble();
        const double p99One = singleLatency.value(QLatin1String("p99")).toDouble();
        qInfo("P50 merged %.2f ms, one process %.2f ms; P99 %.2f / %.2f ms", p50, p50One, p99, p99One);
        // P50 is the server's 20 ms plus the histogram's 0.4%: it must agree closely. P99 is the scheduler's tail
        // on a shared 2-core machine running four processes instead of one (measured 72 vs 39 ms at load 20):
        // only a generous bound is honest there.
        QVERIFY2(std::abs(p50 - p50One) <= 0.05 * p50One + 1.0,
                 qPrintable(QStringLiteral("%1 vs %2").arg(p50).arg(p50One)));
        QVERIFY2(p99 >= 0.5 * p99One && p99 <= 3 * p99One + 50.0,
                 qPrintable(QStringLiteral("%1 vs %2").arg(p99).arg(p99One)));
    }

    // The open model over 3 agents: R req/s arrive at the server at R, evenly spaced (agent i sends arrivals
    // i, i+3, i+6, … of one schedule), not in bunches of three.
    void openModelArrivesEvenlySpaced()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        const double rate = 60;
        Proc coordinator;
        coordinator.start(coordinatorArgs(
            server, 3, port,
            {QStringLiteral("--rate"), QString::number(rate), QStringLiteral("--duration"), QStringLiteral("5")},
            QStringLiteral("open")));
        std::vector<Proc> agents(3);
        for (Proc &a : agents)
            a.start(agentArgs(port), agentEnvironment());
        QVERIFY2(coordinator.finish() == 0, qPrintable(coordinator.err));
        for (Proc &a : agents)
            QVERIFY2(a.finish() == 0, qPrintable(a.err));

        std::vector<double> t = server.arrivals_s();
        QVERIFY(t.size() > 10);
        t.erase(t.begin()); // the coordinator's reachability check
        std::sort(t.begin(), t.end());
        const double span = t.back() - t.front();
        const double measured = double(t.size() - 1) / span;
        qInfo("%zu arrivals over %.3f s: %.2f req/s (asked %.0f)", t.size(), span, measured, rate);
        QVERIFY(std::abs(double(t.size()) - rate * 5) <= 3);
        QVERIFY(std::abs(measured - rate) / rate < 0.05);
        // Bunching would put a third of the gaps near 0; even spacing puts them near 1/R.
        int bunched = 0;
        for (size_t i = 1; i < t.size(); ++i)
            if (t[i] - t[i - 1] < 0.25 / rate)
                ++bunched;
        qInfo("%d of %zu gaps shorter than a quarter of 1/R", bunched, t.size() - 1);
        QVERIFY(bunched <= int(t.size() / 10));
    }

    // An agent killed mid-run: every agent stops within the heartbeat bound (not at the end of the 60 s plan),
    // the run is stored with what was measured, marked aborted with the cause, and the exit code is 5.
    void killedAgentStopsEveryAgent()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        Proc coordinator;
        coordinator.start(coordinatorArgs(
            server, 3, port,
            {QStringLiteral("--users"), QStringLiteral("3"), QStringLiteral("--duration"), QStringLiteral("60")},
            QStringLiteral("killed")));
        std::vector<Proc> agents(3);
        for (Proc &a : agents)
            a.start(agentArgs(port), agentEnvironment());
        QTRY_VERIFY_WITH_TIMEOUT(server.requestsSeen() > 100, 60000);
        QElapsedTimer sinceKill;
        sinceKill.start();
        agents[1].process->kill();
        const int code = coordinator.finish(30000);
        const qint64 stopped_ms = sinceKill.elapsed();
        QVERIFY2(code == 5, qPrintable(QString::number(code) + QLatin1Char(' ') + coordinator.err));
        QVERIFY(agents[0].finish(10000) >= 0);
        QVERIFY(agents[2].finish(10000) >= 0);
        qInfo("coordinator exited %lld ms after the kill", stopped_ms);
        QVERIFY2(stopped_ms < 15000, qPrintable(QString::number(stopped_ms))); // generous: the plan ran 60 s
        QVERIFY(coordinator.err.contains(QLatin1String("lost an agent")));
        const QJsonObject summary = readJson(path(QStringLiteral("killed.json")));
        QCOMPARE(summary.value(QLatin1String("run")).toObject().value(QLatin1String("status")).toString(),
                 QStringLiteral("aborted"));
        QVERIFY(summary.value(QLatin1String("totals")).toObject().value(QLatin1String("requests")).toDouble() > 50);
        QCOMPARE(storedRunCount(path(QStringLiteral("killed.db"))), 1);
        // Nothing is sent after the stop: the server's count stays.
        const uint64_t after = server.requestsSeen();
        QTest::qWait(500);
        QCOMPARE(server.requestsSeen(), after);
    }

    // A coordinator that stops answering mid-run (its process frozen, as a hung node or a dropped network looks
    // from the agent): every agent abandons the load within its silence bound (2 s) instead of loading the target
    // to the end of the plan, and says why.
    void silentCoordinatorStopsTheAgents()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        Proc coordinator;
        coordinator.start(coordinatorArgs(
            server, 2, port,
            {QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"), QStringLiteral("60")},
            QStringLiteral("frozen")));
        std::vector<Proc> agents(2);
        for (Proc &a : agents)
            a.start(agentArgs(port), agentEnvironment());
        QTRY_VERIFY_WITH_TIMEOUT(server.requestsSeen() > 100, 60000);
        QElapsedTimer sinceFreeze;
        sinceFreeze.start();
        ::kill(pid_t(coordinator.process->processId()), SIGSTOP);
        for (Proc &a : agents) {
            QCOMPARE(a.finish(20000), 5);
            QVERIFY2(a.err.contains(QLatin1String("coordinator has not answered")), qPrintable(a.err));
        }
        const qint64 stopped_ms = sinceFreeze.elapsed();
        qInfo("agents exited %lld ms after the coordinator froze", stopped_ms);
        QVERIFY2(stopped_ms < 15000, qPrintable(QString::number(stopped_ms))); // generous: the plan ran 60 s
        const uint64_t after = server.requestsSeen();
        QTest::qWait(500);
        QCOMPARE(server.requestsSeen(), after); // nothing is sent once the agents gave up
        ::kill(pid_t(coordinator.process->processId()), SIGCONT);
        coordinator.process->kill();
        coordinator.finish(10000);
    }

    // An agent that never comes: the barrier waits a bounded time, then names how many came and the fix.
    void missingAgentIsABoundedWait()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        Proc coordinator;
        coordinator.start(coordinatorArgs(server, 2, port,
                                          {QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"),
                                           QStringLiteral("2"), QStringLiteral("--agent-wait"), QStringLiteral("4")},
                                          QStringLiteral("missing")));
        Proc agent;
        agent.start(agentArgs(port), agentEnvironment());
        const int code = coordinator.finish(60000);
        QVERIFY2(code == 5, qPrintable(QString::number(code) + QLatin1Char(' ') + coordinator.err));
        QVERIFY2(coordinator.err.contains(QLatin1String("1 ready")) &&
                     coordinator.err.contains(QLatin1String("1 missing")),
                 qPrintable(coordinator.err));
        QVERIFY(coordinator.err.contains(QLatin1String("preflight agent --coordinator")));
        QVERIFY(agent.finish(30000) != 0);
        QCOMPARE(server.requestsSeen(), uint64_t(1)); // the reachability check only: no load ran
    }

    // A wrong token: the agent refuses (the coordinator could not prove it knows the token), nothing runs.
    void wrongTokenIsRefused()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        Proc coordinator;
        coordinator.start(coordinatorArgs(server, 1, port,
                                          {QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"),
                                           QStringLiteral("2"), QStringLiteral("--agent-wait"), QStringLiteral("4")},
                                          QStringLiteral("token")));
        Proc agent;
        agent.start(agentArgs(port, m_otherToken), agentEnvironment());
        QCOMPARE(agent.finish(30000), 2);
        QVERIFY2(agent.err.contains(QLatin1String("could not prove it knows the agent token")), qPrintable(agent.err));
        QCOMPARE(coordinator.finish(60000), 5);
        QVERIFY2(coordinator.err.contains(QLatin1String("refused")), qPrintable(coordinator.err));
        QCOMPARE(server.requestsSeen(), uint64_t(1));
        QVERIFY(!agent.err.contains(QLatin1String("0000000000000000")));
        QVERIFY(!coordinator.err.contains(QLatin1String("6f1c2a9be0d34f7a")));
    }

    // A clock 500 ms off (injected on the agent) is refused with the offset and the fix.
    void skewedClockIsRefused()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        Proc coordinator;
        coordinator.start(coordinatorArgs(server, 1, port,
                                          {QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"),
                                           QStringLiteral("2"), QStringLiteral("--agent-wait"), QStringLiteral("4")},
                                          QStringLiteral("skew")));
        QProcessEnvironment env = agentEnvironment();
        env.insert(QStringLiteral("PREFLIGHT_AGENT_CLOCK_SKEW_MS"), QStringLiteral("500"));
        Proc agent;
        agent.start(agentArgs(port), env);
        QCOMPARE(agent.finish(30000), 2);
        QVERIFY2(agent.err.contains(QLatin1String("clock is")), qPrintable(agent.err));
        QCOMPARE(coordinator.finish(60000), 5);
        QVERIFY2(coordinator.err.contains(QLatin1String("synchronise")), qPrintable(coordinator.err));
        QCOMPARE(server.requestsSeen(), uint64_t(1));
    }

    // Connections that never finish their TLS handshake, or leave in the middle of it, are dropped at the
    // coordinator's handshake deadline (1 s here; Qt 6.4's QSslServer crashed when such handshakes timed out,
    // issue 17) while a proper agent joins and the run completes.
    void stalledAndAbandonedHandshakesDoNotDisturbTheRun()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const int port = TestHttpServer::refusedPort();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PREFLIGHT_COORDINATOR_HANDSHAKE_TIMEOUT_MS"), QStringLiteral("1000"));
        Proc coordinator;
        coordinator.start(coordinatorArgs(server, 1, port,
                                          {QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"),
                                           QStringLiteral("3"), QStringLiteral("--agent-wait"), QStringLiteral("30")},
                                          QStringLiteral("handshakes")),
                          env);
        // A client that opens TCP and says nothing: the first connection once the coordinator listens.
        QTcpSocket silent;
        QElapsedTimer waited;
        waited.start();
        for (;;) {
            silent.connectToHost(QHostAddress::LocalHost, quint16(port));
            if (silent.waitForConnected(1000))
                break;
            QVERIFY2(waited.elapsed() < 30000 && coordinator.process->state() == QProcess::Running,
                     qPrintable(coordinator.err));
            silent.abort();
            QTest::qWait(100);
        }
        QElapsedTimer silentFor;
        silentFor.start();
        // Three that leave: after connecting, in the middle of TLS, after TLS (before the WebSocket upgrade).
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromPath(m_ca));
        for (int i = 0; i < 3; ++i) {
            QSslSocket leaving;
            leaving.setSslConfiguration(tls);
            leaving.connectToHostEncrypted(QStringLiteral("127.0.0.1"), quint16(port));
            if (i == 0)
                QVERIFY(leaving.waitForConnected(5000));
            else if (i == 1)
                QTest::qWait(30); // the ClientHello is out, the server's answer on its way
            else
                QVERIFY2(leaving.waitForEncrypted(10000), qPrintable(leaving.errorString()));
            leaving.abort();
        }
        Proc agent;
        agent.start(agentArgs(port), agentEnvironment());
        // Dropped at its deadline, while the run goes on.
        QVERIFY(silent.state() == QAbstractSocket::UnconnectedState || silent.waitForDisconnected(15000));
        QVERIFY2(silentFor.elapsed() >= 800, qPrintable(QString::number(silentFor.elapsed())));
        QCOMPARE(coordinator.process->state(), QProcess::Running);

        const int code = coordinator.finish();
        QVERIFY2(code == 0, qPrintable(QString::number(code) + QLatin1Char(' ') + coordinator.err));
        QVERIFY2(agent.finish() == 0, qPrintable(agent.err));
        const QJsonObject summary = readJson(path(QStringLiteral("handshakes.json")));
        QCOMPARE(summary.value(QLatin1String("run")).toObject().value(QLatin1String("status")).toString(),
                 QStringLiteral("completed"));
        QCOMPARE(storedRunCount(path(QStringLiteral("handshakes.db"))), 1);
        QVERIFY(server.requestsSeen() > 10);
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
