#include "runoutcome.h"

namespace Preflight {

RunOutcome RunOutcome::fromRunData(const RunData &run)
{
    RunOutcome o;
    o.status = run.info.status;
    o.status_reason = run.info.status_reason;
    if (run.info.duration_s > 0)
        o.duration_s = run.info.duration_s;
    o.database = run.database;
    o.health = run.health;
    o.queries = run.queries;
    o.stage_queries = run.stage_queries;
    o.plans = run.plans;
    o.error_samples = run.error_samples;
    o.findings = run.findings;
    o.gate_preset = run.gate_preset;
    o.gates = run.gates;
    o.verdict = run.verdict;
    o.verdict_reason = run.verdict_reason;
    o.diagnosis_notes = run.diagnosis_notes;
    o.warnings = run.warnings;
    return o;
}

} // namespace Preflight
