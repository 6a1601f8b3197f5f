// The PostgreSQL side against a real throwaway server: connection safety and errors, capability states,
// the activity sampler, pg_stat_statements deltas and the profiling pass.
#include "pgserver.h"
#include "testhttpserver.h"

#include "data/rundata.h"
#include "db/dbsampler.h"
#include "db/pgcapabilities.h"
#include "db/pgconnection.h"
#include "db/pgstatements.h"
#include "db/profiler.h"
#include "db/statementlog.h"
#include "load/requestfactory.h"
#include "plan/plan.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Preflight;

namespace {

using AppSession = PgTestServer::Session;

// Minimal loopback HTTP/1.1 server: each request path runs a known set of queries in its own session.
class QueryServer
{
public:
    explicit QueryServer(QString conninfo) : m_conninfo(std::move(conninfo))
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &len);
        m_port = ntohs(a.sin_port);
        ::listen(m_fd, 16);
        m_thread = std::thread([this] { loop(); });
    }
    ~QueryServer()
    {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_thread.join();
    }
    int port() const { return m_port; }

private:
    void loop()
    {
        AppSession db(m_conninfo);
        while (!m_stop) {
            const int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0)
                break;
            QByteArray req;
            char buf[2048];
            while (!req.contains("\r\n\r\n")) {
                const ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0)
                    break;
                req.append(buf, int(n));
            }
            const QByteArray path = req.split(' ').value(1);
            if (path.startsWith("/one")) {
                db.exec("SELECT name FROM parent WHERE id = 1");
            } else if (path.startsWith("/nplus")) {
                // 1 + 3N: a list of N=4 parents, then three lookups per parent.
                const QStringList ids = db.column("SELECT id FROM parent ORDER BY id LIMIT 4");
                for (const QString &idText : ids) {
                    const QByteArray id = idText.toUtf8();
                    db.exec(QByteArray("SELECT count(*) FROM child_a WHERE parent_id = " + id).constData());
                    db.exec(QByteArray("SELECT count(*) FROM child_b WHERE parent_id = " + id).constData());
                    db.exec(QByteArray("SELECT count(*) FROM child_c WHERE parent_id = " + id).constData());
                }
            }
            const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
            ::send(c, resp, sizeof resp - 1, MSG_NOSIGNAL);
            ::close(c);
        }
    }
    QString m_conninfo;
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

const QString kAppPassword = QStringLiteral("app-secret-123");
const QString kMonitorPassword = QStringLiteral("monitor-secret-456");
const QString kPlainPassword = QStringLiteral("plain-secret-789");

} // namespace

class TestPg : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void sessionIsReadOnlyAndTagged();
    void multiStatementStringRejected();
    void envPlaceholderResolved();
    void wrongPasswordSaysSoWithoutPrintingIt();
    void refusedNamesHostAndPort();
    void pgpassFileHonoured();
    void serviceFileHonoured();
    void loopbackDetection_data();
    void loopbackDetection();
    void capabilitiesOk();
    void capabilitiesMissing();
    void capabilitiesInsufficientPrivilege();
    void capabilitiesNotPreloaded();
    void samplerCountsIdleInTransaction();
    void samplerCountsNewBackends();
    void snapshotDeltaCountsKnownStatements();
    void deltaHandlesResetAndVanishing();
    void profilerGivesCallsPerRequest();
    void profilerGoesThroughTheProxy();
    void serverLogCaptureCountsStatements();

private:
    QString monitor(const QString &db = QStringLiteral("appdb")) const
    {
        return m_server.tcpConninfo(QStringLiteral("monitor"), kMonitorPassword, db);
    }
    QString app() const { return m_server.tcpConninfo(QStringLiteral("app"), kAppPassword, QStringLiteral("appdb")); }

    PgTestServer m_server;
    QTemporaryDir m_home;
};

void TestPg::initTestCase()
{
    PREFLIGHT_START_PG(m_server);
    QString err;
    QVERIFY2(m_server.createRole(QStringLiteral("app"), kAppPassword, {}, &err), qPrintable(err));
    QVERIFY2(
        m_server.createRole(QStringLiteral("monitor"), kMonitorPassword, {QStringLiteral("pg_read_all_stats")}, &err),
        qPrintable(err));
    QVERIFY2(m_server.createRole(QStringLiteral("plain"), kPlainPassword, {}, &err), qPrintable(err));
    QVERIFY2(m_server.createDatabase(QStringLiteral("appdb"), QStringLiteral("app"), &err), qPrintable(err));
    QVERIFY2(m_server.createDatabase(QStringLiteral("noext"), QStringLiteral("app"), &err), qPrintable(err));
    QVERIFY2(m_server.exec(QStringLiteral("CREATE EXTENSION pg_stat_statements;"
                                          "CREATE TABLE parent(id int primary key, name text);"
                                          "CREATE TABLE child_a(parent_id int); CREATE TABLE child_b(parent_id int);"
                                          "CREATE TABLE child_c(parent_id int); CREATE TABLE known(a int);"
                                          "INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 10) g;"
                                          "INSERT INTO known SELECT g FROM generate_series(1, 100) g;"
                                          "GRANT SELECT ON ALL TABLES IN SCHEMA public TO app, plain;"),
                           QStringLiteral("appdb"), &err),
             qPrintable(err));
}

void TestPg::sessionIsReadOnlyAndTagged()
{
    PgConnection conn;
    QVERIFY2(conn.open(monitor()).ok(), "connect");
    const PgResultSet r = conn.query(QStringLiteral(
        "SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st, "
        "current_setting('lock_timeout') AS lt, current_setting('idle_in_transaction_session_timeout') AS it, "
        "current_setting('transaction_read_only') AS ro"));
    QVERIFY2(r.ok(), qPrintable(r.error.message));
    QCOMPARE(r.value(0, QStringLiteral("app")), QStringLiteral("preflight"));
    QCOMPARE(r.value(0, QStringLiteral("st")), QStringLiteral("5s"));
    QCOMPARE(r.value(0, QStringLiteral("lt")), QStringLiteral("1s"));
    QCOMPARE(r.value(0, QStringLiteral("it")), QStringLiteral("10s"));
    QCOMPARE(r.value(0, QStringLiteral("ro")), QStringLiteral("on"));
    // Writes are refused by the server even if a caller tried.
    const PgResultSet w = conn.query(QStringLiteral("CREATE TABLE must_not_exist(a int)"));
    QVERIFY(!w.ok());
    QCOMPARE(w.error.sqlstate, QStringLiteral("25006"));
    QVERIFY(conn.query(QStringLiteral("SELECT 1")).ok()); // the session survives a refused statement
}

void TestPg::multiStatementStringRejected()
{
    PgConnection conn;
    QVERIFY(conn.open(monitor()).ok());
    const PgResultSet r = conn.query(QStringLiteral("SELECT 1; SELECT 2"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error.sqlstate, QStringLiteral("42601"));
}

void TestPg::envPlaceholderResolved()
{
    qputenv("PREFLIGHT_TEST_PGPW", kMonitorPassword.toUtf8());
    PgConnection conn;
    const QString ci =
        QStringLiteral("host=127.0.0.1 port=%1 user=monitor dbname=appdb password=${env:PREFLIGHT_TEST_PGPW}")
            .arg(m_server.port());
    const DbError e = conn.open(ci);
    QVERIFY2(e.ok(), qPrintable(e.message));
    QVERIFY(!conn.redactedConninfo().contains(kMonitorPassword));
    qunsetenv("PREFLIGHT_TEST_PGPW");
    PgConnection missing;
    const DbError m = missing.open(ci);
    QCOMPARE(m.kind, DbError::Kind::Config);
    QVERIFY(m.message.contains(QLatin1String("PREFLIGHT_TEST_PGPW")));
}

void TestPg::wrongPasswordSaysSoWithoutPrintingIt()
{
    PgConnection conn;
    const QString wrong = QStringLiteral("definitely-wrong-pw");
    const DbError e = conn.open(m_server.tcpConninfo(QStringLiteral("monitor"), wrong, QStringLiteral("appdb")));
    QCOMPARE(e.kind, DbError::Kind::Auth);
    QVERIFY2(e.message.contains(QLatin1String("wrong password")), qPrintable(e.message));
    QVERIFY2(e.message.contains(QLatin1String(".pgpass")), qPrintable(e.message));
    QVERIFY(e.message.contains(QString::number(m_server.port())));
    QVERIFY(!e.message.contains(wrong));
    QVERIFY(!conn.redactedConninfo().contains(wrong));
}

void TestPg::refusedNamesHostAndPort()
{
    // A port nobody listens on: bind one, note it, close it.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    const int port = ntohs(a.sin_port);
    ::close(fd);
    PgConnection conn;
    const DbError e = conn.open(QStringLiteral("postgresql://monitor:pw-in-uri@127.0.0.1:%1/appdb").arg(port));
    QCOMPARE(e.kind, DbError::Kind::Unreachable);
    QVERIFY2(e.message.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(e.message));
    QVERIFY(e.message.contains(QLatin1String("refused")));
    QVERIFY(!e.message.contains(QLatin1String("pw-in-uri")));
    QVERIFY(!conn.redactedConninfo().contains(QLatin1String("pw-in-uri")));
}

void TestPg::pgpassFileHonoured()
{
    const QString path = m_home.filePath(QStringLiteral("pgpass"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("127.0.0.1:%1:appdb:monitor:%2\n").arg(m_server.port()).arg(kMonitorPassword).toUtf8());
    f.close();
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    qputenv("PGPASSFILE", QFile::encodeName(path));
    PgConnection conn;
    const DbError e =
        conn.open(QStringLiteral("host=127.0.0.1 port=%1 user=monitor dbname=appdb").arg(m_server.port()));
    qunsetenv("PGPASSFILE");
    QVERIFY2(e.ok(), qPrintable(e.message));
}

void TestPg::serviceFileHonoured()
{
    const QString path = m_home.filePath(QStringLiteral("pg_service.conf"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("[pftest]\nhost=127.0.0.1\nport=%1\nuser=monitor\ndbname=appdb\npassword=%2\n")
                .arg(m_server.port())
                .arg(kMonitorPassword)
                .toUtf8());
    f.close();
    qputenv("PGSERVICEFILE", QFile::encodeName(path));
    PgConnection conn;
    const DbError e = conn.open(QStringLiteral("service=pftest"));
    qunsetenv("PGSERVICEFILE");
    QVERIFY2(e.ok(), qPrintable(e.message));
    QCOMPARE(conn.database(), QStringLiteral("appdb"));
}

void TestPg::loopbackDetection_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("loopback");
    QTest::newRow("socket") << QStringLiteral("/var/run/postgresql") << true;
    QTest::newRow("empty") << QString() << true;
    QTest::newRow("localhost") << QStringLiteral("localhost") << true;
    QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1") << true;
    QTest::newRow("127.1.2.3") << QStringLiteral("127.1.2.3") << true;
    QTest::newRow("::1") << QStringLiteral("::1") << true;
    QTest::newRow("remote ip") << QStringLiteral("10.0.0.5") << false;
    QTest::newRow("remote name") << QStringLiteral("db.example.com") << false;
}

void TestPg::loopbackDetection()
{
    QFETCH(QString, host);
    QFETCH(bool, loopback);
    QCOMPARE(PgConnection::isLoopbackHost(host), loopback);
}

void TestPg::capabilitiesOk()
{
    PgConnection conn;
    QVERIFY(conn.open(monitor()).ok());
    const DbCapabilities caps = PgCapabilities::check(conn);
    QCOMPARE(caps.kind, QStringLiteral("postgresql"));
    QVERIFY(caps.server_version.startsWith(QLatin1String("15")));
    QCOMPARE(caps.max_connections, 60);
    QCOMPARE(caps.pg_stat_statements, QStringLiteral("ok"));
    QVERIFY2(caps.remediation.isEmpty(), qPrintable(caps.remediation.join(QLatin1Char('\n'))));
}

void TestPg::capabilitiesMissing()
{
    PgConnection conn;
    QVERIFY(conn.open(monitor(QStringLiteral("noext"))).ok());
    const DbCapabilities caps = PgCapabilities::check(conn);
    QCOMPARE(caps.pg_stat_statements, QStringLiteral("missing"));
    QVERIFY(caps.remediation.contains(QStringLiteral("CREATE EXTENSION pg_stat_statements;")));
    QVERIFY(!caps.warnings.isEmpty());
    // Printed, never run.
    QCOMPARE(
        m_server.queryValue(QStringLiteral("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"),
                            QStringLiteral("noext")),
        QStringLiteral("0"));
    QVERIFY(!PgStatements::snapshot(conn).valid);
}

void TestPg::capabilitiesInsufficientPrivilege()
{
    PgConnection conn;
    QVERIFY(conn.open(m_server.tcpConninfo(QStringLiteral("plain"), kPlainPassword, QStringLiteral("appdb"))).ok());
    const DbCapabilities caps = PgCapabilities::check(conn);
    QCOMPARE(caps.pg_stat_statements, QStringLiteral("insufficient-privilege"));
    QVERIFY2(caps.remediation.contains(QStringLiteral("GRANT pg_read_all_stats TO \"plain\";")),
             qPrintable(caps.remediation.join(QLatin1Char('\n'))));
}

void TestPg::capabilitiesNotPreloaded()
{
    PgTestServer::Options o;
    o.preload_pg_stat_statements = false;
    o.log_statements = false;
    PgTestServer second(o);
    QString err;
    QVERIFY2(second.start(&err), qPrintable(err));
    QVERIFY2(second.exec(QStringLiteral("CREATE EXTENSION pg_stat_statements"), QStringLiteral("postgres"), &err),
             qPrintable(err));
    PgConnection conn;
    QVERIFY(conn.open(second.conninfo()).ok());
    const DbCapabilities caps = PgCapabilities::check(conn);
    QCOMPARE(caps.pg_stat_statements, QStringLiteral("not-preloaded"));
    QVERIFY(caps.remediation.contains(QStringLiteral("shared_preload_libraries = 'pg_stat_statements'")));
    QVERIFY(caps.warnings.join(QLatin1Char(' ')).contains(QLatin1String("restart")));
    const PgStatements::Snapshot s = PgStatements::snapshot(conn);
    QVERIFY(!s.valid);
    QCOMPARE(s.error.sqlstate, QStringLiteral("55000"));
}

void TestPg::samplerCountsIdleInTransaction()
{
    std::vector<std::unique_ptr<AppSession>> sessions;
    for (int i = 0; i < 10; ++i) {
        sessions.push_back(std::make_unique<AppSession>(app()));
        QVERIFY(sessions.back()->ok());
        QVERIFY(sessions.back()->exec("BEGIN; SELECT count(*) FROM known;"));
    }
    DbSampler::Options o;
    o.interval_ms = 200;
    DbSampler sampler(monitor(), std::chrono::steady_clock::now(), o);
    QSignalSpy spy(&sampler, &DbSampler::sampleAvailable);
    sampler.start();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 2, 10000);
    sampler.stop();
    QVERIFY(!sampler.isRunning());
    const auto s = spy.last().at(0).value<DbSample>();
    QCOMPARE(s.idle_in_transaction, 10);
    QCOMPARE(s.backends, 10); // Preflight's own session is not counted
    QCOMPARE(s.active, 0);
    QVERIFY(!s.by_application.count(QStringLiteral("preflight")));
    QCOMPARE(s.max_connections, 60);
    QVERIFY(s.total_connections >= 11); // its own session does count against max_connections
    QVERIFY(s.longest_transaction_s > 0);
    QVERIFY(s.t_s > 0);
    const auto first = spy.first().at(0).value<DbSample>();
    QVERIFY(first.t_s <= s.t_s);
}

void TestPg::samplerCountsNewBackends()
{
    DbSampler::Options o;
    o.interval_ms = 200;
    DbSampler sampler(monitor(), std::chrono::steady_clock::now(), o);
    QSignalSpy spy(&sampler, &DbSampler::sampleAvailable);
    sampler.start();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 1, 10000);
    auto total = [&spy] {
        int n = 0;
        for (const auto &args : spy)
            n += args.at(0).value<DbSample>().new_backends;
        return n;
    };
    QCOMPARE(total(), 0);
    std::vector<std::unique_ptr<AppSession>> held;
    for (int i = 0; i < 5; ++i) {
        held.push_back(std::make_unique<AppSession>(app()));
        QVERIFY(held.back()->ok());
    }
    {
        // Three short-lived sessions that end between samples still count (pg_stat_database.sessions).
        for (int i = 0; i < 3; ++i) {
            AppSession brief(app());
            QVERIFY(brief.ok());
            QVERIFY(brief.exec("SELECT 1"));
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(total(), 8, 10000);
    const int before = spy.count();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= before + 3, 10000);
    QCOMPARE(total(), 8); // no double counting once both sources caught up
    sampler.stop();
}

void TestPg::snapshotDeltaCountsKnownStatements()
{
    PgConnection conn;
    QVERIFY(conn.open(monitor()).ok());
    const PgStatements::Snapshot before = PgStatements::snapshot(conn);
    QVERIFY2(before.valid, qPrintable(before.error.message));
    {
        AppSession s(app());
        for (int i = 0; i < 7; ++i)
            QVERIFY(s.exec(QStringLiteral("SELECT a FROM known WHERE a = %1").arg(i + 1).toUtf8().constData()));
    }
    const PgStatements::Snapshot after = PgStatements::snapshot(conn);
    const PgStatements::Delta d = PgStatements::delta(before, after);
    QVERIFY(d.valid);
    QVERIFY(!d.reset);
    const auto stats = PgStatements::toQueryStats(d, QueryPhase::Run, -1, 7);
    const QueryStat *known = nullptr;
    for (const QueryStat &q : stats) {
        QVERIFY2(!q.text.contains(QLatin1String("preflight")), qPrintable(q.text)); // own statements excluded
        if (q.text.contains(QLatin1String("FROM known WHERE a =")))
            known = &q;
    }
    QVERIFY(known);
    QCOMPARE(known->calls, 7.0);
    QCOMPARE(known->rows, 7.0);
    QCOMPARE(known->calls_per_request, 1.0);
    QCOMPARE(known->fingerprint.size(), 16);
    QVERIFY(known->text.contains(QLatin1String("$1"))); // normalised, no literal values
}

void TestPg::deltaHandlesResetAndVanishing()
{
    PgStatements::Snapshot before, after;
    before.valid = after.valid = true;
    before.stats_reset = QStringLiteral("2024-01-01 00:00:00+00");
    after.stats_reset = before.stats_reset;
    before.entries[QStringLiteral("1")] = {QStringLiteral("1"), QStringLiteral("SELECT 1"), 10, 10, 5};
    before.entries[QStringLiteral("2")] = {QStringLiteral("2"), QStringLiteral("SELECT 2"), 4, 4, 1};
    after.entries[QStringLiteral("1")] = {QStringLiteral("1"), QStringLiteral("SELECT 1"), 15, 15, 8};
    after.entries[QStringLiteral("3")] = {QStringLiteral("3"), QStringLiteral("SELECT 3"), 2, 2, 1};
    PgStatements::Delta d = PgStatements::delta(before, after);
    QCOMPARE(d.appeared, 1);
    QCOMPARE(d.vanished, 1);
    QCOMPARE(int(d.entries.size()), 2);
    for (const auto &e : d.entries)
        QCOMPARE(e.calls, e.queryid == QLatin1String("1") ? 5.0 : 2.0);

    after.stats_reset = QStringLiteral("2024-01-01 00:05:00+00");
    d = PgStatements::delta(before, after);
    QVERIFY(d.reset);
    QVERIFY(!d.warnings.isEmpty());
    for (const auto &e : d.entries)
        QCOMPARE(e.calls, e.queryid == QLatin1String("1") ? 15.0 : 2.0); // "after" as-is
}

void TestPg::profilerGivesCallsPerRequest()
{
    QueryServer http(app());
    Plan plan;
    plan.target.base_url = QStringLiteral("http://127.0.0.1:%1").arg(http.port());
    EndpointSpec one;
    one.name = QStringLiteral("one");
    one.path = QStringLiteral("/one");
    EndpointSpec nplus;
    nplus.name = QStringLiteral("list");
    nplus.path = QStringLiteral("/nplus");
    plan.endpoints = {one, nplus};
    QString err;
    auto factory = RequestFactory::create(plan, &err);
    QVERIFY2(factory, qPrintable(err));
    PgConnection conn;
    QVERIFY(conn.open(monitor()).ok());
    Profiler::Options o;
    o.requests_per_endpoint = 6;
    Profiler profiler(conn, plan, *factory, o);
    const Profiler::Result r = profiler.run();
    QVERIFY2(r.warnings.isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
    QCOMPARE(int(r.endpoints.size()), 2);
    QCOMPARE(r.endpoints[0].responses, 6);
    QCOMPARE(int(r.endpoints[0].stats.size()), 1);
    QCOMPARE(r.endpoints[0].stats[0].calls_per_request, 1.0);
    QCOMPARE(r.endpoints[0].stats[0].phase, QueryPhase::Profile);
    QCOMPARE(r.endpoints[0].endpoint, QStringLiteral("one"));
    QCOMPARE(r.endpoints[0].stats[0].endpoint, 0); // plan.endpoints[0]
    for (const QueryStat &q : r.endpoints[1].stats)
        QCOMPARE(q.endpoint, 1);

    // 1 + 3N with N = 4: the parent once per request, three child fingerprints at 4 calls per request.
    const auto &list = r.endpoints[1].stats;
    QCOMPARE(int(list.size()), 4);
    int children = 0;
    QSet<QString> fingerprints;
    for (const QueryStat &q : list) {
        fingerprints.insert(q.fingerprint);
        if (q.text.contains(QLatin1String("FROM parent"))) {
            QCOMPARE(q.calls_per_request, 1.0);
            QCOMPARE(q.rows_per_call, 4.0);
        } else {
            QCOMPARE(q.calls_per_request, 4.0);
            ++children;
        }
    }
    QCOMPARE(children, 3);
    QCOMPARE(fingerprints.size(), 4);
}

void TestPg::serverLogCaptureCountsStatements()
{
    // The harness runs with log_statement = all; the same source as log_min_duration_statement = 0.
    StatementLog tail(m_server.logFile());
    QVERIFY(tail.readNew().isEmpty());
    PgConnection own;
    QVERIFY(own.open(monitor()).ok());
    QVERIFY(own.query(QStringLiteral("SELECT 1 AS not_counted")).ok());
    {
        AppSession s(app());
        for (int i = 0; i < 5; ++i)
            QVERIFY(s.exec(QByteArray("SELECT name FROM parent WHERE id = ") + QByteArray::number(i + 1)));
        QVERIFY(s.exec("SELECT count(*)\n  FROM known"));
    }
    QByteArray text;
    QTRY_VERIFY_WITH_TIMEOUT((text += tail.readNew()).contains("FROM known"), 10000);
    const auto statements = StatementLog::parsePostgresLog(text);
    const auto stats = StatementLog::perRequest(statements, 0, 5);
    QCOMPARE(int(stats.size()), 2);
    for (const QueryStat &q : stats)
        QCOMPARE(q.calls, q.text.contains(QLatin1String("parent")) ? 5.0 : 1.0);
}

QTEST_GUILESS_MAIN(TestPg)
// The profiling pass reaches the target the way the load does (TransportOptions): through the environment's
// proxy here, to a loopback "target" where nothing listens.
void TestPg::profilerGoesThroughTheProxy()
{
    PreflightTest::TestHttpServer proxy;
    QVERIFY(proxy.start());
    const QByteArray previous = qgetenv("http_proxy");
    qputenv("http_proxy", QByteArray::fromStdString(proxy.baseUrl()));
    const QString target = QStringLiteral("http://127.0.0.2:%1").arg(PreflightTest::TestHttpServer::refusedPort());
    Plan plan;
    plan.target.base_url = target;
    EndpointSpec one;
    one.name = QStringLiteral("one");
    one.path = QStringLiteral("/one");
    plan.endpoints = {one};
    QString err;
    auto factory = RequestFactory::create(plan, &err);
    QVERIFY2(factory, qPrintable(err));
    PgConnection conn;
    QVERIFY(conn.open(monitor()).ok());
    Profiler::Options o;
    o.requests_per_endpoint = 3;
    const Profiler::Result r = Profiler(conn, plan, *factory, o).run();
    if (previous.isEmpty())
        qunsetenv("http_proxy");
    else
        qputenv("http_proxy", previous);
    QCOMPARE(int(r.endpoints.size()), 1);
    QCOMPARE(r.endpoints[0].responses, 3);
    const auto paths = proxy.paths();
    QCOMPARE(int(std::count(paths.begin(), paths.end(), target.toStdString() + "/one")), 3);
}

#include "tst_pg.moc"
