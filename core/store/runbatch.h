#pragma once

#include "data/rundata.h"

#include <optional>
#include <vector>

namespace Preflight {

// Samples streamed into a running run, written in one transaction (RunStore::appendBatch).
struct RunBatch
{
    std::vector<IntervalSnapshot> intervals;
    std::vector<DbSample> db_samples;
    std::vector<PoolSample> pool_samples;
    std::optional<DbCapabilities> database;
    std::optional<HealthResult> health;

    bool isEmpty() const
    {
        return intervals.empty() && db_samples.empty() && pool_samples.empty() && !database && !health;
    }
};

} // namespace Preflight
