#pragma once

#include "reportmodel.h"
#include "svgchart.h"

#include <vector>

namespace Preflight {

// The report's four figures, built from a run as SvgCharts: latency percentiles over time with gate lines,
// throughput and errors, connections (in flight vs DB backends vs pool), and the capacity curve with the
// USL fit. Long runs are bucketed to at most kMaxBuckets points per series (latency percentiles come from
// merged histograms of each bucket, never from averaged percentiles), so a 1-hour run makes the same size
// of SVG as a 1-minute one. Pure, thread-safe.
class ReportCharts
{
public:
    static constexpr int kMaxBuckets = 360;

    // Only the charts that have something to show, in figure order; titles are numbered.
    static std::vector<ReportModel::Chart> build(const RunData &run, const std::vector<LevelSummary> &levels,
                                                 const CapacityModel &capacity, const std::vector<GateCheck> &gates);

    static SvgChart latency(const RunData &run, const std::vector<GateCheck> &gates);
    static SvgChart throughput(const RunData &run, const std::vector<GateCheck> &gates);
    static SvgChart connections(const RunData &run);
    static SvgChart capacity(const std::vector<LevelSummary> &levels, const CapacityModel &capacity);
};

} // namespace Preflight
