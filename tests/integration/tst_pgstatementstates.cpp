// The database side when pg_stat_statements is not usable (docs/database.md), end to end: the demo backend on a
// throwaway PostgreSQL 15, as its own role, loaded by the real `preflight run PLAN.json`.
//
// stateIsReported: each of the three failure states — (a) the extension is not created in the target database,
// (b) created but the server does not preload the library (SQLSTATE 55000), (c) Preflight's role lacks
// pg_read_all_stats while the application runs as another role — gives its message and the exact remediation
// line(s) in the JSON summary, the run still completes (exit 0), the levels still count the application's
// backends from pg_stat_activity, there are no queries (nothing crashes for want of them), and the summary says
// in words that per-query evidence is missing and why.
//
// serverLogStandsIn: in state (a), `database.log` pointing at the server's own log (csvlog, or stderr with
// %d/%a in log_line_prefix) fills statements per request in the profiling pass: the N+1 endpoint runs 1 + 3N
// statements and the n-plus-one finding comes out without pg_stat_statements.
//
// Every row: Preflight connects over TCP with a literal password in the conninfo, which must reach neither
// the summary, the run store nor the console output.
#include "demo/demolauncher.h"
#include "pgserver.h"

#include "demosummary.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Preflight;
using namespace PreflightTest;

namespace {

const QString kApp = QStringLiteral("shop_app");       // the application's role, owner of its database
const QString kMonitor = QStringLiteral("pf_monitor"); // Preflight with pg_monitor
const QString kPlain = QStringLiteral("pf_plain");     // Preflight without pg_read_all_stats
const QString kPassword = QStringLiteral("Zq7-literal-pw-in-conninfo");

struct PreflightRun
{
    int exitCode = -1;
    QJsonObject summary;
    QByteArray summaryBytes;
    QByteArray storeBytes; // the run store and its side files
    QByteArray output;     // stdout + stderr
    double elapsed_s = 0;
};

QString socketConninfo(const PgTestServer &server, const QString &user, const QString &db)
{
    return QStringLiteral("host=%1 port=%2 user=%3 dbname=%4").arg(server.socketDir()).arg(server.port()).arg(user, db);
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray())
        out << s.toString();
    return out;
}

bool anyContains(const QStringList &list, const QString &fragment)
{
    for (const QString &s : list)
        if (s.contains(fragment))
            return true;
    return false;
}

} // namespace

class TestPgStatementStates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void stateIsReported_data();
    void stateIsReported();
    void serverLogStandsIn_data();
    void serverLogStandsIn();
    void statementsAreCountedPerLevel();

private:
    bool prepareServer(PgTestServer &server, QString *error);
    std::unique_ptr<DemoLauncher> startDemo(const PgTestServer &server, const QString &db);
    // Both demo endpoints, or (nPlusOneOnly) the N+1 profile endpoint alone.
    PreflightRun runPreflight(const QString &name, const QString &baseUrl, const QString &conninfo,
                              const QString &log = {}, bool nPlusOneOnly = false);
    void verifyNoSecret(const PreflightRun &run);

    // Preloads pg_stat_statements; the logging collector writes every statement to log/pg.{log,csv,json}.
    PgTestServer m_pg{PgTestServer::Options{true, false, {}, true}};
    std::unique_ptr<PgTestServer> m_notPreloaded; // state (b), started by its row
    QTemporaryDir m_dir;
};

bool TestPgStatementStates::prepareServer(PgTestServer &server, QString *error)
{
    return server.createRole(kApp, QStringLiteral("app-pw"), {}, error) &&
           server.createRole(kMonitor, kPassword, {QStringLiteral("pg_monitor")}, error) &&
           server.createRole(kPlain, kPassword, {}, error);
}

void TestPgStatementStates::initTestCase()
{
#ifndef PREFLIGHT_DEMO_TARGET_BIN
    QSKIP("preflight-demo-target is not built in this configuration");
#else
    qputenv("PREFLIGHT_DEMO_TARGET", PREFLIGHT_DEMO_TARGET_BIN);
#endif
    QVERIFY(m_dir.isValid());
    PREFLIGHT_START_PG(m_pg);
    QString error;
    QVERIFY2(prepareServer(m_pg, &error), qPrintable(error));
}

std::unique_ptr<DemoLauncher> TestPgStatementStates::startDemo(const PgTestServer &server, const QString &db)
{
    auto launcher = std::make_unique<DemoLauncher>();
    DemoLauncher::Options options;
    options.flaws = {QStringLiteral("n-plus-one")};
    options.db = socketConninfo(server, kApp, db);
    options.extra_args = {QStringLiteral("--orders"), QStringLiteral("2000")};
    QString error;
    if (!launcher->start(options, &error)) {
        qWarning("%s", qPrintable(error));
        return nullptr;
    }
    return launcher;
}

// `preflight run PLAN --json --store --quiet` with two endpoints, a two-level sweep of 2 s steps and 10
// profiling requests per endpoint; no gates, so a completed run exits 0.
PreflightRun TestPgStatementStates::runPreflight(const QString &name, const QString &baseUrl, const QString &conninfo,
                                                 const QString &log, bool nPlusOneOnly)
{
    PreflightRun r;
    auto endpoint = [](const QString &endpointName, const QString &path) {
        return QJsonObject{
            {QStringLiteral("name"), endpointName},
            {QStringLiteral("method"), QStringLiteral("GET")},
            {QStringLiteral("path"), path},
            {QStringLiteral("vars"),
             QJsonObject{{QStringLiteral("id"), QJsonObject{{QStringLiteral("range"), QJsonArray{1, 500}}}}}}};
    };
    QJsonObject database{{QStringLiteral("conninfo"), conninfo}};
    if (!log.isEmpty())
        database.insert(QStringLiteral("log"), log);
    QJsonArray endpoints{endpoint(QStringLiteral("customer profile"),
                                  QStringLiteral("/api/admin/customers/{id}?include=appointmentDetails"))};
    if (!nPlusOneOnly)
        endpoints.append(endpoint(QStringLiteral("customer"), QStringLiteral("/api/v1/customers/{id}")));
    const QJsonObject plan{{QStringLiteral("name"), name},
                           {QStringLiteral("target"), QJsonObject{{QStringLiteral("base_url"), baseUrl}}},
                           {QStringLiteral("endpoints"), endpoints},
                           {QStringLiteral("health"), QJsonObject{{QStringLiteral("path"), QStringLiteral("/health")}}},
                           {QStringLiteral("database"), database},
                           {QStringLiteral("scenario"), QJsonObject{{QStringLiteral("preset"), QStringLiteral("sweep")},
                                                                    {QStringLiteral("levels"), QJsonArray{1, 3}},
                                                                    {QStringLiteral("step_s"), 2},
                                                                    {QStringLiteral("profile_requests"), 10}}}};
    const QString planPath = m_dir.filePath(name + QStringLiteral(".plan.json"));
    const QString jsonPath = m_dir.filePath(name + QStringLiteral(".summary.json"));
    const QString storePath = m_dir.filePath(name + QStringLiteral(".store.sqlite"));
    {
        QFile f(planPath);
        if (!f.open(QIODevice::WriteOnly))
            return r;
        f.write(QJsonDocument(plan).toJson());
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QElapsedTimer timer;
    timer.start();
    p.start(QStringLiteral(PREFLIGHT_BIN), {QStringLiteral("run"), planPath, QStringLiteral("--json"), jsonPath,
                                            QStringLiteral("--store"), storePath, QStringLiteral("--quiet")});
    if (!p.waitForFinished(kDemoTimeout_ms)) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.elapsed_s = timer.elapsed() / 1000.0;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.output = p.readAll();
    QFile json(jsonPath);
    if (json.open(QIODevice::ReadOnly)) {
        r.summaryBytes = json.readAll();
        r.summary = QJsonDocument::fromJson(r.summaryBytes).object();
    }
    const QFileInfoList storeFiles =
        QDir(m_dir.path()).entryInfoList({name + QStringLiteral(".store.sqlite*")}, QDir::Files);
    for (const QFileInfo &fi : storeFiles) {
        QFile f(fi.absoluteFilePath());
        if (f.open(QIODevice::ReadOnly))
            r.storeBytes += f.readAll();
    }
    return r;
}

void TestPgStatementStates::verifyNoSecret(const PreflightRun &run)
{
    const QByteArray secret = kPassword.toUtf8();
    QVERIFY(!run.summaryBytes.isEmpty());
    QVERIFY(!run.storeBytes.isEmpty());
    QVERIFY2(!run.summaryBytes.contains(secret), "the conninfo's password is in the JSON summary");
    QVERIFY2(!run.storeBytes.contains(secret), "the conninfo's password is in the run store");
    QVERIFY2(!run.output.contains(secret), "the conninfo's password is in the console output");
}

void TestPgStatementStates::stateIsReported_data()
{
    QTest::addColumn<QString>("state");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QStringList>("remediation");

    QTest::newRow("a: missing") << QStringLiteral("missing")
                                << QStringLiteral("pg_stat_statements is not created in database")
                                << QStringList{QStringLiteral("CREATE EXTENSION pg_stat_statements;")};
    QTest::newRow("b: not-preloaded") << QStringLiteral("not-preloaded")
                                      << QStringLiteral("pg_stat_statements is created but not loaded by the server")
                                      << QStringList{QStringLiteral("shared_preload_libraries = 'pg_stat_statements'")};
    QTest::newRow("c: insufficient-privilege")
        << QStringLiteral("insufficient-privilege") << QStringLiteral("sees the text of its own queries only")
        << QStringList{QStringLiteral("GRANT pg_read_all_stats TO \"%1\";").arg(kPlain)};
}

void TestPgStatementStates::stateIsReported()
{
    QFETCH(QString, state);
    QFETCH(QString, message);
    QFETCH(QStringList, remediation);

    PgTestServer *server = &m_pg;
    if (state == QLatin1String("not-preloaded")) {
        if (!m_notPreloaded) {
            m_notPreloaded = std::make_unique<PgTestServer>(PgTestServer::Options{false, false, {}});
            PREFLIGHT_START_PG(*m_notPreloaded);
            QString error;
            QVERIFY2(prepareServer(*m_notPreloaded, &error), qPrintable(error));
        }
        server = m_notPreloaded.get();
    }
    const QString db = QStringLiteral("state_") + QString(state).replace(QLatin1Char('-'), QLatin1Char('_'));
    QString error;
    QVERIFY2(server->createDatabase(db, kApp, &error), qPrintable(error));
    if (state != QLatin1String("missing"))
        QVERIFY2(server->exec(QStringLiteral("CREATE EXTENSION pg_stat_statements"), db, &error), qPrintable(error));
    const QString role = state == QLatin1String("insufficient-privilege") ? kPlain : kMonitor;

    auto demo = startDemo(*server, db);
    QVERIFY(demo);
    const PreflightRun run = runPreflight(db, demo->baseUrl(), server->tcpConninfo(role, kPassword, db));
    QVERIFY2(!run.summary.isEmpty(), run.output.right(3000).constData());
    qInfo("%s (%.1f s, exit %d):\n%s", qPrintable(state), run.elapsed_s, run.exitCode,
          qPrintable(describeSummary(run.summary)));

    // The run completes: no gates were set, so completion is exit code 0.
    QVERIFY2(run.exitCode == 0, run.output.right(3000).constData());
    QCOMPARE(run.summary.value(QStringLiteral("run")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("completed"));

    // The state, its message and exactly its remediation lines.
    const QJsonObject database = run.summary.value(QStringLiteral("database")).toObject();
    QCOMPARE(database.value(QStringLiteral("kind")).toString(), QStringLiteral("postgresql"));
    QCOMPARE(database.value(QStringLiteral("pg_stat_statements")).toString(), state);
    const QStringList dbWarnings = strings(database.value(QStringLiteral("warnings")));
    QVERIFY2(anyContains(dbWarnings, message), qPrintable(dbWarnings.join(QLatin1Char('\n'))));
    QCOMPARE(strings(database.value(QStringLiteral("remediation"))), remediation);

    // The sampler still reads pg_stat_activity: the application's backends are counted at every level, by a
    // role that may not see what they run in state (c) as much as by a pg_monitor role.
    const QJsonArray levels = run.summary.value(QStringLiteral("levels")).toArray();
    QCOMPARE(levels.size(), 2);
    for (const QJsonValue &v : levels) {
        const QJsonValue backends = v.toObject().value(QStringLiteral("db_backends_max"));
        QVERIFY2(backends.isDouble() && backends.toInt() >= 1, qPrintable(QString::number(backends.toDouble(-1))));
    }
    QVERIFY(database.value(QStringLiteral("peak_backends")).toInt() >= 1);

    // No per-query evidence, no crash for want of it, and the summary says so in words, with the fix.
    QVERIFY(run.summary.value(QStringLiteral("queries")).toArray().isEmpty());
    for (const QJsonValue &v : run.summary.value(QStringLiteral("endpoints")).toArray())
        QVERIFY(v.toObject().value(QStringLiteral("queries_per_request")).isNull());
    QVERIFY(findingsWithId(run.summary, QStringLiteral("n-plus-one")).isEmpty());
    QString note;
    for (const QString &w : strings(run.summary.value(QStringLiteral("warnings"))))
        if (w.startsWith(QLatin1String("No per-query evidence")))
            note = w;
    QVERIFY2(!note.isEmpty(), run.summaryBytes.constData());
    QVERIFY2(note.contains(QStringLiteral("pg_stat_statements is %1").arg(state)), qPrintable(note));
    QVERIFY2(note.contains(QLatin1String("queries per request, the query table, query plans and the n-plus-one")),
             qPrintable(note));
    for (const QString &line : remediation)
        QVERIFY2(note.contains(line), qPrintable(note));

    verifyNoSecret(run);
}

void TestPgStatementStates::serverLogStandsIn_data()
{
    QTest::addColumn<QString>("destination");
    QTest::newRow("csvlog") << QStringLiteral("csvlog");
    QTest::newRow("stderr") << QStringLiteral("stderr");
}

void TestPgStatementStates::serverLogStandsIn()
{
    QFETCH(QString, destination);
    const QString db = QStringLiteral("log_") + destination;
    QString error;
    QVERIFY2(m_pg.createDatabase(db, kApp, &error), qPrintable(error)); // no pg_stat_statements: state (a)
    const QString log = m_pg.serverLog(destination);
    QVERIFY(QFile::exists(log));

    auto demo = startDemo(m_pg, db);
    QVERIFY(demo);
    const PreflightRun run = runPreflight(db, demo->baseUrl(), m_pg.tcpConninfo(kMonitor, kPassword, db), log);
    QVERIFY2(!run.summary.isEmpty(), run.output.right(3000).constData());
    qInfo("%s (%.1f s, exit %d):\n%s", qPrintable(destination), run.elapsed_s, run.exitCode,
          qPrintable(describeSummary(run.summary)));
    QVERIFY2(run.exitCode == 0, run.output.right(3000).constData());
    QCOMPARE(
        run.summary.value(QStringLiteral("database")).toObject().value(QStringLiteral("pg_stat_statements")).toString(),
        QStringLiteral("missing"));
    QVERIFY2(anyContains(strings(run.summary.value(QStringLiteral("warnings"))),
                         QStringLiteral("queries per request come from the statement log %1").arg(log)),
             run.summaryBytes.constData());

    // The N+1 endpoint: one statement once per request, three statements N times each (the demo seeds 18–22
    // appointments per customer), 1 + 3N in all; the finding names it from the log's counts.
    const QJsonArray found = findingsWithId(run.summary, QStringLiteral("n-plus-one"));
    QCOMPARE(found.size(), 1);
    const QJsonObject f = found.first().toObject();
    QCOMPARE(f.value(QStringLiteral("endpoint")).toString(), QStringLiteral("customer profile"));
    QCOMPARE(f.value(QStringLiteral("title")).toString(),
             QStringLiteral("GET /api/admin/customers/{id} runs 1 + 3N queries"));
    const double n = evidenceValue(f, QStringLiteral("calls_per_request"), QStringLiteral("child"));
    QVERIFY2(n >= 18 && n <= 22, qPrintable(QString::number(n)));

    double perRequest = -1;
    for (const QJsonValue &v : run.summary.value(QStringLiteral("endpoints")).toArray())
        if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("customer profile"))
            perRequest = v.toObject().value(QStringLiteral("queries_per_request")).toDouble(-1);
    QVERIFY2(qAbs(perRequest - (1 + 3 * n)) <= 0.5,
             qPrintable(QStringLiteral("%1 vs 1 + 3×%2").arg(perRequest).arg(n)));

    int children = 0, once = 0;
    for (const QJsonValue &v : run.summary.value(QStringLiteral("queries")).toArray()) {
        const QJsonObject q = v.toObject();
        const QString text = q.value(QStringLiteral("text")).toString();
        // Preflight's own sessions (application_name preflight, the /* preflight */ marker) are not the app's.
        QVERIFY2(!text.contains(QLatin1String("preflight")) && !text.contains(QLatin1String("pg_stat_activity")),
                 qPrintable(text));
        QCOMPARE(q.value(QStringLiteral("phase")).toString(), QStringLiteral("profile"));
        if (q.value(QStringLiteral("endpoint")).toString() != QLatin1String("customer profile"))
            continue;
        const double calls = q.value(QStringLiteral("calls_per_request")).toDouble();
        if (calls >= 5) {
            ++children;
            QVERIFY2(qAbs(calls - n) <= 0.05 * n, qPrintable(text));
        } else {
            ++once;
            QCOMPARE(calls, 1.0);
        }
    }
    QCOMPARE(children, 3); // services, payments, messages per appointment
    QCOMPARE(once, 1);     // the customer with its appointments

    verifyNoSecret(run);
}

// With pg_stat_statements usable, the DB sampler snapshots it at every stage start: each sweep level reports the
// statements its requests ran. The N+1 endpoint alone runs 1 + 3N statements per request (N = 18..22 seeded
// appointments), at 1 user as at 3. The sampler snapshots at the scheduled stage start, a few requests in flight
// straddle it, hence the 5% margin (measured: 79 parent calls for 78 requests, 204 for 202).
void TestPgStatementStates::statementsAreCountedPerLevel()
{
    const QString db = QStringLiteral("per_level");
    QString error;
    QVERIFY2(m_pg.createDatabase(db, kApp, &error), qPrintable(error));
    QVERIFY2(m_pg.exec(QStringLiteral("CREATE EXTENSION pg_stat_statements"), db, &error), qPrintable(error));
    auto demo = startDemo(m_pg, db);
    QVERIFY(demo);
    const PreflightRun run = runPreflight(db, demo->baseUrl(), m_pg.tcpConninfo(kMonitor, kPassword, db), {}, true);
    QVERIFY2(!run.summary.isEmpty(), run.output.right(3000).constData());
    QVERIFY2(run.exitCode == 0, run.output.right(3000).constData());
    QCOMPARE(
        run.summary.value(QStringLiteral("database")).toObject().value(QStringLiteral("pg_stat_statements")).toString(),
        QStringLiteral("ok"));
    const QJsonArray levels = run.summary.value(QStringLiteral("levels")).toArray();
    QCOMPARE(levels.size(), 2);
    for (const QJsonValue &v : levels) {
        const QJsonValue perRequest = v.toObject().value(QStringLiteral("queries_per_request"));
        QVERIFY2(perRequest.isDouble(), QJsonDocument(v.toObject()).toJson().constData());
        QVERIFY2(perRequest.toDouble() >= 0.95 * (1 + 3 * 18) && perRequest.toDouble() <= 1.05 * (1 + 3 * 22),
                 qPrintable(QString::number(perRequest.toDouble())));
    }
    verifyNoSecret(run);
}

QTEST_GUILESS_MAIN(TestPgStatementStates)
#include "tst_pgstatementstates.moc"
