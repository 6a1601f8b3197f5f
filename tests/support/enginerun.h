#pragma once
// One load run to its end on a LoadEngine, as the engine tests need it (tst_loadengine, tst_rawengine): the
// snapshots it produced, their totals per endpoint, and the error samples.

#include "load/loadengine.h"
#include "plan/plan.h"

#include <QString>

#include <functional>
#include <vector>

namespace PreflightTest {

struct EngineOutcome
{
    std::vector<Preflight::IntervalSnapshot> intervals;
    std::vector<Preflight::ErrorSample> errorSamples;
    Preflight::EndpointStats total;
    std::vector<Preflight::EndpointStats> perEndpoint;
    uint64_t started = 0;
    uint64_t dropped = 0;

    // Completed requests per second over intervals that start at or after `from_s` and end by `to_s`.
    double rps(double from_s, double to_s) const;
};

// Runs `plan` to its end on load path `engine` ("curl" or "raw"; the process stops if the engine picks another),
// with the plan's connection and response limits and the transport RunController would give it (proxy from the
// environment). `onTick` sees every snapshot as it arrives, on the engine's thread.
EngineOutcome
runEngineToEnd(const Preflight::Plan &plan, const QString &engine, Preflight::EngineOptions options = {},
               std::function<void(Preflight::LoadEngine &, const Preflight::IntervalSnapshot &)> onTick = {});

} // namespace PreflightTest
