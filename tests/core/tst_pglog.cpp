// StatementLog: statements per request from an application SQL log or a PostgreSQL server log.
#include "db/statementlog.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;

class TestPgLog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void appLogGroupsByRequestAndFingerprint();
    void stderrLogWithDurations();
    void stderrLogStatementAllAndMultiline();
    void csvLogSkipsPreflightSessions();
    void tailReadsOnlyWholeNewLines();
    void formatIsDetected_data();
    void formatIsDetected();
    void stderrPrefixNamesDatabaseAndApplication();
    void stderrPrefixThatMatchesNothingFallsBack();
    void csvLogKeepsTheTargetDatabase();
    void jsonLogKeepsTheTargetDatabase();
    void secretsAreRedacted_data();
    void secretsAreRedacted();
    void parsedTextsHoldNoSecret();
};

void TestPgLog::appLogGroupsByRequestAndFingerprint()
{
    // Two requests of a 1 + 2N endpoint with N = 2, literal values differing per line.
    const QByteArray log = "r1\tSELECT id FROM orders WHERE customer = 7\n"
                           "r1\tSELECT * FROM items WHERE order_id = 1\n"
                           "r1\tSELECT * FROM items WHERE order_id = 2\n"
                           "r1\tSELECT * FROM notes WHERE order_id = 1\n"
                           "r1\tSELECT * FROM notes WHERE order_id = 2\n"
                           "r2\tSELECT id FROM orders WHERE customer = 9\n"
                           "r2\tSELECT * FROM items WHERE order_id = 5\n"
                           "r2\tSELECT * FROM items WHERE order_id = 6\n"
                           "r2\tSELECT * FROM notes WHERE order_id = 5\n"
                           "r2\tselect *   from notes where order_id = 6\n"
                           "garbage line without a tab\n"
                           "r3\t/* preflight */ SELECT 1\n";
    const auto statements = StatementLog::parseAppLog(log);
    QCOMPARE(int(statements.size()), 10);
    const auto stats = StatementLog::perRequest(statements, 0, 0);
    QCOMPARE(int(stats.size()), 3);
    for (const QueryStat &q : stats) {
        QCOMPARE(q.requests, 2.0);
        QCOMPARE(q.phase, QueryPhase::Profile);
        QCOMPARE(q.endpoint, 0);
        QCOMPARE(q.fingerprint.size(), 16);
        QCOMPARE(q.calls_per_request, q.text.contains(QLatin1String("orders")) ? 1.0 : 2.0);
    }
}

void TestPgLog::stderrLogWithDurations()
{
    const QByteArray log =
        "2024-05-01 10:00:00.001 UTC [101] LOG:  duration: 0.250 ms  statement: SELECT * FROM t WHERE a = 1\n"
        "2024-05-01 10:00:00.002 UTC [101] LOG:  duration: 0.010 ms  parse <unnamed>: SELECT * FROM t WHERE a = $1\n"
        "2024-05-01 10:00:00.003 UTC [101] LOG:  duration: 0.010 ms  bind <unnamed>: SELECT * FROM t WHERE a = $1\n"
        "2024-05-01 10:00:00.004 UTC [101] DETAIL:  parameters: $1 = '5'\n"
        "2024-05-01 10:00:00.005 UTC [101] LOG:  duration: 0.750 ms  execute <unnamed>: SELECT * FROM t WHERE a = $1\n"
        "2024-05-01 10:00:00.006 UTC [102] LOG:  connection received: host=127.0.0.1 port=5555\n"
        "2024-05-01 10:00:00.007 UTC [103] LOG:  duration: 0.1 ms  statement: /* preflight */ SELECT 1\n";
    const auto statements = StatementLog::parsePostgresLog(log);
    QCOMPARE(int(statements.size()), 2);
    QCOMPARE(statements[0].fingerprint, statements[1].fingerprint);
    const auto stats = StatementLog::perRequest(statements, -1, 2);
    QCOMPARE(int(stats.size()), 1);
    QCOMPARE(stats[0].calls, 2.0);
    QCOMPARE(stats[0].calls_per_request, 1.0);
    QCOMPARE(stats[0].total_ms, 1.0);
    QCOMPARE(stats[0].mean_ms, 0.5);
    QCOMPARE(stats[0].phase, QueryPhase::Log);
}

void TestPgLog::stderrLogStatementAllAndMultiline()
{
    const QByteArray log = "2024-05-01 10:00:00.001 UTC [101] LOG:  statement: SELECT a,\n"
                           "\t       b\n"
                           "\tFROM t\n"
                           "2024-05-01 10:00:00.002 UTC [101] ERROR:  relation \"x\" does not exist\n"
                           "2024-05-01 10:00:00.003 UTC [101] STATEMENT:  SELECT * FROM x\n";
    const auto statements = StatementLog::parsePostgresLog(log);
    QCOMPARE(int(statements.size()), 1);
    QVERIFY(statements[0].sql.contains(QLatin1String("FROM t")));
    QCOMPARE(statements[0].duration_ms, -1.0);
    QVERIFY(!statements[0].fingerprint.isEmpty());
}

void TestPgLog::csvLogSkipsPreflightSessions()
{
    auto row = [](const char *severity, const char *message, const char *app) -> QByteArray {
        // 26 columns; message is 13, application_name 22
        QStringList f(26, QString());
        f[11] = QString::fromLatin1(severity);
        f[13] = QStringLiteral("\"") + QString::fromUtf8(message).replace(QLatin1String("\""), QLatin1String("\"\"")) +
                QStringLiteral("\"");
        f[22] = QString::fromLatin1(app);
        return f.join(QLatin1Char(',')).toUtf8() + '\n';
    };
    const QByteArray log =
        row("LOG", "duration: 1.5 ms  statement: SELECT \"name\", 'a,b'\nFROM users", "app") +
        row("LOG", "duration: 0.1 ms  statement: SELECT count(*) FROM pg_stat_activity", "preflight") +
        row("ERROR", "syntax error", "app");
    const auto statements = StatementLog::parsePostgresCsvLog(log);
    QCOMPARE(int(statements.size()), 1);
    QVERIFY(statements[0].sql.contains(QLatin1String("FROM users")));
    QCOMPARE(statements[0].duration_ms, 1.5);
}

void TestPgLog::tailReadsOnlyWholeNewLines()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("app.sql.log"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("old\tSELECT 1\n");
    f.flush();
    StatementLog tail(path);
    QCOMPARE(tail.readNew(), QByteArray());
    f.write("r1\tSELECT 2\nr2\tSELE");
    f.flush();
    QCOMPARE(tail.readNew(), QByteArray("r1\tSELECT 2\n"));
    f.write("CT 3\n");
    f.flush();
    QCOMPARE(tail.readNew(), QByteArray("r2\tSELECT 3\n"));
    f.resize(0); // rotation
    f.seek(0);
    f.write("r9\tSELECT 9\n");
    f.flush();
    QCOMPARE(tail.readNew(), QByteArray("r9\tSELECT 9\n"));
}

void TestPgLog::formatIsDetected_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("sample");
    QTest::addColumn<int>("format");
    using F = StatementLog::Format;
    QTest::newRow("csv by name") << QStringLiteral("/var/log/pg/postgresql.csv") << QByteArray() << int(F::PostgresCsv);
    QTest::newRow("json by name") << QStringLiteral("pg.json") << QByteArray() << int(F::PostgresJson);
    QTest::newRow("csv by content")
        << QStringLiteral("pg.log")
        << QByteArray("2024-05-01 10:00:00.001 UTC,\"app\",\"shop\",1,\"[local]\",x,1,\"SELECT\",,3/0,0,LOG,00000,"
                      "\"duration: 1 ms  statement: SELECT 1\",,,,,,,,,\"psql\",\"client backend\",,0\n")
        << int(F::PostgresCsv);
    QTest::newRow("json by content")
        << QStringLiteral("pg.log")
        << QByteArray(R"({"timestamp":"2024-05-01 10:00:00.001 UTC","error_severity":"LOG","message":"x"})"
                      "\n")
        << int(F::PostgresJson);
    QTest::newRow("stderr, default prefix")
        << QStringLiteral("server.log")
        << QByteArray("2024-05-01 10:00:00.001 UTC [101] LOG:  database system is ready to accept connections\n")
        << int(F::PostgresStderr);
    // The server's first line names the compiler after a comma: still stderr, not csvlog.
    QTest::newRow("stderr, comma in the first message")
        << QStringLiteral("log/pg.log")
        << QByteArray("2026-12-02 21:10:00.123 UTC [4211] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on "
                      "x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n")
        << int(F::PostgresStderr);
    QTest::newRow("stderr, continuation first")
        << QStringLiteral("server.log") << QByteArray("\tFROM t\nshop app ERROR:  boom\n") << int(F::PostgresStderr);
    QTest::newRow("app log") << QStringLiteral("sql.log") << QByteArray("r1\tSELECT 1\nr2\tSELECT 2\n")
                             << int(F::AppLog);
    QTest::newRow("empty") << QStringLiteral("sql.log") << QByteArray() << int(F::Unknown);
}

void TestPgLog::formatIsDetected()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, sample);
    QFETCH(int, format);
    QCOMPARE(int(StatementLog::detect(path, sample)), format);
}

void TestPgLog::stderrPrefixNamesDatabaseAndApplication()
{
    // log_line_prefix = '%m [%p] %q%u@%d/%a ': the database and application of every session line; the
    // postmaster's own lines stop at %q. An application name may hold spaces.
    const QString prefix = QStringLiteral("%m [%p] %q%u@%d/%a ");
    QVERIFY(StatementLog::prefixNamesDatabase(prefix));
    QVERIFY(StatementLog::prefixNamesApplication(prefix));
    QVERIFY(!StatementLog::prefixNamesDatabase(QStringLiteral("%m [%p] ")));
    QVERIFY(StatementLog::prefixNamesDatabase(QStringLiteral("%-10d|")));
    const QByteArray log =
        "2024-05-01 10:00:00.001 UTC [100] LOG:  checkpoint starting: time\n"
        "2024-05-01 10:00:00.002 UTC [101] app@shop/my app LOG:  duration: 0.5 ms  execute <unnamed>: SELECT * FROM t "
        "WHERE a = $1\n"
        "2024-05-01 10:00:00.003 UTC [101] app@shop/my app DETAIL:  parameters: $1 = '5'\n"
        "2024-05-01 10:00:00.004 UTC [102] app@other/my app LOG:  duration: 0.5 ms  statement: SELECT * FROM t WHERE a "
        "= 2\n"
        "2024-05-01 10:00:00.005 UTC [103] ro@shop/preflight LOG:  duration: 0.1 ms  execute <unnamed>: SELECT "
        "count(*) "
        "FROM pg_stat_activity\n"
        "2024-05-01 10:00:00.006 UTC [101] app@shop/my app LOG:  duration: 0.7 ms  statement: SELECT b\n"
        "\tFROM t WHERE a = 3\n";
    StatementLog::Filter filter;
    filter.database = QStringLiteral("shop");
    filter.line_prefix = prefix;
    const auto statements = StatementLog::parsePostgresLog(log, filter);
    QCOMPARE(int(statements.size()), 2);
    QCOMPARE(statements[0].database, QStringLiteral("shop"));
    QCOMPARE(statements[0].application, QStringLiteral("my app"));
    QCOMPARE(statements[0].duration_ms, 0.5);
    QCOMPARE(statements[1].sql, QStringLiteral("SELECT b\nFROM t WHERE a = 3"));
    // Without the prefix nothing names a database: every session's statements count, Preflight's marked ones aside.
    QCOMPARE(int(StatementLog::parsePostgresLog(log).size()), 4);
}

void TestPgLog::stderrPrefixThatMatchesNothingFallsBack()
{
    // A log written before log_line_prefix changed: read it as before, without database names.
    const QByteArray log = "2024-05-01 10:00:00.001 UTC [101] LOG:  statement: SELECT 1\n";
    StatementLog::Filter filter;
    filter.database = QStringLiteral("shop");
    filter.line_prefix = QStringLiteral("db=%d,app=%a ");
    const auto statements = StatementLog::parsePostgresLog(log, filter);
    QCOMPARE(int(statements.size()), 1);
    QVERIFY(statements[0].database.isNull());
}

void TestPgLog::csvLogKeepsTheTargetDatabase()
{
    auto row = [](const char *db, const char *message, const char *app) -> QByteArray {
        QStringList f(26, QString());
        f[0] = QStringLiteral("2024-05-01 10:00:00.001 UTC");
        f[2] = QString::fromLatin1(db);
        f[11] = QStringLiteral("LOG");
        f[13] = QStringLiteral("\"%1\"").arg(QString::fromLatin1(message));
        f[22] = QString::fromLatin1(app);
        return f.join(QLatin1Char(',')).toUtf8() + '\n';
    };
    const QByteArray log = row("shop", "duration: 1 ms  statement: SELECT 1", "app") +
                           row("other", "duration: 1 ms  statement: SELECT 2", "app") +
                           row("shop", "duration: 1 ms  execute <unnamed>: /* preflight */ SELECT 3", "");
    StatementLog::Filter filter;
    filter.database = QStringLiteral("shop");
    const auto statements = StatementLog::parsePostgresCsvLog(log, filter);
    QCOMPARE(int(statements.size()), 1);
    QCOMPARE(statements[0].sql, QStringLiteral("SELECT 1"));
    QCOMPARE(statements[0].application, QStringLiteral("app"));
    QCOMPARE(int(StatementLog::parsePostgresCsvLog(log).size()), 2);
}

void TestPgLog::jsonLogKeepsTheTargetDatabase()
{
    const QByteArray log =
        R"({"timestamp":"t","dbname":"shop","error_severity":"LOG","message":"duration: 2.5 ms  statement: SELECT 1","application_name":"app"})"
        "\n"
        R"({"timestamp":"t","dbname":"other","error_severity":"LOG","message":"duration: 1 ms  statement: SELECT 2"})"
        "\n"
        R"({"timestamp":"t","dbname":"shop","error_severity":"LOG","message":"duration: 1 ms  statement: SELECT 3","application_name":"preflight"})"
        "\n"
        R"({"timestamp":"t","dbname":"shop","error_severity":"ERROR","message":"syntax error"})"
        "\n";
    StatementLog::Filter filter;
    filter.database = QStringLiteral("shop");
    const auto statements = StatementLog::parse(StatementLog::Format::PostgresJson, log, filter);
    QCOMPARE(int(statements.size()), 1);
    QCOMPARE(statements[0].sql, QStringLiteral("SELECT 1"));
    QCOMPARE(statements[0].duration_ms, 2.5);
}

void TestPgLog::secretsAreRedacted_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("expected");
    QTest::newRow("dblink conninfo")
        << QStringLiteral("SELECT dblink_connect('host=db user=ro password=hunter2 dbname=shop')")
        << QStringLiteral("SELECT dblink_connect('host=db user=ro password=*** dbname=shop')");
    QTest::newRow("quoted conninfo value") << QStringLiteral("SELECT dblink_connect('password=''hunter 2'' host=db')")
                                           << QStringLiteral("SELECT dblink_connect('password=''***'' host=db')");
    QTest::newRow("uri") << QStringLiteral("SELECT dblink_connect('postgresql://ro:hunter2@db/shop')")
                         << QStringLiteral("SELECT dblink_connect('postgresql://ro:***@db/shop')");
    QTest::newRow("role") << QStringLiteral("ALTER ROLE ro WITH ENCRYPTED PASSWORD 'hunter2'")
                          << QStringLiteral("ALTER ROLE ro WITH ENCRYPTED PASSWORD '***'");
    QTest::newRow("column") << QStringLiteral("UPDATE users SET password = 'hunter2' WHERE id = 1")
                            << QStringLiteral("UPDATE users SET password = '***' WHERE id = 1");
    QTest::newRow("nothing") << QStringLiteral("SELECT password_hash FROM users WHERE id = 1")
                             << QStringLiteral("SELECT password_hash FROM users WHERE id = 1");
}

void TestPgLog::secretsAreRedacted()
{
    QFETCH(QString, sql);
    QFETCH(QString, expected);
    QCOMPARE(StatementLog::redactSecrets(sql), expected);
}

void TestPgLog::parsedTextsHoldNoSecret()
{
    // Whatever the source, a parsed statement carries no password; the fingerprint still groups by shape.
    const QByteArray stderrLog =
        "2024-05-01 10:00:00.001 UTC [101] LOG:  statement: SELECT dblink_connect('host=db password=hunter2')\n"
        "2024-05-01 10:00:00.002 UTC [101] LOG:  statement: SELECT dblink_connect('host=db password=other')\n";
    const auto statements = StatementLog::parsePostgresLog(stderrLog);
    QCOMPARE(int(statements.size()), 2);
    QCOMPARE(statements[0].fingerprint, statements[1].fingerprint);
    const auto app = StatementLog::parseAppLog("r1\tSELECT dblink_connect('password=hunter2')\n");
    QCOMPARE(int(app.size()), 1);
    for (const auto &s : {statements[0], statements[1], app[0]})
        QVERIFY2(!s.sql.contains(QLatin1String("hunter2")) && !s.sql.contains(QLatin1String("other")),
                 qPrintable(s.sql));
}

QTEST_GUILESS_MAIN(TestPgLog)
#include "tst_pglog.moc"
