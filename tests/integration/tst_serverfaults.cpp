// The server-fault table of docs/cli.md, over real loopback sockets: a backend that never answers, closes in the
// middle of a response, sends 100 MB, answers garbage, resets, dies in the middle of the run, or fails the TLS
// handshake. Each is classified in the JSON summary, the run is stored, and the exit code is the README's.
// Also: Ctrl-C while the target is being checked, and a run whose every request fails inside the client.
#include "faultserver.h"
#include "preflightprocess.h"

#include "store/runstore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Preflight;
using PreflightTest::CliOptions;
using PreflightTest::CliResult;
using PreflightTest::FaultServer;
using PreflightTest::runPreflight;

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

// error_counts summed over the summary's endpoints.
std::map<QString, qint64> errorCounts(const QJsonObject &summary)
{
    std::map<QString, qint64> counts;
    for (const QJsonValue &e : summary.value(QLatin1String("endpoints")).toArray()) {
        const QJsonObject c = e.toObject().value(QLatin1String("error_counts")).toObject();
        for (auto it = c.begin(); it != c.end(); ++it)
            counts[it.key()] += qint64(it.value().toDouble());
    }
    return counts;
}

QString describe(const std::map<QString, qint64> &counts)
{
    QStringList parts;
    for (const auto &[k, v] : counts)
        parts << QStringLiteral("%1=%2").arg(k).arg(v);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestServerFaults : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void faultIsClassifiedStoredAndExitsAsDocumented_data();
    void faultIsClassifiedStoredAndExitsAsDocumented();
    void serverKilledMidRun();
    void tlsHandshakeFailureIsAUsageErrorNamingTheFix();
    void interruptWhileCheckingTheTargetExits130();
    void everyRequestFailingInsideTheClientIsAUsageError();
    void openModelNeverSentArrivalsShowPerLevel();
};

void TestServerFaults::faultIsClassifiedStoredAndExitsAsDocumented_data()
{
    QTest::addColumn<int>("action");
    QTest::addColumn<qint64>("bodyBytes");
    QTest::addColumn<QString>("errorClass");
    QTest::newRow("never answers") << int(FaultServer::Action::Silence) << qint64(0) << QStringLiteral("timeout");
    QTest::newRow("closes mid-response") << int(FaultServer::Action::CloseMidBody) << qint64(200000)
                                         << QStringLiteral("reset");
    QTest::newRow("100 MB body") << int(FaultServer::Action::Answer) << qint64(100) * 1024 * 1024
                                 << QStringLiteral("too_large");
    QTest::newRow("malformed HTTP") << int(FaultServer::Action::Malformed) << qint64(0) << QStringLiteral("reset");
    QTest::newRow("resets") << int(FaultServer::Action::Reset) << qint64(0) << QStringLiteral("reset");
    QTest::newRow("closes without answering")
        << int(FaultServer::Action::Close) << qint64(0) << QStringLiteral("reset");
}

void TestServerFaults::faultIsClassifiedStoredAndExitsAsDocumented()
{
    QFETCH(int, action);
    QFETCH(qint64, bodyBytes);
    QFETCH(QString, errorClass);
    FaultServer server([&](const FaultServer::Request &) {
        FaultServer::Answer a;
        a.action = FaultServer::Action(action);
        a.body_bytes = uint64_t(bodyBytes);
        return a;
    });
    QVERIFY(server.start());
    const QString store = m_dir.filePath(QStringLiteral("faults.sqlite"));
    const int before = std::max(0, storedRunCount(store));
    const QString json = m_dir.filePath(QStringLiteral("%1.json").arg(
        QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))));
    // The target check meets the same fault: only a refused connection would be "unreachable" (item 7).
    const CliResult r = runPreflight(
        {QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
         QStringLiteral("--users"), QStringLiteral("4"), QStringLiteral("--duration"), QStringLiteral("5.5"),
         QStringLiteral("--timeout"), QStringLiteral("800"), QStringLiteral("--gates"), QStringLiteral("launch"),
         QStringLiteral("--json"), json, QStringLiteral("--store"), store, QStringLiteral("--quiet")});
    QVERIFY2(!r.crashed(), qPrintable(r.err));
    // A backend that fails is not ready: exit 1 with explicit gates (the run is long enough to be conclusive:
    // 5 s of load and 20 requests, see Diagnoser).
    QVERIFY2(r.exitCode == 1, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    const QJsonObject summary = readJson(json);
    QCOMPARE(summary.value(QStringLiteral("run")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("completed"));
    const auto counts = errorCounts(summary);
    const qint64 requests =
        qint64(summary.value(QStringLiteral("totals")).toObject().value(QStringLiteral("requests")).toDouble());
    QVERIFY(requests > 0);
    QVERIFY2(counts.count(errorClass) && counts.at(errorClass) == requests,
             qPrintable(describe(counts) + QStringLiteral(" of %1").arg(requests)));
    QCOMPARE(storedRunCount(store), before + 1);
}

void TestServerFaults::serverKilledMidRun()
{
    FaultServer server;
    QVERIFY(server.start());
    const QString store = m_dir.filePath(QStringLiteral("killed.sqlite"));
    const QString json = m_dir.filePath(QStringLiteral("killed.json"));
    CliOptions options;
    options.whileRunning = [&](QProcess &) {
        QTRY_VERIFY_WITH_TIMEOUT(server.requestsSeen() > 30, 20000);
        server.kill();
    };
    const CliResult r =
        runPreflight({QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
                      QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"),
                      QStringLiteral("5.5"), QStringLiteral("--gates"), QStringLiteral("launch"),
                      QStringLiteral("--json"), json, QStringLiteral("--store"), store, QStringLiteral("--quiet")},
                     options);
    QVERIFY2(r.exitCode == 1, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    const QJsonObject summary = readJson(json);
    const auto counts = errorCounts(summary);
    // After the kill every connection is refused; the kept-alive ones in use at that moment were reset.
    QVERIFY2(counts.count(QStringLiteral("connect")) && counts.at(QStringLiteral("connect")) > 0,
             qPrintable(describe(counts)));
    const QJsonObject totals = summary.value(QStringLiteral("totals")).toObject();
    QVERIFY(totals.value(QStringLiteral("ok")).toDouble() >= 30);
    QCOMPARE(storedRunCount(store), 1);
}

void TestServerFaults::tlsHandshakeFailureIsAUsageErrorNamingTheFix()
{
    FaultServer plain;
    QVERIFY(plain.start(/*plainTextToTls=*/true));
    const QString store = m_dir.filePath(QStringLiteral("tls.sqlite"));
    const CliResult r =
        runPreflight({QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(plain.baseUrl("https")),
                      QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--store"), store});
    QVERIFY2(r.exitCode == 2, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY2(r.err.contains(QStringLiteral("TLS handshake failed")) &&
                 r.err.contains(QStringLiteral("target.tls.ca_file")),
             qPrintable(r.err));
    // Refused before any load: nothing to store.
    QVERIFY(!QFile::exists(store) || storedRunCount(store) <= 0);
}

// Item 2: a stop while "checking target…" against a slow target crashed in printSummary (no diagnosis).
void TestServerFaults::interruptWhileCheckingTheTargetExits130()
{
    FaultServer silent([](const FaultServer::Request &) {
        return FaultServer::Answer{FaultServer::Action::Silence, 200, 0};
    });
    QVERIFY(silent.start());
    CliOptions options;
    options.whileRunning = [&](QProcess &p) {
        // The target check has sent its request and waits for an answer that never comes.
        QTRY_VERIFY_WITH_TIMEOUT(silent.requestsSeen() >= 1, 20000);
        ::kill(pid_t(p.processId()), SIGINT);
    };
    const CliResult r =
        runPreflight({QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(silent.baseUrl()),
                      QStringLiteral("--timeout"), QStringLiteral("4000"), QStringLiteral("--store"),
                      m_dir.filePath(QStringLiteral("int.sqlite"))},
                     options);
    QVERIFY2(!r.crashed(), qPrintable(r.err));
    QCOMPARE(r.exitCode, 130);
    QVERIFY2(r.err.contains(QStringLiteral("interrupted before the load started")), qPrintable(r.err));
}

// Item 12: every request fails inside libcurl (here a path that, once its ${env:} is resolved, holds a space):
// the backend was never reached, so the findings must not blame it and the exit code is a usage error.
void TestServerFaults::everyRequestFailingInsideTheClientIsAUsageError()
{
    FaultServer server;
    QVERIFY(server.start());
    const QString planPath = m_dir.filePath(QStringLiteral("client.json"));
    QFile plan(planPath);
    QVERIFY(plan.open(QIODevice::WriteOnly));
    plan.write(QStringLiteral(R"({"target":{"base_url":"%1"},"health":{"path":"/health"},
        "endpoints":[{"path":"/search/${env:PREFLIGHT_TEST_QUERY}"}],
        "scenario":{"preset":"sustain","users":1,"duration_s":1}})")
                   .arg(QString::fromStdString(server.baseUrl()))
                   .toUtf8());
    plan.close();
    CliOptions options;
    options.environment.insert(QStringLiteral("PREFLIGHT_TEST_QUERY"), QStringLiteral("two words"));
    const QString json = m_dir.filePath(QStringLiteral("client-summary.json"));
    const CliResult r = runPreflight({QStringLiteral("run"), planPath, QStringLiteral("--json"), json,
                                      QStringLiteral("--store"), m_dir.filePath(QStringLiteral("client.sqlite"))},
                                     options);
    QVERIFY2(r.exitCode == 2, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY2(r.err.contains(QStringLiteral("failed inside Preflight before reaching the backend")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("%20")), qPrintable(r.err));
    QCOMPARE(server.requestsSeen(), uint64_t(1)); // the health check only
    QVERIFY(QFile::exists(json));                 // the run is still written and stored
}

// Item 5 in the CLI: an open-model run past what its connections can carry shows, per level, how many arrivals
// were never sent, and they are in the level's success rate and the totals' timeouts.
void TestServerFaults::openModelNeverSentArrivalsShowPerLevel()
{
    FaultServer server([](const FaultServer::Request &) {
        FaultServer::Answer a;
        a.delay_ms = 50;
        return a;
    });
    QVERIFY(server.start());
    const QString json = m_dir.filePath(QStringLiteral("open.json"));
    const CliResult r = runPreflight(
        {QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
         QStringLiteral("--rate"), QStringLiteral("100"), QStringLiteral("--duration"), QStringLiteral("2"),
         QStringLiteral("--timeout"), QStringLiteral("300"), QStringLiteral("--max-users"), QStringLiteral("2"),
         QStringLiteral("--workers"), QStringLiteral("1"), QStringLiteral("--json"), json, QStringLiteral("--store"),
         m_dir.filePath(QStringLiteral("open.sqlite"))});
    QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY2(r.out.contains(QStringLiteral("never sent")), qPrintable(r.out));
    const QJsonObject totals = readJson(json).value(QStringLiteral("totals")).toObject();
    const double requests = totals.value(QStringLiteral("requests")).toDouble();
    QVERIFY(requests > double(server.requestsSeen())); // arrivals never sent are requests too
    QVERIFY(totals.value(QStringLiteral("timeouts")).toDouble() >= requests - double(server.requestsSeen()));
    QVERIFY(totals.value(QStringLiteral("error_rate")).toDouble() > 0.2);
}

QTEST_GUILESS_MAIN(TestServerFaults)
#include "tst_serverfaults.moc"
