#pragma once

#include "data/intervalsnapshot.h"
#include "data/rundata.h"

#include <vector>

namespace Preflight {

// Keeps a long run's intervals in near-constant memory: the last minute stays at full resolution, older
// intervals are merged into buckets that widen with age (10 s up to 10 minutes old, 1 minute up to an hour,
// 10 minutes beyond), so an hour holds ~350 intervals and every further hour 6 more. Histograms merge exactly,
// counts add, in_flight/queued keep their maximum.
// A bucket never spans two stages, and the first `warmup_s` of every stage stays at full resolution so
// that level summaries (which skip a stage's warm-up) read the same numbers as before compaction.
// The run store still receives every interval; this only bounds what a live run holds in memory.
class IntervalCompactor
{
public:
    static constexpr double kKeepRecent_s = 60;
    static constexpr double kWarmupKept_s = 1;

    // The widest bucket an interval that ended age_s ago may be merged into; 0 = kept as it is.
    static double bucketFor(double age_s);
    // Compacts `intervals` in place (ordered by time) as of now_s. Returns how many intervals were merged away.
    // Idempotent for one now_s; call it again as the run goes on (buckets widen as they age).
    static size_t compact(std::vector<IntervalSnapshot> &intervals, const std::vector<StageInfo> &stages, double now_s);
    // b follows a in time.
    static void mergeInto(IntervalSnapshot &a, const IntervalSnapshot &b);
};

} // namespace Preflight
