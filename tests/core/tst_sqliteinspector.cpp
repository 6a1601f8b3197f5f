// SqliteInspector on a live SQLite file: read-only inspection never makes the application's writer fail.
#include "db/dbsampler.h"
#include "db/sqliteinspector.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <atomic>
#include <thread>

using namespace Preflight;

namespace {
bool execAll(sqlite3 *db, const char *sql)
{
    char *err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (err) {
        qWarning("sqlite: %s", err);
        sqlite3_free(err);
    }
    return rc == SQLITE_OK;
}

bool createDb(const QString &path, const char *journalMode)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open(QFile::encodeName(path).constData(), &db) != SQLITE_OK)
        return false;
    const QByteArray mode = QByteArray("PRAGMA journal_mode=") + journalMode;
    const bool ok = execAll(db, mode.constData()) &&
                    execAll(db, "CREATE TABLE big(id INTEGER PRIMARY KEY, category INTEGER, payload TEXT);"
                                "CREATE TABLE small(id INTEGER, name TEXT);"
                                "CREATE INDEX small_name ON small(name);"
                                "CREATE TABLE events(id INTEGER PRIMARY KEY, at INTEGER, note TEXT);"
                                "BEGIN;"
                                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000) "
                                "INSERT INTO big SELECT n, n % 100, 'x' FROM g;"
                                "INSERT INTO small VALUES (1, 'a'), (2, 'b');"
                                "COMMIT;");
    sqlite3_close(db);
    return ok;
}
} // namespace

class TestSqliteInspector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void journalModeFromHeader();
    void capabilitiesAndTables();
    void scanOfLargeTableFlagged();
    void writesAndMultipleStatementsRefused_data();
    void writesAndMultipleStatementsRefused();
    void writerNeverBusyWhileInspecting();
    void samplerReportsWalBytes();

private:
    QTemporaryDir m_dir;
    QString m_wal;
    QString m_rollback;
};

void TestSqliteInspector::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_wal = m_dir.filePath(QStringLiteral("app-wal.db"));
    m_rollback = m_dir.filePath(QStringLiteral("app-rollback.db"));
    QVERIFY(createDb(m_wal, "WAL"));
    QVERIFY(createDb(m_rollback, "DELETE"));
}

void TestSqliteInspector::journalModeFromHeader()
{
    QCOMPARE(SqliteInspector::journalModeFromHeader(m_wal), QStringLiteral("wal"));
    QCOMPARE(SqliteInspector::journalModeFromHeader(QStringLiteral("sqlite:") + m_rollback),
             QStringLiteral("rollback"));
    QCOMPARE(SqliteInspector::journalModeFromHeader(m_dir.filePath(QStringLiteral("nope.db"))), QString());
}

void TestSqliteInspector::capabilitiesAndTables()
{
    SqliteInspector inspector;
    const DbError e = inspector.open(QStringLiteral("sqlite:") + m_wal);
    QVERIFY2(e.ok(), qPrintable(e.message));
    const DbCapabilities caps = inspector.capabilities();
    QCOMPARE(caps.kind, QStringLiteral("sqlite"));
    QCOMPARE(caps.journal_mode, QStringLiteral("wal"));
    QCOMPARE(caps.page_size, 4096);
    QVERIFY(caps.file_bytes > 0);
    const auto tables = inspector.tables();
    QCOMPARE(int(tables.size()), 3);
    for (const auto &t : tables) {
        if (t.name == QLatin1String("big")) {
            QCOMPARE(t.rows, 20000);
            QVERIFY(t.indexes.isEmpty());
        } else if (t.name == QLatin1String("small")) {
            QCOMPARE(t.rows, 2);
            QCOMPARE(t.indexes, QStringList{QStringLiteral("small_name")});
        }
    }
    SqliteInspector rollback;
    QVERIFY(rollback.open(m_rollback).ok());
    const DbCapabilities rc = rollback.capabilities();
    QCOMPARE(rc.journal_mode, QStringLiteral("rollback"));
    QVERIFY(!rc.warnings.isEmpty());

    SqliteInspector missing;
    QCOMPARE(missing.open(m_dir.filePath(QStringLiteral("nope.db"))).kind, DbError::Kind::Config);
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("nope.db")))); // read-only: never created
}

void TestSqliteInspector::scanOfLargeTableFlagged()
{
    SqliteInspector inspector;
    QVERIFY(inspector.open(m_wal).ok());
    QueryPlan p = inspector.explainQueryPlan(QStringLiteral("SELECT * FROM big WHERE category = 7"));
    QVERIFY2(p.valid, qPrintable(p.error));
    QCOMPARE(int(p.root.children.size()), 1);
    const PlanNode &scan = p.root.children.front();
    QCOMPARE(scan.node_type, QStringLiteral("SCAN"));
    QCOMPARE(scan.relation, QStringLiteral("big"));
    QCOMPARE(scan.relation_rows, 20000.0);
    QVERIFY(scan.flagged);

    p = inspector.explainQueryPlan(QStringLiteral("SELECT * FROM big WHERE id = 7"));
    QVERIFY2(p.valid, qPrintable(p.error));
    QCOMPARE(p.root.children.front().node_type, QStringLiteral("SEARCH"));
    QVERIFY(!p.root.children.front().flagged);

    p = inspector.explainQueryPlan(QStringLiteral("SELECT * FROM small WHERE id = 1")); // small: a scan is fine
    QVERIFY(p.valid);
    QVERIFY(!p.root.children.front().flagged);
}

void TestSqliteInspector::writesAndMultipleStatementsRefused_data()
{
    QTest::addColumn<QString>("sql");
    QTest::newRow("delete") << QStringLiteral("DELETE FROM big");
    QTest::newRow("insert") << QStringLiteral("INSERT INTO small VALUES (3, 'c')");
    QTest::newRow("two statements") << QStringLiteral("SELECT 1; DELETE FROM big");
    QTest::newRow("comment hides second") << QStringLiteral("SELECT 1 /* x */; DROP TABLE big");
    QTest::newRow("ddl") << QStringLiteral("CREATE TABLE x(a)");
    QTest::newRow("pragma") << QStringLiteral("PRAGMA journal_mode=DELETE");
    QTest::newRow("attach") << QStringLiteral("ATTACH DATABASE '/tmp/zz.db' AS zz");
    QTest::newRow("vacuum") << QStringLiteral("VACUUM");
    QTest::newRow("garbage") << QStringLiteral("SELEC 1");
}

void TestSqliteInspector::writesAndMultipleStatementsRefused()
{
    QFETCH(QString, sql);
    SqliteInspector inspector;
    QVERIFY(inspector.open(m_wal).ok());
    const QueryPlan p = inspector.explainQueryPlan(sql);
    QVERIFY(!p.valid);
    QVERIFY2(p.error.startsWith(QLatin1String("refused")), qPrintable(p.error));
    SqliteInspector check;
    QVERIFY(check.open(m_wal).ok());
    for (const auto &t : check.tables())
        if (t.name == QLatin1String("big"))
            QCOMPARE(t.rows, 20000);
}

void TestSqliteInspector::writerNeverBusyWhileInspecting()
{
    std::atomic<bool> stop{false};
    std::atomic<int> commits{0}, busy{0}, otherErrors{0};
    std::thread writer([&] {
        sqlite3 *db = nullptr;
        sqlite3_open(QFile::encodeName(m_wal).constData(), &db);
        sqlite3_busy_timeout(db, 2000);
        int i = 0;
        while (!stop) {
            const QByteArray sql =
                "BEGIN IMMEDIATE; INSERT INTO events(at, note) VALUES (" + QByteArray::number(++i) + ", 'ev'); COMMIT;";
            const int rc = sqlite3_exec(db, sql.constData(), nullptr, nullptr, nullptr);
            if (rc == SQLITE_OK) {
                ++commits;
            } else {
                (rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? busy : otherErrors)++;
                sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            }
        }
        sqlite3_close(db);
    });
    SqliteInspector inspector;
    QVERIFY(inspector.open(m_wal).ok());
    qint64 maxWal = 0;
    int inspections = 0;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 1500 || inspections < 5) {
        inspector.tables();
        QVERIFY(inspector.explainQueryPlan(QStringLiteral("SELECT count(*) FROM events WHERE note = 'ev'")).valid);
        maxWal = qMax(maxWal, inspector.sample(0).wal_bytes);
        ++inspections;
    }
    stop = true;
    writer.join();
    QVERIFY(commits > 0);
    QCOMPARE(busy.load(), 0);
    QCOMPARE(otherErrors.load(), 0);
    // Short reads let the writer's automatic checkpoints (every ~1000 pages) recycle the WAL.
    QVERIFY2(maxWal < 32 * 1024 * 1024, qPrintable(QString::number(maxWal)));
    qInfo("writer commits %d, inspections %d, max WAL %lld bytes", commits.load(), inspections, maxWal);
}

void TestSqliteInspector::samplerReportsWalBytes()
{
    DbSampler sampler(QStringLiteral("sqlite:") + m_wal, std::chrono::steady_clock::now(), DbSampler::Options{100, {}});
    QSignalSpy spy(&sampler, &DbSampler::sampleAvailable);
    sampler.start();
    QTRY_VERIFY_WITH_TIMEOUT(spy.count() >= 2, 10000);
    sampler.stop();
    const DbSample s = spy.last().at(0).value<DbSample>();
    QVERIFY(s.wal_bytes >= 0);
    QVERIFY(s.t_s > 0);
}

QTEST_GUILESS_MAIN(TestSqliteInspector)
#include "tst_sqliteinspector.moc"
