// Diagnosis end to end on PostgreSQL (docs/diagnosis.md): each PostgreSQL flaw of the demo backend, driven by the
// real `preflight demo --headless --db` against a throwaway PostgreSQL 15 with pg_stat_statements, is named by
// its expected finding with the right parameters (k = 15 for the small pool, 1 + 3N for the profile endpoint),
// and its signature shows in what Preflight's own engine and samplers measured: one app backend for the single
// connection, backends plateauing at 15 for the small pool, about one new backend per request without pooling.
// One server for all rows; each row gets a fresh database for the demo to seed. SQLite flaws:
// tst_flawdiagnosis.cpp. The expected table is docs/diagnosis.md "Expected results".
//
// No absolute timing is asserted: throughput is compared as ratios between levels of the same run.
#include "pgserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "demosummary.h"

#include <algorithm>

namespace {

using namespace PreflightTest;

DemoRun runDemo(const QTemporaryDir &dir, const QString &flaw, const QString &levels, const QString &step,
                const QString &conninfo)
{
#ifdef PREFLIGHT_DEMO_TARGET_BIN
    const QString demoTarget = QStringLiteral(PREFLIGHT_DEMO_TARGET_BIN);
#else
    const QString demoTarget;
#endif
    return runHeadlessDemo(QStringLiteral(PREFLIGHT_BIN), demoTarget, dir, flaw, levels, step, conninfo);
}

} // namespace

class TestFlawDiagnosisPg : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void flawIsNamed_data();
    void flawIsNamed();

private:
    void checkSingleConnection(const QJsonObject &s);
    void checkSmallPool(const QJsonObject &s);
    void checkConnPerRequest(const QJsonObject &s);
    void checkNPlusOne(const QJsonObject &s);
    void checkMissingIndex(const QJsonObject &s);

    PgTestServer m_pg{PgTestServer::Options{true, false, {}}}; // pg_stat_statements; no statement log
    QTemporaryDir m_dir;
    int m_databases = 0;
};

void TestFlawDiagnosisPg::initTestCase()
{
#ifndef PREFLIGHT_DEMO_TARGET_BIN
    QSKIP("preflight-demo-target is not built in this configuration");
#endif
    QVERIFY(m_dir.isValid());
    PREFLIGHT_START_PG(m_pg);
}

void TestFlawDiagnosisPg::flawIsNamed_data()
{
    QTest::addColumn<QString>("flaw");
    QTest::addColumn<QString>("levels");
    QTest::addColumn<QString>("step");
    QTest::addColumn<QStringList>("expected");

    // Levels and step per flaw: enough to show the signature, about 15 s a row.
    QTest::newRow("single-connection") << QStringLiteral("single-connection") << QStringLiteral("1,5,20")
                                       << QStringLiteral("2") << QStringList{QStringLiteral("single-connection")};
    // More users than the pool's 5 + 10 connections, long enough for the queue to build.
    QTest::newRow("small-pool") << QStringLiteral("small-pool") << QStringLiteral("1,20,40") << QStringLiteral("3")
                                << QStringList{QStringLiteral("pool-exhaustion")};
    QTest::newRow("conn-per-request") << QStringLiteral("conn-per-request") << QStringLiteral("1,5,20")
                                      << QStringLiteral("2") << QStringList{QStringLiteral("connection-churn")};
    QTest::newRow("n-plus-one") << QStringLiteral("n-plus-one") << QStringLiteral("1,5") << QStringLiteral("2")
                                << QStringList{QStringLiteral("n-plus-one")};
    QTest::newRow("missing-index") << QStringLiteral("missing-index") << QStringLiteral("1,5") << QStringLiteral("2")
                                   << QStringList{QStringLiteral("missing-index")};
}

void TestFlawDiagnosisPg::flawIsNamed()
{
    QFETCH(QString, flaw);
    QFETCH(QString, levels);
    QFETCH(QString, step);
    QFETCH(QStringList, expected);

    // A fresh database per row: the demo drops and recreates its tables, and the statistics start at zero.
    const QString db = QStringLiteral("flaw_%1").arg(++m_databases);
    QString error;
    QVERIFY2(m_pg.createDatabase(db, QString(), &error), qPrintable(error));
    QVERIFY2(m_pg.exec(QStringLiteral("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"), db, &error),
             qPrintable(error));

    const DemoRun run = runDemo(m_dir, flaw, levels, step, m_pg.conninfo(db));
    QVERIFY2(!run.summary.isEmpty(), run.stderrTail.constData());
    qInfo("%s (%.1f s, exit %d):\n%s", qPrintable(flaw), run.elapsed_s, run.exitCode,
          qPrintable(describeSummary(run.summary)));
    QVERIFY2(run.exitCode == 0 || run.exitCode == 1, run.stderrTail.constData());
    QCOMPARE(run.summary.value(QStringLiteral("run")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("completed"));
    const QJsonObject database = run.summary.value(QStringLiteral("database")).toObject();
    QCOMPARE(database.value(QStringLiteral("kind")).toString(), QStringLiteral("postgresql"));
    QCOMPARE(database.value(QStringLiteral("pg_stat_statements")).toString(), QStringLiteral("ok"));
    for (const QString &id : expected)
        QVERIFY2(!findingsWithId(run.summary, id).isEmpty(), qPrintable(id + QStringLiteral(" expected")));

    if (flaw == QLatin1String("single-connection"))
        checkSingleConnection(run.summary);
    else if (flaw == QLatin1String("small-pool"))
        checkSmallPool(run.summary);
    else if (flaw == QLatin1String("conn-per-request"))
        checkConnPerRequest(run.summary);
    else if (flaw == QLatin1String("n-plus-one"))
        checkNPlusOne(run.summary);
    else if (flaw == QLatin1String("missing-index"))
        checkMissingIndex(run.summary);
}

// One shared connection: about one request in service at a time, and the database sees one app session.
void TestFlawDiagnosisPg::checkSingleConnection(const QJsonObject &s)
{
    const QJsonObject f = finding(s, QStringLiteral("single-connection"));
    QVERIFY(evidenceValue(f, QStringLiteral("effective_parallelism")) <= 1.5);
    QVERIFY(f.value(QStringLiteral("confidence")).toDouble() >= 0.9);
    for (int users : {5, 20}) {
        const QJsonObject level = levelWithUsers(s, users);
        QVERIFY(level.value(QStringLiteral("effective_parallelism")).toDouble() <= 1.5);
        QVERIFY(level.value(QStringLiteral("db_backends_max")).isDouble());
        QVERIFY(level.value(QStringLiteral("db_backends_max")).toInt() <= 1);
    }
    const double at5 = levelWithUsers(s, 5).value(QStringLiteral("rps")).toDouble();
    const double at20 = levelWithUsers(s, 20).value(QStringLiteral("rps")).toDouble();
    QVERIFY(at5 > 0);
    QVERIFY2(at20 / at5 < 1.5, "throughput must stay flat from 5 to 20 users");
}

// Pool of 5 + 10: requests queue behind 15 connections; the database's app backends plateau at 15.
void TestFlawDiagnosisPg::checkSmallPool(const QJsonObject &s)
{
    const QJsonObject f = finding(s, QStringLiteral("pool-exhaustion"));
    QCOMPARE(f.value(QStringLiteral("title")).toString(), QStringLiteral("Pool ceiling of 15 connections reached"));
    QCOMPARE(evidenceValue(f, QStringLiteral("pool_size")), 15.0);
    int peak = -1;
    for (const QJsonValue &v : s.value(QStringLiteral("levels")).toArray())
        peak = std::max(peak, v.toObject().value(QStringLiteral("db_backends_max")).toInt(-1));
    QCOMPARE(peak, 15);
    // The plateau: the two levels above the pool both sit at (about) 15 backends, never above.
    for (int users : {20, 40}) {
        const int backends = levelWithUsers(s, users).value(QStringLiteral("db_backends_max")).toInt(-1);
        QVERIFY2(backends >= 14 && backends <= 15, qPrintable(QString::number(backends)));
    }
}

// No pooling: about one new database session per request.
void TestFlawDiagnosisPg::checkConnPerRequest(const QJsonObject &s)
{
    const QJsonObject f = finding(s, QStringLiteral("connection-churn"));
    const double perRequest = evidenceValue(f, QStringLiteral("new_backends_per_request"));
    QVERIFY2(perRequest >= 0.8 && perRequest <= 1.2, qPrintable(QString::number(perRequest)));
    QCOMPARE(f.value(QStringLiteral("severity")).toString(), QStringLiteral("high"));
    // There is no pool: the few sessions open at once are not a pool ceiling.
    QVERIFY2(findingsWithId(s, QStringLiteral("pool-exhaustion")).isEmpty(),
             qPrintable(finding(s, QStringLiteral("pool-exhaustion")).value(QStringLiteral("title")).toString()));
}

// The profile endpoint runs 1 + 3N statements: one parent returning N appointments, three children N times each.
void TestFlawDiagnosisPg::checkNPlusOne(const QJsonObject &s)
{
    const QJsonArray found = findingsWithId(s, QStringLiteral("n-plus-one"));
    QCOMPARE(found.size(), 1); // the profile endpoint only
    const QJsonObject f = found.first().toObject();
    QCOMPARE(f.value(QStringLiteral("endpoint")).toString(), QStringLiteral("customer profile"));
    QCOMPARE(f.value(QStringLiteral("title")).toString(),
             QStringLiteral("GET /api/admin/customers/{id} runs 1 + 3N queries"));
    const double n = evidenceValue(f, QStringLiteral("parent_rows_per_call"));
    QVERIFY2(n >= 18 && n <= 22, qPrintable(QString::number(n))); // 18–22 appointments per customer

    double perRequest = -1;
    for (const QJsonValue &v : s.value(QStringLiteral("endpoints")).toArray())
        if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("customer profile"))
            perRequest = v.toObject().value(QStringLiteral("queries_per_request")).toDouble(-1);
    QVERIFY2(qAbs(perRequest - (1 + 3 * n)) <= 0.5,
             qPrintable(QStringLiteral("%1 vs 1 + 3×%2").arg(perRequest).arg(n)));

    int children = 0;
    for (const QJsonValue &v : s.value(QStringLiteral("queries")).toArray()) {
        const QJsonObject q = v.toObject();
        if (q.value(QStringLiteral("phase")).toString() != QLatin1String("profile") ||
            q.value(QStringLiteral("endpoint")).toString() != QLatin1String("customer profile"))
            continue;
        const double calls = q.value(QStringLiteral("calls_per_request")).toDouble();
        if (calls >= 5) {
            ++children;
            QVERIFY2(qAbs(calls - n) <= 0.05 * n, qPrintable(q.value(QStringLiteral("text")).toString()));
        }
    }
    QCOMPARE(children, 3); // services, payments, messages per appointment
}

// No index on orders(customer_id, …): the plan scans the whole orders table with a filter on customer_id.
void TestFlawDiagnosisPg::checkMissingIndex(const QJsonObject &s)
{
    bool onOrders = false;
    for (const QJsonValue &v : findingsWithId(s, QStringLiteral("missing-index"))) {
        const QJsonObject f = v.toObject();
        const QString title = f.value(QStringLiteral("title")).toString();
        if (!title.contains(QStringLiteral("orders")))
            continue;
        onOrders = true;
        QVERIFY2(title.contains(QStringLiteral("customer_id")), qPrintable(title));
        QVERIFY(evidenceValue(f, QStringLiteral("relation_rows")) >= 100000);
        QVERIFY2(
            f.value(QStringLiteral("recommendation")).toString().contains(QStringLiteral("CREATE INDEX CONCURRENTLY")),
            qPrintable(f.value(QStringLiteral("recommendation")).toString()));
        QCOMPARE(f.value(QStringLiteral("severity")).toString(), QStringLiteral("high"));
    }
    QVERIFY2(onOrders, "a missing-index finding names the orders table");
}

QTEST_GUILESS_MAIN(TestFlawDiagnosisPg)
#include "tst_flawdiagnosis_pg.moc"
