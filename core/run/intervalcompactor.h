#pragma once

#include "data/intervalsnapshot.h"
#include "data/rundata.h"

#include <vector>

namespace Preflight {

// Keeps a long run's intervals in bounded memory: intervals older than `keepRecent_s` are merged into
// buckets of `bucket_s` (histograms merge exactly, counts add, in_flight/queued keep their maximum).
// A bucket never spans two stages, and the first `warmup_s` of every stage stays at full resolution so
// that level summaries (which skip a stage's warm-up) read the same numbers as before compaction.
// The run store still receives every interval; this only bounds what a live run holds in memory.
class IntervalCompactor
{
public:
    static constexpr double kKeepRecent_s = 60;
    static constexpr double kBucket_s = 10;
    static constexpr double kWarmupKept_s = 1;

    // Compacts `intervals` in place (ordered by time). Returns how many intervals were merged away.
    static size_t compact(std::vector<IntervalSnapshot> &intervals, const std::vector<StageInfo> &stages,
                          double now_s, double keepRecent_s = kKeepRecent_s, double bucket_s = kBucket_s);
    // b follows a in time.
    static void mergeInto(IntervalSnapshot &a, const IntervalSnapshot &b);
};

} // namespace Preflight
