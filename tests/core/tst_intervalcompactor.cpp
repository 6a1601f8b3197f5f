// Long runs keep bounded memory without changing what diagnosis reads.
#include "diagnosis/levelsummary.h"
#include "run/intervalcompactor.h"

#include <QTest>

using namespace Preflight;

namespace {
RunData syntheticSweep(int stages, double step_s)
{
    RunData run;
    run.plan.endpoints.resize(2);
    for (int s = 0; s < stages; ++s)
        run.stages.push_back(
            {s, s * step_s, step_s, false, double(s + 1), double(s + 1), QStringLiteral("%1 users").arg(s + 1)});
    int index = 0;
    for (double t = 0; t < stages * step_s - 1e-9; t += 0.25, ++index) {
        IntervalSnapshot in;
        in.index = index;
        in.start_s = t;
        in.end_s = t + 0.25;
        in.stage_index = int(t / step_s);
        in.target_users = in.stage_index + 1;
        in.in_flight = in.stage_index + 1 + (index % 3 == 0 ? 1 : 0);
        in.started = 10;
        in.endpoints.resize(2);
        for (int e = 0; e < 2; ++e) {
            EndpointStats &s = in.endpoints[size_t(e)];
            for (int k = 0; k < 10; ++k) {
                const uint64_t latency = uint64_t(1000 * (in.stage_index + 1) + 37 * ((index * 7 + k * 13 + e) % 50));
                s.latency.record(latency);
                s.latency_uncorrected.record(latency);
                ++s.requests;
                ++s.ok;
                ++s.status_counts[200];
            }
        }
        run.intervals.push_back(in);
    }
    run.info.duration_s = stages * step_s;
    return run;
}
} // namespace

class TestIntervalCompactor : public QObject
{
    Q_OBJECT
private slots:
    void compactionKeepsTotalsLevelsAndRecentResolution()
    {
        RunData run = syntheticSweep(6, 120); // 12 minutes, 2880 intervals
        const RunData before = run;
        const size_t merged = IntervalCompactor::compact(run.intervals, run.stages, run.info.duration_s);
        QVERIFY(merged > 2000);
        QVERIFY(run.intervals.size() < 400);
        QVERIFY(run.total() == before.total());
        // The last minute is untouched, at 250 ms resolution.
        int recent = 0;
        for (const IntervalSnapshot &in : run.intervals) {
            if (in.start_s >= run.info.duration_s - 60) {
                ++recent;
                QCOMPARE(in.duration_s(), 0.25);
            }
            QVERIFY(in.duration_s() <=
                    std::max(0.25, IntervalCompactor::bucketFor(run.info.duration_s - in.end_s)) + 1e-9);
        }
        QCOMPARE(recent, 240);
        // No bucket spans two stages, and level summaries read exactly the same numbers.
        const auto levelsBefore = summarizeLevels(before);
        const auto levelsAfter = summarizeLevels(run);
        QCOMPARE(levelsAfter.size(), levelsBefore.size());
        for (size_t i = 0; i < levelsBefore.size(); ++i) {
            QCOMPARE(levelsAfter[i].requests, levelsBefore[i].requests);
            QCOMPARE(levelsAfter[i].p95_ms, levelsBefore[i].p95_ms);
            QCOMPARE(levelsAfter[i].p99_ms, levelsBefore[i].p99_ms);
            QCOMPARE(levelsAfter[i].in_flight_max, levelsBefore[i].in_flight_max);
            QVERIFY(std::abs(levelsAfter[i].rps - levelsBefore[i].rps) < 1e-6 * levelsBefore[i].rps);
        }
    }

    // A soak compacted as the controller does it (every 10 s): hours later it holds barely more intervals than
    // after one hour, and its totals are still exact.
    void longRunsStayNearlyFlat()
    {
        RunData run;
        run.plan.endpoints.resize(1);
        run.stages.push_back({0, 0, 4 * 3600.0, false, 10, 10, QStringLiteral("10 users")});
        EndpointStats total;
        size_t afterOneHour = 0;
        for (int index = 0; index < 4 * 3600 * 4; ++index) {
            IntervalSnapshot in;
            in.index = index;
            in.start_s = index * 0.25;
            in.end_s = in.start_s + 0.25;
            in.stage_index = 0;
            in.endpoints.resize(1);
            EndpointStats &s = in.endpoints[0];
            s.latency.record(uint64_t(800 + (index * 37) % 400));
            s.latency_uncorrected.record(uint64_t(800 + (index * 37) % 400));
            s.requests = 1;
            s.ok = 1;
            total.merge(s);
            run.intervals.push_back(std::move(in));
            if (index % 40 == 39)
                IntervalCompactor::compact(run.intervals, run.stages, run.intervals.back().end_s);
            if (index + 1 == 3600 * 4)
                afterOneHour = run.intervals.size();
        }
        QVERIFY2(afterOneHour < 400, qPrintable(QString::number(afterOneHour)));
        QVERIFY2(run.intervals.size() <= afterOneHour + 3 * 6 + 2,
                 qPrintable(QStringLiteral("%1 after 1 h, %2 after 4 h").arg(afterOneHour).arg(run.intervals.size())));
        QVERIFY(run.total() == total);
        for (size_t i = 1; i < run.intervals.size(); ++i)
            QCOMPARE(run.intervals[i].start_s, run.intervals[i - 1].end_s); // no gap, no overlap
    }

    // The live capacity chart summarises a level without per-endpoint figures: the level's own numbers agree.
    void totalsOnlyLevelsAgreeWithFullOnes()
    {
        RunData run = syntheticSweep(4, 30);
        IntervalCompactor::compact(run.intervals, run.stages, run.info.duration_s);
        const std::vector<LevelSummary> full = summarizeLevels(run);
        QCOMPARE(full.size(), size_t(4));
        for (const LevelSummary &f : full) {
            const std::optional<LevelSummary> t = summarizeLevel(run, run.stages[size_t(f.stage)], LevelDetail::Totals);
            QVERIFY(t);
            QVERIFY(t->endpoints.empty());
            QCOMPARE(f.endpoints.size(), size_t(2));
            QCOMPARE(t->requests, f.requests);
            QCOMPARE(t->errors, f.errors);
            QCOMPARE(t->p50_ms, f.p50_ms);
            QCOMPARE(t->p95_ms, f.p95_ms);
            QCOMPARE(t->p99_ms, f.p99_ms);
            QCOMPARE(t->rps, f.rps);
            QCOMPARE(t->in_flight_max, f.in_flight_max);
        }
    }

    void compactingTwiceChangesNothingMore()
    {
        RunData run = syntheticSweep(3, 100);
        IntervalCompactor::compact(run.intervals, run.stages, run.info.duration_s);
        const auto once = run.intervals.size();
        QCOMPARE(IntervalCompactor::compact(run.intervals, run.stages, run.info.duration_s), size_t(0));
        QCOMPARE(run.intervals.size(), once);
    }
};

QTEST_GUILESS_MAIN(TestIntervalCompactor)
#include "tst_intervalcompactor.moc"
