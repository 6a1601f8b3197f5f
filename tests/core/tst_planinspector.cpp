// PlanInspector: safe EXPLAIN against a real throwaway PostgreSQL 15, the statement guard's refusals (nothing
// reaches the server), and a full inspection that leaves the database unwritten.
#include "pgserver.h"

#include "db/dbsampler.h"
#include "db/pgcapabilities.h"
#include "db/pgconnection.h"
#include "db/pgstatements.h"
#include "db/planinspector.h"
#include "db/statementguard.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace Preflight;

namespace {
const QString kMonitorPassword = QStringLiteral("monitor-pw-1");

// Every hostile text names zq_hostile so the server log and pg_stat_statements can prove none arrived.
const char *const kHostile[] = {
    "SELECT 1; DROP TABLE zq_hostile_t",
    "DROP TABLE zq_hostile_t",
    "INSERT INTO zq_hostile_t VALUES (1)",
    "UPDATE zq_hostile_t SET a = 2",
    "DELETE FROM zq_hostile_t",
    "WITH x AS (DELETE FROM zq_hostile_t RETURNING *) SELECT * FROM x",
    "WITH x AS (UPDATE zq_hostile_t SET a = 1 RETURNING *) SELECT * FROM x",
    "WITH x AS (INSERT INTO zq_hostile_t VALUES (1) RETURNING *) SELECT * FROM x",
    "WITH r AS (SELECT 1), d AS (DELETE FROM zq_hostile_t) SELECT * FROM r",
    "COPY zq_hostile_t TO '/tmp/zq_hostile_out'",
    "COPY (SELECT 1 AS zq_hostile) TO PROGRAM 'true'",
    "SET statement_timeout = 0 -- zq_hostile",
    "DO $$BEGIN DROP TABLE zq_hostile_t; END$$",
    "VACUUM zq_hostile_t",
    "CALL zq_hostile_proc()",
    "SELECT 1 AS zq_hostile /* ; */ ; DROP TABLE zq_hostile_t",
    "SELECT 1 AS zq_hostile -- comment\n; DROP TABLE zq_hostile_t",
    "SELECT 1 AS zq_hostile FROM zq_hostile_t; -- x\n/* y */ UPDATE zq_hostile_t SET a = 0",
    "SELECT * FROM zq_hostile_t FOR UPDATE",
    "SELECT * FROM zq_hostile_t FOR SHARE",
    "SELECT * FROM (SELECT * FROM zq_hostile_t FOR UPDATE) s",
    "SELECT * INTO zq_hostile_copy FROM zq_hostile_t",
    "CREATE TABLE zq_hostile_new (a int)",
    "CREATE TABLE zq_hostile_new AS SELECT 1",
    "ALTER TABLE zq_hostile_t ADD COLUMN b int",
    "TRUNCATE zq_hostile_t",
    "GRANT ALL ON zq_hostile_t TO PUBLIC",
    "CREATE EXTENSION zq_hostile_ext",
    "ALTER SYSTEM SET work_mem = '1GB' -- zq_hostile",
    "EXPLAIN ANALYZE DELETE FROM zq_hostile_t",
    "EXPLAIN SELECT * FROM zq_hostile_t",
    "PREPARE zq_hostile_p AS DELETE FROM zq_hostile_t",
    "EXECUTE zq_hostile_p",
    "LOCK TABLE zq_hostile_t",
    "MERGE INTO zq_hostile_t t USING (SELECT 1 AS a) s ON t.a = s.a WHEN MATCHED THEN DELETE",
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'zq_hostile'",
    "SELECT setval('zq_hostile_seq', 1)",
    "SELECT nextval('zq_hostile_seq')",
    "SELECT set_config('default_transaction_read_only', 'off', false) AS zq_hostile",
    "SELECT pg_advisory_lock(1) AS zq_hostile",
    "SELECT 1 AS zq_hostile; SELECT 2",
    "BEGIN; DELETE FROM zq_hostile_t; COMMIT",
    "COMMIT -- zq_hostile",
    "LISTEN zq_hostile",
    "NOTIFY zq_hostile",
    "REFRESH MATERIALIZED VIEW zq_hostile_mv",
    "CREATE INDEX zq_hostile_i ON zq_hostile_t(a)",
    "VALUES (1) ; DELETE FROM zq_hostile_t",
    "RESET ALL -- zq_hostile",
    "DISCARD ALL -- zq_hostile",
    "SELECT dblink_exec('zq_hostile', 'DROP TABLE t')",
    "SELECT lo_unlink(1) AS zq_hostile",
    "SELEC * FROM zq_hostile_t",
    ";;; -- zq_hostile",
};
} // namespace

class TestPlanInspector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void guardAcceptsPlainSelects_data();
    void guardAcceptsPlainSelects();
    void hostileTextsRefusedBeforeTheServer_data();
    void hostileTextsRefusedBeforeTheServer();
    void nothingHostileReachedTheServer();
    void seqScanOnLargeTableFlaggedWithColumn();
    void genericPlanForPlaceholders();
    void indexScanAndSmallTablesNotFlagged();
    void analyzeOnlyOnOptIn();
    void filterColumns_data();
    void filterColumns();
    void fullInspectionWritesNothing();

private:
    QString monitor() const
    {
        return m_server.tcpConninfo(QStringLiteral("monitor"), kMonitorPassword, QStringLiteral("shop"));
    }

    PgTestServer m_server;
    PgConnection m_conn;
    qint64 m_logOffset = 0;   // server log size after setup (which itself names zq_hostile_t)
    QString m_hostileEntries; // pg_stat_statements entries naming zq_hostile after setup
    QString hostileEntries() const
    {
        return m_server.queryValue(
            QStringLiteral("SELECT count(*) || '/' || coalesce(sum(calls), 0) FROM "
                           "pg_stat_statements WHERE query LIKE '%' || 'zq_' || 'hostile' || '%'"),
            QStringLiteral("shop"));
    }
};

void TestPlanInspector::initTestCase()
{
    PREFLIGHT_START_PG(m_server);
    QString err;
    QVERIFY2(
        m_server.createRole(QStringLiteral("monitor"), kMonitorPassword, {QStringLiteral("pg_read_all_stats")}, &err),
        qPrintable(err));
    QVERIFY2(m_server.createDatabase(QStringLiteral("shop"), {}, &err), qPrintable(err));
    QVERIFY2(m_server.exec(QStringLiteral("CREATE EXTENSION pg_stat_statements;"
                                          "CREATE TABLE big(id int PRIMARY KEY, category int, payload text);"
                                          "INSERT INTO big SELECT g, g % 1000, 'x' FROM generate_series(1, 200000) g;"
                                          "CREATE TABLE small(id int, category int);"
                                          "INSERT INTO small SELECT g, g % 10 FROM generate_series(1, 100) g;"
                                          "CREATE TABLE zq_hostile_t(a int); INSERT INTO zq_hostile_t VALUES (1), (2);"
                                          "CREATE SEQUENCE zq_hostile_seq;"
                                          "ANALYZE;"
                                          "GRANT SELECT ON ALL TABLES IN SCHEMA public TO monitor;"),
                           QStringLiteral("shop"), &err),
             qPrintable(err));
    const DbError e = m_conn.open(monitor());
    QVERIFY2(e.ok(), qPrintable(e.message));
    m_hostileEntries = hostileEntries();
    m_logOffset = QFile(m_server.logFile()).size();
}

void TestPlanInspector::guardAcceptsPlainSelects_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<int>("params");
    QTest::newRow("plain") << QStringLiteral("SELECT 1") << 0;
    QTest::newRow("trailing semicolon") << QStringLiteral("SELECT * FROM big WHERE id = 1;") << 0;
    QTest::newRow("placeholders") << QStringLiteral("SELECT * FROM big WHERE category = $1 AND id > $2") << 2;
    QTest::newRow("read-only CTE") << QStringLiteral("WITH c AS (SELECT id FROM big) SELECT count(*) FROM c") << 0;
    QTest::newRow("union") << QStringLiteral("SELECT 1 UNION ALL SELECT 2") << 0;
    QTest::newRow("comment") << QStringLiteral("/* app: list */ SELECT id FROM small -- tail") << 0;
}

void TestPlanInspector::guardAcceptsPlainSelects()
{
    QFETCH(QString, sql);
    QFETCH(int, params);
    const auto v = StatementGuard::checkSelect(sql);
    QVERIFY2(v.allowed, qPrintable(v.reason));
    QCOMPARE(v.max_param, params);
    QVERIFY(!v.statement.endsWith(QLatin1Char(';')));
}

void TestPlanInspector::hostileTextsRefusedBeforeTheServer_data()
{
    QTest::addColumn<QString>("sql");
    int i = 0;
    for (const char *h : kHostile)
        QTest::addRow("%d", ++i) << QString::fromUtf8(h);
    QVERIFY(i >= 30);
}

void TestPlanInspector::hostileTextsRefusedBeforeTheServer()
{
    QFETCH(QString, sql);
    QVERIFY(!StatementGuard::checkSelect(sql).allowed);
    QVERIFY(!StatementGuard::checkSelect(sql, true).allowed);
    PlanInspector inspector(m_conn);
    const QueryPlan p = inspector.explain(sql);
    QVERIFY(!p.valid);
    QVERIFY2(p.error.startsWith(QLatin1String("refused:")), qPrintable(p.error));
    PlanInspector analyzing(m_conn, PlanInspector::Options{true, 10000});
    QVERIFY(analyzing.explain(sql).error.startsWith(QLatin1String("refused:")));
}

void TestPlanInspector::nothingHostileReachedTheServer()
{
    // log_statement=all logs every statement the server received; a control statement proves it does.
    QVERIFY(m_conn.query(QStringLiteral("SELECT 42 AS zq_control_marker")).ok());
    QFile log(m_server.logFile());
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY(log.seek(m_logOffset));
    const QByteArray text = log.readAll();
    QVERIFY(text.contains("zq_control_marker"));
    QVERIFY(!text.contains("zq_hostile"));
    QCOMPARE(hostileEntries(), m_hostileEntries);
    QCOMPARE(m_server.queryValue(QStringLiteral("SELECT count(*) FROM zq_hostile_t"), QStringLiteral("shop")),
             QStringLiteral("2"));
}

void TestPlanInspector::seqScanOnLargeTableFlaggedWithColumn()
{
    PlanInspector inspector(m_conn);
    const QueryPlan p = inspector.explain(QStringLiteral("SELECT id, payload FROM big WHERE category = 42"));
    QVERIFY2(p.valid, qPrintable(p.error));
    QCOMPARE(p.fingerprint.size(), 16);
    const auto flagged = PlanInspector::flaggedNodes(p.root);
    QCOMPARE(int(flagged.size()), 1);
    QCOMPARE(flagged[0].node_type, QStringLiteral("Seq Scan"));
    QCOMPARE(flagged[0].relation, QStringLiteral("big"));
    QCOMPARE(flagged[0].schema, QStringLiteral("public"));
    QCOMPARE(flagged[0].filter_columns, QStringList{QStringLiteral("category")});
    QVERIFY(flagged[0].relation_rows >= 190000);
}

void TestPlanInspector::genericPlanForPlaceholders()
{
    PlanInspector inspector(m_conn);
    const QueryPlan p = inspector.explain(QStringLiteral("SELECT id FROM big WHERE category = $1 AND payload <> $2"));
    QVERIFY2(p.valid, qPrintable(p.error));
    const auto flagged = PlanInspector::flaggedNodes(p.root);
    QCOMPARE(int(flagged.size()), 1);
    QCOMPARE(flagged[0].relation, QStringLiteral("big"));
    QVERIFY(flagged[0].filter_columns.contains(QStringLiteral("category")));
    QVERIFY(flagged[0].filter_columns.contains(QStringLiteral("payload")));
    // No prepared statement outlives the inspection, also after a failing one.
    inspector.explain(QStringLiteral("SELECT $1")); // unknown parameter type: may fail, must not leak
    QVERIFY(!inspector.explain(QStringLiteral("SELECT * FROM no_such_table WHERE a = $1")).valid);
    const PgResultSet r = m_conn.query(QStringLiteral("SELECT count(*) FROM pg_prepared_statements"));
    QVERIFY(r.ok());
    QCOMPARE(r.value(0, 0), QStringLiteral("0"));
}

void TestPlanInspector::indexScanAndSmallTablesNotFlagged()
{
    PlanInspector inspector(m_conn);
    QueryPlan p = inspector.explain(QStringLiteral("SELECT * FROM big WHERE id = 5"));
    QVERIFY2(p.valid, qPrintable(p.error));
    QVERIFY(PlanInspector::flaggedNodes(p.root).empty());
    QVERIFY(p.root.node_type.startsWith(QLatin1String("Index")));
    QCOMPARE(p.root.index_name, QStringLiteral("big_pkey"));
    p = inspector.explain(QStringLiteral("SELECT * FROM small WHERE category = 3"));
    QVERIFY2(p.valid, qPrintable(p.error));
    QCOMPARE(p.root.node_type, QStringLiteral("Seq Scan"));
    QVERIFY(PlanInspector::flaggedNodes(p.root).empty());
}

void TestPlanInspector::analyzeOnlyOnOptIn()
{
    PlanInspector analyzing(m_conn, PlanInspector::Options{true, 10000});
    const QueryPlan ok = analyzing.explain(QStringLiteral("SELECT count(*) FROM small WHERE category = 1"));
    QVERIFY2(ok.valid, qPrintable(ok.error));
    QVERIFY(analyzing.explain(QStringLiteral("WITH c AS (SELECT 1) SELECT * FROM c"))
                .error.startsWith(QLatin1String("refused:")));
    QVERIFY(analyzing.explain(QStringLiteral("SELECT * FROM big WHERE id = $1"))
                .error.startsWith(QLatin1String("refused:")));
}

void TestPlanInspector::filterColumns_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("columns");
    QTest::newRow("qualified") << QStringLiteral("(big.category = 42)") << QStringList{QStringLiteral("category")};
    QTest::newRow("two") << QStringLiteral("((t.a > 1) AND (t.b = 'x'::text))")
                         << QStringList{QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("like") << QStringLiteral("(name ~~ '%eng%'::text)") << QStringList{QStringLiteral("name")};
    QTest::newRow("subplan fallback") << QStringLiteral("((c.x = 1) OR (hashed SubPlan 1))")
                                      << QStringList{QStringLiteral("x")};
}

void TestPlanInspector::filterColumns()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, columns);
    QCOMPARE(PlanInspector::filterColumns(filter), columns);
}

void TestPlanInspector::fullInspectionWritesNothing()
{
    const QString writesSql = QStringLiteral(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query ~* "
        "'^\\s*(/\\*.*?\\*/"
        "\\s*)?(insert|update|delete|merge|create|drop|alter|truncate|copy|grant|vacuum|analyze|cluster|reindex)'");
    const QString tupSql = QStringLiteral(
        "SELECT tup_inserted || '/' || tup_updated || '/' || tup_deleted FROM pg_stat_database WHERE datname = 'shop'");
    // The application wrote before (so there is something to see), then stops.
    const QString tupUntouched = m_server.queryValue(tupSql, QStringLiteral("shop"));
    QVERIFY(m_server.exec(
        QStringLiteral("INSERT INTO small VALUES (1000, 1); UPDATE small SET category = 2 WHERE id = 1000;"
                       "DELETE FROM small WHERE id = 1000"),
        QStringLiteral("shop")));
    // The writing session flushes its counters when it exits, a moment after exec() returns: wait for them.
    // Each of inserted/updated/deleted must have grown.
    const auto counted = [&] {
        const QStringList before = tupUntouched.split(QLatin1Char('/'));
        const QStringList now = m_server.queryValue(tupSql, QStringLiteral("shop")).split(QLatin1Char('/'));
        if (before.size() != 3 || now.size() != 3)
            return false;
        for (int i = 0; i < 3; ++i)
            if (now[i].toLongLong() <= before[i].toLongLong())
                return false;
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(counted(), 10000);
    const QString writesBefore = m_server.queryValue(writesSql, QStringLiteral("shop"));
    const QString tupBefore = m_server.queryValue(tupSql, QStringLiteral("shop"));
    QVERIFY(!tupBefore.isEmpty());

    {
        PgConnection conn;
        QVERIFY(conn.open(monitor()).ok());
        const DbCapabilities caps = PgCapabilities::check(conn);
        QCOMPARE(caps.pg_stat_statements, QStringLiteral("ok"));
        DbSampler sampler(monitor(), std::chrono::steady_clock::now(), DbSampler::Options{100, {}});
        QSignalSpy spy(&sampler, &DbSampler::sampleAvailable);
        sampler.start();
        const PgStatements::Snapshot before = PgStatements::snapshot(conn);
        QVERIFY(before.valid);
        PlanInspector inspector(conn);
        int planned = 0, refused = 0;
        for (const auto &[id, e] : before.entries) {
            const QueryPlan p = inspector.explain(e.text);
            planned += p.valid;
            refused += p.error.startsWith(QLatin1String("refused:"));
        }
        QVERIFY(refused >= 3); // the application's INSERT/UPDATE/DELETE texts
        QVERIFY(planned >= 1);
        for (const char *h : kHostile)
            QVERIFY(!inspector.explain(QString::fromUtf8(h)).valid);
        PlanInspector analyzing(conn, PlanInspector::Options{true, 10000});
        QVERIFY(analyzing.explain(QStringLiteral("SELECT count(*) FROM big WHERE category = 7")).valid);
        QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 3, 10000);
        sampler.stop();
        const PgStatements::Delta d = PgStatements::delta(before, PgStatements::snapshot(conn));
        QVERIFY(d.valid);
    }
    // Preflight's sessions are closed: a backend flushes its statistics before it leaves pg_stat_activity
    // (PostgreSQL 15+), so once they are gone every write they might have made is counted.
    QTRY_COMPARE_WITH_TIMEOUT(m_server.queryValue(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                                                                 "application_name = 'preflight' AND pid <> 0"),
                                                  QStringLiteral("shop")),
                              QStringLiteral("1") /* m_conn */, 10000);
    QCOMPARE(m_server.queryValue(writesSql, QStringLiteral("shop")), writesBefore);
    QCOMPARE(m_server.queryValue(tupSql, QStringLiteral("shop")), tupBefore);
}

QTEST_GUILESS_MAIN(TestPlanInspector)
#include "tst_planinspector.moc"
