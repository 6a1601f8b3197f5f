#pragma once

#include "data/rundata.h"

#include <optional>

namespace Preflight {

// The parts of a run known only at its end (or late in it), handed to RunRecorder::finishRun /
// RunStore::finishRun. Intervals and samples are not here: they were streamed while the run went on.
struct RunOutcome
{
    RunStatus status = RunStatus::Completed; // completed | aborted | interrupted | failed
    QString status_reason;
    std::optional<double> duration_s;       // default: end of the last stored interval
    std::optional<DbCapabilities> database; // left as stored when empty
    std::optional<HealthResult> health;
    std::vector<QueryStat> queries;
    std::vector<QueryStat> stage_queries;
    std::vector<QueryPlan> plans;
    std::vector<ErrorSample> error_samples;
    std::vector<Finding> findings;
    QString gate_preset;
    std::vector<GateCheck> gates;
    QString verdict;
    QString verdict_reason;
    QStringList diagnosis_notes;
    QStringList warnings;

    // The final parts of a RunData (status, reason, duration, database, health, queries, plans, error
    // samples, findings, gates, verdict and its reason, diagnosis notes, warnings).
    static RunOutcome fromRunData(const RunData &run);
};

} // namespace Preflight
