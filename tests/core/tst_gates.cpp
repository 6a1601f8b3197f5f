// Launch gates: presets on boundary values, custom JSON and its errors, live evaluation.
#include "diagnosis/gates.h"
#include "syntheticrun.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;

namespace {

LevelSummary level(double users, double p50, double p95, double p99, double errorRate, double okRps)
{
    LevelSummary l;
    l.users = users;
    l.requests = 10000;
    l.p50_ms = p50;
    l.p95_ms = p95;
    l.p99_ms = p99;
    l.error_rate = errorRate;
    l.success_rate = 1 - errorRate;
    l.ok_rps = okRps;
    l.rps = okRps;
    return l;
}

const GateCheck *check(const std::vector<GateCheck> &checks, const QString &id)
{
    for (const GateCheck &c : checks)
        if (c.id == id)
            return &c;
    return nullptr;
}

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

} // namespace

class TestGates : public QObject
{
    Q_OBJECT
private slots:
    void presetsMatchTheDesign()
    {
        const auto launch = GateSet::preset(QStringLiteral("launch"));
        QVERIFY(launch);
        QStringList ids;
        for (const GateSpec &g : launch->checks())
            ids << g.id;
        QCOMPARE(ids.join(QLatin1Char(' ')),
                 QStringLiteral("p95_ms p99_ms error_rate min_rps no_finding:pool-exhaustion"));
        const auto revised = GateSet::preset(QStringLiteral("revised"));
        QVERIFY(revised);
        ids.clear();
        for (const GateSpec &g : revised->checks())
            ids << g.id;
        QCOMPARE(ids.join(QLatin1Char(' ')),
                 QStringLiteral("p50_ms p95_ms p99_ms success_rate success_rate_2x timeout_rate min_rps"));
        QVERIFY(!GateSet::preset(QStringLiteral("lunch")));
        QCOMPARE(launch->checks()[0].label(), QString::fromUtf8("P95 ≤ 120 ms"));
        QCOMPARE(launch->checks()[2].label(), QStringLiteral("error rate < 0.1%"));
    }

    void boundaries_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("p50");
        QTest::addColumn<double>("p95");
        QTest::addColumn<double>("p99");
        QTest::addColumn<double>("errorRate");
        QTest::addColumn<double>("okRps");
        QTest::addColumn<bool>("pass");
        // launch: P95 ≤ 120 · P99 ≤ 200 · error < 0.1% · ≥ 50 req/s
        QTest::newRow("launch P95 = 120 passes") << "launch"
                                                 << "p95_ms" << 10.0 << 120.0 << 150.0 << 0.0 << 60.0 << true;
        QTest::newRow("launch P95 = 120.1 fails") << "launch"
                                                  << "p95_ms" << 10.0 << 120.1 << 150.0 << 0.0 << 60.0 << false;
        QTest::newRow("launch P99 = 200 passes") << "launch"
                                                 << "p99_ms" << 10.0 << 100.0 << 200.0 << 0.0 << 60.0 << true;
        QTest::newRow("launch P99 = 201 fails") << "launch"
                                                << "p99_ms" << 10.0 << 100.0 << 201.0 << 0.0 << 60.0 << false;
        QTest::newRow("launch error 0.1% fails") << "launch"
                                                 << "error_rate" << 10.0 << 100.0 << 150.0 << 0.001 << 60.0 << false;
        QTest::newRow("launch error 0.09% passes") << "launch"
                                                   << "error_rate" << 10.0 << 100.0 << 150.0 << 0.0009 << 60.0 << true;
        QTest::newRow("launch 50 req/s passes") << "launch"
                                                << "min_rps" << 10.0 << 100.0 << 150.0 << 0.0 << 50.0 << true;
        QTest::newRow("launch 49.9 req/s fails") << "launch"
                                                 << "min_rps" << 10.0 << 100.0 << 150.0 << 0.0 << 49.9 << false;
        // revised: P50 < 50 · P95 < 200 · P99 < 500 · success > 99% · ≥ 100 req/s
        QTest::newRow("revised P50 = 50 fails") << "revised"
                                                << "p50_ms" << 50.0 << 100.0 << 150.0 << 0.0 << 200.0 << false;
        QTest::newRow("revised P50 = 49.9 passes") << "revised"
                                                   << "p50_ms" << 49.9 << 100.0 << 150.0 << 0.0 << 200.0 << true;
        QTest::newRow("revised P95 = 200 fails") << "revised"
                                                 << "p95_ms" << 10.0 << 200.0 << 250.0 << 0.0 << 200.0 << false;
        QTest::newRow("revised P99 = 499 passes") << "revised"
                                                  << "p99_ms" << 10.0 << 100.0 << 499.0 << 0.0 << 200.0 << true;
        QTest::newRow("revised success 99% fails")
            << "revised"
            << "success_rate" << 10.0 << 100.0 << 150.0 << 0.01 << 200.0 << false;
        QTest::newRow("revised success 99.1% passes")
            << "revised"
            << "success_rate" << 10.0 << 100.0 << 150.0 << 0.009 << 200.0 << true;
        QTest::newRow("revised 100 req/s passes") << "revised"
                                                  << "min_rps" << 10.0 << 100.0 << 150.0 << 0.0 << 100.0 << true;
    }
    void boundaries()
    {
        QFETCH(QString, preset);
        QFETCH(QString, id);
        QFETCH(double, p50);
        QFETCH(double, p95);
        QFETCH(double, p99);
        QFETCH(double, errorRate);
        QFETCH(double, okRps);
        QFETCH(bool, pass);
        const GateSet gates = *GateSet::preset(preset);
        const std::vector<LevelSummary> levels{level(10, p50, p95, p99, errorRate, okRps)};
        const auto checks = gates.evaluate(RunData{}, levels, {});
        const GateCheck *c = check(checks, id);
        QVERIFY(c);
        QVERIFY(c->measured);
        QCOMPARE(c->pass, pass);
        QVERIFY(c->note.contains(QLatin1String("10 users")) || id == QLatin1String("min_rps"));
    }

    void expectedLevelAndTwiceLoad()
    {
        GateSet gates = *GateSet::preset(QStringLiteral("revised"));
        std::vector<LevelSummary> levels{level(10, 10, 50, 80, 0, 500), level(20, 20, 90, 150, 0.004, 800),
                                         level(50, 60, 300, 600, 0.2, 700)};
        // Without an expected load: the highest level is judged, and there is no 2× level.
        auto checks = gates.evaluate(RunData{}, levels, {});
        QVERIFY(check(checks, QStringLiteral("p50_ms"))->note.contains(QLatin1String("50 users")));
        QVERIFY(!check(checks, QStringLiteral("success_rate_2x"))->measured);
        // Expected 20 users: judged at 20, 2× at 50 (success 80% < 95%).
        gates.setExpectedLoad(20, -1);
        checks = gates.evaluate(RunData{}, levels, {});
        QVERIFY(check(checks, QStringLiteral("p50_ms"))->pass);
        QVERIFY(check(checks, QStringLiteral("success_rate"))->pass);
        const GateCheck *twice = check(checks, QStringLiteral("success_rate_2x"));
        QVERIFY(twice->measured && !twice->pass);
        QCOMPARE(twice->value, 0.8);
        // Expected load never reached: unmeasured, not passed.
        gates.setExpectedLoad(100, -1);
        checks = gates.evaluate(RunData{}, levels, {});
        QVERIFY(!check(checks, QStringLiteral("p95_ms"))->measured);
        QVERIFY(!GateSet::allPass(checks));
    }

    void openModelSustainsItsRate()
    {
        LevelSummary l = level(0, 5, 10, 20, 0, 49.8);
        l.open_model = true;
        l.rate = 50;
        const auto checks = GateSet::preset(QStringLiteral("launch"))->evaluate(RunData{}, {l}, {});
        const GateCheck *c = check(checks, QStringLiteral("min_rps"));
        QVERIFY(c->pass);
        QCOMPARE(c->value, 50.0);
    }

    void noFindingChecks()
    {
        Finding f;
        f.id = QStringLiteral("pool-exhaustion");
        const auto gates = *GateSet::preset(QStringLiteral("launch"));
        const std::vector<LevelSummary> levels{level(10, 10, 50, 80, 0, 500)};
        QVERIFY(GateSet::allPass(gates.evaluate(RunData{}, levels, {})));
        const auto checks = gates.evaluate(RunData{}, levels, {f});
        QVERIFY(!check(checks, QStringLiteral("no_finding:pool-exhaustion"))->pass);
        QVERIFY(!GateSet::allPass(checks));
    }

    void customJson()
    {
        QString error;
        const auto gates = GateSet::fromJson(
            json(R"({"name": "checkout", "preset": "launch", "p95_ms": 150, "error_rate": {"<=": 0.01},
                     "no_finding": ["n-plus-one"], "no_finding:pool-exhaustion": false,
                     "queries_per_request": 5, "db_backends_ratio": {"<": 0.8}, "expected_users": 20})"),
            &error);
        QVERIFY2(gates, qPrintable(error));
        QCOMPARE(gates->name(), QStringLiteral("checkout"));
        QCOMPARE(gates->threshold(QStringLiteral("p95_ms"), -1), 150.0);
        QCOMPARE(gates->threshold(QStringLiteral("p99_ms"), -1), 200.0); // from the preset
        QVERIFY(gates->has(QStringLiteral("no_finding:n-plus-one")));
        QVERIFY(!gates->has(QStringLiteral("no_finding:pool-exhaustion")));
        QCOMPARE(gates->expectedUsers(), 20.0);

        RunData run;
        run.plan.endpoints.push_back({});
        run.plan.endpoints.back().name = QStringLiteral("customer");
        QueryStat q;
        q.phase = QueryPhase::Profile;
        q.endpoint = 0;
        q.calls_per_request = 61;
        run.queries = {q};
        DbSample s;
        s.backends = 30;
        s.total_connections = 40;
        s.max_connections = 100;
        run.db_samples = {s};
        const auto checks = gates->evaluate(run, {level(20, 10, 50, 80, 0, 500)}, {});
        const GateCheck *qpr = check(checks, QStringLiteral("queries_per_request"));
        QVERIFY(qpr->measured && !qpr->pass);
        QCOMPARE(qpr->value, 61.0);
        const GateCheck *ratio = check(checks, QStringLiteral("db_backends_ratio"));
        QVERIFY(ratio->measured && ratio->pass);
        QCOMPARE(ratio->value, 0.4);
        // Without a DB, DB checks are unmeasured.
        const auto noDb = gates->evaluate(RunData{}, {level(20, 10, 50, 80, 0, 500)}, {});
        QVERIFY(!check(noDb, QStringLiteral("db_backends_ratio"))->measured);
        QVERIFY(!check(noDb, QStringLiteral("queries_per_request"))->note.isEmpty());
    }

    void customJsonErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown id") << R"({"p96_ms": 100})"
                                    << "gates.p96_ms: unknown check id";
        QTest::newRow("unknown preset") << R"({"preset": "lunch"})"
                                        << "gates.preset: unknown preset 'lunch'";
        QTest::newRow("string threshold") << R"({"p95_ms": "fast"})"
                                          << "gates.p95_ms: must be a number";
        QTest::newRow("bad operator") << R"({"p95_ms": {"=<": 100}})"
                                      << "gates.p95_ms: unknown operator '=<'";
        QTest::newRow("ratio above 1") << R"({"error_rate": 5})"
                                       << "gates.error_rate: is a ratio between 0 and 1";
        QTest::newRow("negative") << R"({"p99_ms": -1})"
                                  << "gates.p99_ms: must be a finite number >= 0";
        QTest::newRow("no_finding not array") << R"({"no_finding": "n-plus-one"})"
                                              << "gates.no_finding: must be an array";
        QTest::newRow("no checks") << R"({"name": "x"})"
                                   << "gates: no checks";
        QTest::newRow("expected users 0") << R"({"p95_ms": 1, "expected_users": 0})"
                                          << "gates.expected_users";
    }
    void customJsonErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        QString error;
        QVERIFY(!GateSet::fromJson(QJsonDocument::fromJson(text.toUtf8()).object(), &error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }

    void fromFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("gates.json"));
        QString error;
        QVERIFY(!GateSet::fromFile(path, &error));
        QVERIFY(error.contains(path));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"p95_ms\": 80, \"min_rps\": 20}");
        f.close();
        const auto gates = GateSet::fromFile(path, &error);
        QVERIFY2(gates, qPrintable(error));
        QCOMPARE(gates->checks().size(), size_t(2));
        QFile bad(path);
        QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
        bad.write("{\"p95_ms\": ");
        bad.close();
        QVERIFY(!GateSet::fromFile(path, &error));
        QVERIFY(error.contains(QLatin1String("not a JSON object")));
    }

    void liveEvaluation()
    {
        using namespace Preflight::Synthetic;
        Spec spec = sweep(
            {10, 10}, [](Level &l) { l.endpoints = {closedLoad(10, 200)}; }, 10);
        spec.levels[1].endpoints[0].latency_ms = 300; // the last 10 s got slow
        const RunData run = build(spec);
        const auto gates = *GateSet::preset(QStringLiteral("launch"));
        const auto live = gates.evaluateLive(run.intervals, 10);
        QVERIFY(!check(live, QStringLiteral("p95_ms"))->pass);
        QVERIFY(check(live, QStringLiteral("p95_ms"))->note.contains(QLatin1String("last 10")));
        QVERIFY(check(live, QStringLiteral("min_rps"))->pass);
        QVERIFY(!check(live, QStringLiteral("no_finding:pool-exhaustion"))->measured);
        std::vector<IntervalSnapshot> firstHalf(run.intervals.begin(), run.intervals.begin() + 40);
        QVERIFY(gates.evaluateLive(firstHalf, 10)[0].pass);
        QVERIFY(!gates.evaluateLive({}, 10)[0].measured);
    }
};

QTEST_GUILESS_MAIN(TestGates)
#include "tst_gates.moc"
