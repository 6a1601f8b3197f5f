#pragma once

#include "data/rundata.h"

#include <QString>

#include <vector>

namespace Preflight {

enum class DeltaVerdict { Better, Worse, Unchanged, Inconclusive };
QString deltaVerdictId(DeltaVerdict v); // "better" | "worse" | "unchanged" | "inconclusive"

// One metric of one span (the run, an endpoint, a level), before vs after.
struct MetricDelta
{
    QString metric; // "p50_ms" | "p95_ms" | "p99_ms" | "rps" | "error_rate"
    double before = 0;
    double after = 0;
    double delta = 0;    // after - before
    double relative = 0; // delta / before; 0 when before is 0
    DeltaVerdict verdict = DeltaVerdict::Inconclusive;
    QString reason; // why this verdict, in words ("+12.0% beyond the 5% noise band")
};

struct ComparisonRow
{
    QString scope; // "total" | "endpoint" | "level"
    QString key;   // endpoint name / level key ("users:20", "rate:50", or the stage label)
    QString label; // what a table shows ("GET /search", "20 users")
    uint64_t requests_before = 0;
    uint64_t requests_after = 0;
    std::vector<MetricDelta> metrics; // in the order p50_ms, p95_ms, p99_ms, rps, error_rate

    const MetricDelta *metric(const QString &name) const;
};

// Two runs side by side (docs/store.md, "Comparing runs"). Pure, thread-safe; works on loaded RunData so
// percentiles come from the stored histograms.
//
// Noise rule, without resampling:
// - latency percentile Pq: unchanged when |Δ| ≤ max(5% of before, 0.5 ms) — 5% is well above the histogram's
//   0.4% resolution and the run-to-run jitter of a loopback target; inconclusive when either side has fewer
//   than 10 samples beyond the percentile (n·(1−q) < 10), since the value is then a handful of requests;
// - rps: unchanged when |Δ| ≤ max(5% of before, 3σ of the Poisson count noise of both sides);
// - error rate: worse/better only when a two-proportion z-test gives |z| ≥ 3 and |Δ| ≥ 0.05 percentage
//   points; both zero is unchanged; fewer than 20 requests on a side is inconclusive.
// Lower is better for latency and error rate, higher for rps. Endpoints are matched by name (then by
// "METHOD path"), levels by model and target value (ramps by label); unmatched ones are left out.
class RunComparison
{
public:
    static constexpr double kRelativeNoise = 0.05;
    static constexpr double kLatencyFloor_ms = 0.5;
    static constexpr double kMinTailSamples = 10;
    static constexpr double kErrorZ = 3.0;
    static constexpr double kErrorRateFloor = 0.0005;
    static constexpr uint64_t kMinRequestsForRate = 20;

    qint64 before_id = -1;
    qint64 after_id = -1;
    ComparisonRow total;
    std::vector<ComparisonRow> endpoints;
    std::vector<ComparisonRow> levels;

    static RunComparison compare(const RunData &before, const RunData &after);

    static MetricDelta compareLatency(const QString &metric, double percentile, const LatencyHistogram &before,
                                      const LatencyHistogram &after);
    static MetricDelta compareRate(uint64_t requestsBefore, double durationBefore_s, uint64_t requestsAfter,
                                   double durationAfter_s);
    static MetricDelta compareErrorRate(uint64_t errorsBefore, uint64_t requestsBefore, uint64_t errorsAfter,
                                        uint64_t requestsAfter);
    static ComparisonRow compareStats(const QString &scope, const QString &key, const QString &label,
                                      const EndpointStats &before, double durationBefore_s, const EndpointStats &after,
                                      double durationAfter_s);
};

} // namespace Preflight
