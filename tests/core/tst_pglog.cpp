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
    const auto stats = StatementLog::perRequest(statements, QStringLiteral("orders"), 0);
    QCOMPARE(int(stats.size()), 3);
    for (const QueryStat &q : stats) {
        QCOMPARE(q.requests, 2.0);
        QCOMPARE(q.phase, QStringLiteral("profile"));
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
    const auto stats = StatementLog::perRequest(statements, QString(), 2);
    QCOMPARE(int(stats.size()), 1);
    QCOMPARE(stats[0].calls, 2.0);
    QCOMPARE(stats[0].calls_per_request, 1.0);
    QCOMPARE(stats[0].total_ms, 1.0);
    QCOMPARE(stats[0].mean_ms, 0.5);
    QCOMPARE(stats[0].phase, QStringLiteral("log"));
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
    const QByteArray log = row("LOG", "duration: 1.5 ms  statement: SELECT \"name\", 'a,b'\nFROM users", "app") +
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

QTEST_GUILESS_MAIN(TestPgLog)
#include "tst_pglog.moc"
