// Specification of run comparison: per-metric verdicts with a documented noise rule (docs/store.md).
#include "store/runcomparison.h"

#include <QTest>

#include <random>

using namespace Preflight;

namespace {
LatencyHistogram lognormal(double median_ms, int n, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> d(std::log(median_ms * 1000.0), 0.5);
    LatencyHistogram h;
    for (int i = 0; i < n; ++i)
        h.record(uint64_t(std::max(1.0, d(rng))));
    return h;
}

// A two-stage sweep (5 and 20 users), one endpoint, 10 s per stage in 250 ms intervals.
RunData makeRun(double median_ms, double errorShare, double rpsScale, unsigned seed)
{
    RunData run;
    EndpointSpec e;
    e.name = QStringLiteral("search");
    e.path = QStringLiteral("/search");
    run.plan.endpoints.push_back(e);
    run.stages.push_back({0, 0, 10, false, 5, 5, QStringLiteral("5 users")});
    run.stages.push_back({1, 10, 10, false, 20, 20, QStringLiteral("20 users")});
    for (int i = 0; i < 80; ++i) {
        IntervalSnapshot iv;
        iv.index = i;
        iv.start_s = i * 0.25;
        iv.end_s = iv.start_s + 0.25;
        iv.stage_index = i < 40 ? 0 : 1;
        EndpointStats s;
        s.latency = lognormal(median_ms * (iv.stage_index + 1), int(50 * rpsScale), seed + unsigned(i));
        s.requests = s.latency.count();
        const uint64_t errors = uint64_t(std::llround(double(s.requests) * errorShare));
        s.http_errors = errors;
        s.ok = s.requests - errors;
        iv.endpoints.push_back(s);
        run.intervals.push_back(iv);
    }
    return run;
}
} // namespace

class TestRunComparison : public QObject
{
    Q_OBJECT
private slots:
    void latencyVerdicts_data()
    {
        QTest::addColumn<double>("afterMedian_ms");
        QTest::addColumn<QString>("expected");
        QTest::newRow("same distribution, other seed") << 10.0 << QStringLiteral("unchanged");
        QTest::newRow("twice as slow") << 20.0 << QStringLiteral("worse");
        QTest::newRow("twice as fast") << 5.0 << QStringLiteral("better");
    }
    void latencyVerdicts()
    {
        QFETCH(double, afterMedian_ms);
        QFETCH(QString, expected);
        const RunComparison c = RunComparison::compare(makeRun(10, 0, 1, 1), makeRun(afterMedian_ms, 0, 1, 1000));
        for (const char *metric : {"p50_ms", "p95_ms"}) {
            const MetricDelta *d = c.total.metric(QString::fromLatin1(metric));
            QVERIFY(d);
            QVERIFY2(deltaVerdictId(d->verdict) == expected,
                     qPrintable(QString::fromLatin1(metric) + QLatin1Char(' ') + d->reason));
        }
        QCOMPARE(c.endpoints.size(), size_t(1));
        QCOMPARE(c.levels.size(), size_t(2));
        QCOMPARE(c.levels[1].label, QStringLiteral("20 users"));
        QCOMPARE(deltaVerdictId(c.levels[1].metric(QStringLiteral("p50_ms"))->verdict), expected);
    }

    void throughputVerdicts()
    {
        const RunComparison more = RunComparison::compare(makeRun(10, 0, 1, 1), makeRun(10, 0, 2, 1));
        QCOMPARE(more.total.metric(QStringLiteral("rps"))->verdict, DeltaVerdict::Better);
        QCOMPARE(more.total.metric(QStringLiteral("rps"))->after, 2 * more.total.metric(QStringLiteral("rps"))->before);
        const RunComparison same = RunComparison::compare(makeRun(10, 0, 1, 1), makeRun(10, 0, 1.02, 7));
        QCOMPARE(same.total.metric(QStringLiteral("rps"))->verdict, DeltaVerdict::Unchanged);
    }

    void errorRateUsesCounts()
    {
        // 4000 requests a side: 0% → 5% is significant; 1.0% → 1.2% is not.
        const RunComparison worse = RunComparison::compare(makeRun(10, 0, 1, 1), makeRun(10, 0.05, 1, 1));
        QCOMPARE(worse.total.metric(QStringLiteral("error_rate"))->verdict, DeltaVerdict::Worse);
        const RunComparison better = RunComparison::compare(makeRun(10, 0.05, 1, 1), makeRun(10, 0, 1, 1));
        QCOMPARE(better.total.metric(QStringLiteral("error_rate"))->verdict, DeltaVerdict::Better);
        QCOMPARE(RunComparison::compareErrorRate(40, 4000, 48, 4000).verdict, DeltaVerdict::Unchanged);
        QCOMPARE(RunComparison::compareErrorRate(0, 4000, 0, 4000).verdict, DeltaVerdict::Unchanged);
        QCOMPARE(RunComparison::compareErrorRate(0, 10, 5, 10).verdict, DeltaVerdict::Inconclusive);
    }

    void tooFewSamplesIsInconclusive()
    {
        LatencyHistogram small = lognormal(10, 200, 1), slow = lognormal(50, 200, 2);
        // P99 of 200 samples rests on 2 requests.
        QCOMPARE(RunComparison::compareLatency(QStringLiteral("p99_ms"), 99, small, slow).verdict,
                 DeltaVerdict::Inconclusive);
        QCOMPARE(RunComparison::compareLatency(QStringLiteral("p50_ms"), 50, small, slow).verdict, DeltaVerdict::Worse);
    }

    void subMillisecondJitterIsNoise()
    {
        LatencyHistogram a, b;
        a.record(300, 1000);
        b.record(600, 1000); // +100% but only 0.3 ms
        QCOMPARE(RunComparison::compareLatency(QStringLiteral("p50_ms"), 50, a, b).verdict, DeltaVerdict::Unchanged);
    }

    void unmatchedEndpointsAndLevelsAreLeftOut()
    {
        RunData before = makeRun(10, 0, 1, 1), after = makeRun(10, 0, 1, 2);
        after.plan.endpoints[0].name = QStringLiteral("renamed");
        after.plan.endpoints[0].path = QStringLiteral("/other");
        after.stages[1].to = after.stages[1].from = 50;
        const RunComparison c = RunComparison::compare(before, after);
        QCOMPARE(c.endpoints.size(), size_t(0));
        QCOMPARE(c.levels.size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestRunComparison)
#include "tst_runcomparison.moc"
