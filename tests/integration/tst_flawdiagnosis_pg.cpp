// Diagnosis end to end on PostgreSQL (issues 4 and 6): each PostgreSQL flaw of the demo backend, driven by the
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

#include <algorithm>

namespace {

constexpr int kDemoTimeout_ms = 180000;   // one row is ~15 s; generous for two loaded cores

struct DemoRun
{
    int exitCode = -1;
    QJsonObject summary;
    QByteArray stderrTail;
    double elapsed_s = 0;
};

// Runs `preflight demo --headless --quiet --db conninfo` with these flaws and sweep and returns its JSON summary.
DemoRun runDemo(const QTemporaryDir &dir, const QString &flaw, const QString &levels, const QString &step,
                const QString &conninfo)
{
    DemoRun r;
    const QString json = dir.filePath(flaw + QStringLiteral(".json"));
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
#ifdef PREFLIGHT_DEMO_TARGET_BIN
    env.insert(QStringLiteral("PREFLIGHT_DEMO_TARGET"), QStringLiteral(PREFLIGHT_DEMO_TARGET_BIN));
#endif
    p.setProcessEnvironment(env);
    QElapsedTimer timer;
    timer.start();
    p.start(QStringLiteral(PREFLIGHT_BIN),
            {QStringLiteral("demo"), QStringLiteral("--headless"), QStringLiteral("--quiet"), QStringLiteral("--flaw"),
             flaw, QStringLiteral("--levels"), levels, QStringLiteral("--step"), step, QStringLiteral("--json"), json,
             QStringLiteral("--store"), dir.filePath(flaw + QStringLiteral(".sqlite")), QStringLiteral("--db"), conninfo});
    if (!p.waitForFinished(kDemoTimeout_ms)) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.elapsed_s = timer.elapsed() / 1000.0;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.stderrTail = p.readAllStandardError().right(2000);
    QFile f(json);
    if (f.open(QIODevice::ReadOnly))
        r.summary = QJsonDocument::fromJson(f.readAll()).object();
    return r;
}

QJsonArray findingsWithId(const QJsonObject &summary, const QString &id)
{
    QJsonArray out;
    for (const QJsonValue &v : summary.value(QStringLiteral("findings")).toArray())
        if (v.toObject().value(QStringLiteral("id")).toString() == id)
            out.append(v);
    return out;
}

QJsonObject finding(const QJsonObject &summary, const QString &id)
{
    return findingsWithId(summary, id).first().toObject();
}

// The first evidence value of that metric whose note contains noteContains; NaN if none.
double evidenceValue(const QJsonObject &finding, const QString &metric, const QString &noteContains = {})
{
    for (const QJsonValue &v : finding.value(QStringLiteral("evidence")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("metric")).toString() == metric
            && e.value(QStringLiteral("note")).toString().contains(noteContains))
            return e.value(QStringLiteral("value")).toDouble();
    }
    return qQNaN();
}

QJsonObject levelWithUsers(const QJsonObject &summary, int users)
{
    for (const QJsonValue &v : summary.value(QStringLiteral("levels")).toArray())
        if (v.toObject().value(QStringLiteral("users")).toDouble() == users)
            return v.toObject();
    return {};
}

QString describe(const QJsonObject &summary)
{
    QStringList lines;
    for (const QJsonValue &v : summary.value(QStringLiteral("findings")).toArray()) {
        const QJsonObject f = v.toObject();
        lines << QStringLiteral("  %1 [%2] %3").arg(f.value(QStringLiteral("id")).toString(),
                                                   f.value(QStringLiteral("severity")).toString(),
                                                   f.value(QStringLiteral("title")).toString());
    }
    for (const QJsonValue &v : summary.value(QStringLiteral("levels")).toArray()) {
        const QJsonObject l = v.toObject();
        lines << QStringLiteral("  level %1 users: %2 req/s, P %3, p50 %4 ms, errors %5, backends %6, pool in use %7")
                     .arg(l.value(QStringLiteral("users")).toDouble())
                     .arg(l.value(QStringLiteral("rps")).toDouble())
                     .arg(l.value(QStringLiteral("effective_parallelism")).toDouble())
                     .arg(l.value(QStringLiteral("latency_ms")).toObject().value(QStringLiteral("p50")).toDouble())
                     .arg(l.value(QStringLiteral("error_rate")).toDouble())
                     .arg(l.value(QStringLiteral("db_backends_max")).toInt(-1))
                     .arg(l.value(QStringLiteral("pool_in_use_max")).toInt(-1));
    }
    lines << QStringLiteral("  new backends/request %1")
                 .arg(summary.value(QStringLiteral("database")).toObject().value(QStringLiteral("new_backends_per_request")).toDouble(-1));
    lines << QStringLiteral("  verdict %1").arg(summary.value(QStringLiteral("verdict")).toString());
    return lines.join(QLatin1Char('\n'));
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

    PgTestServer m_pg{PgTestServer::Options{true, false, {}}};   // pg_stat_statements; no statement log
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
    qInfo("%s (%.1f s, exit %d):\n%s", qPrintable(flaw), run.elapsed_s, run.exitCode, qPrintable(describe(run.summary)));
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
    QCOMPARE(found.size(), 1);   // the profile endpoint only
    const QJsonObject f = found.first().toObject();
    QCOMPARE(f.value(QStringLiteral("endpoint")).toString(), QStringLiteral("customer profile"));
    QCOMPARE(f.value(QStringLiteral("title")).toString(),
             QStringLiteral("GET /api/admin/customers/{id} runs 1 + 3N queries"));
    const double n = evidenceValue(f, QStringLiteral("parent_rows_per_call"));
    QVERIFY2(n >= 18 && n <= 22, qPrintable(QString::number(n)));   // 18–22 appointments per customer

    double perRequest = -1;
    for (const QJsonValue &v : s.value(QStringLiteral("endpoints")).toArray())
        if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("customer profile"))
            perRequest = v.toObject().value(QStringLiteral("queries_per_request")).toDouble(-1);
    QVERIFY2(qAbs(perRequest - (1 + 3 * n)) <= 0.5, qPrintable(QStringLiteral("%1 vs 1 + 3×%2").arg(perRequest).arg(n)));

    int children = 0;
    for (const QJsonValue &v : s.value(QStringLiteral("queries")).toArray()) {
        const QJsonObject q = v.toObject();
        if (q.value(QStringLiteral("phase")).toString() != QLatin1String("profile")
            || q.value(QStringLiteral("endpoint")).toString() != QLatin1String("customer profile"))
            continue;
        const double calls = q.value(QStringLiteral("calls_per_request")).toDouble();
        if (calls >= 5) {
            ++children;
            QVERIFY2(qAbs(calls - n) <= 0.05 * n, qPrintable(q.value(QStringLiteral("text")).toString()));
        }
    }
    QCOMPARE(children, 3);   // services, payments, messages per appointment
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
        QVERIFY(evidenceValue(f, QStringLiteral("seq_scan_rows")) >= 100000);
        QVERIFY2(f.value(QStringLiteral("recommendation")).toString().contains(QStringLiteral("CREATE INDEX CONCURRENTLY")),
                 qPrintable(f.value(QStringLiteral("recommendation")).toString()));
        QCOMPARE(f.value(QStringLiteral("severity")).toString(), QStringLiteral("high"));
    }
    QVERIFY2(onOrders, "a missing-index finding names the orders table");
}

QTEST_GUILESS_MAIN(TestFlawDiagnosisPg)
#include "tst_flawdiagnosis_pg.moc"
