#include "evidencelocator.h"

#include "rungates.h"

#include "diagnosis/levelsummary.h"
#include "diagnosis/querycount.h"

#include <algorithm>

namespace Preflight::EvidenceLocator {

namespace {

bool sameStatement(const QueryStat &q, const StatementRef &ref)
{
    return !ref.fingerprint.isEmpty() && !q.fingerprint.isEmpty() ? q.fingerprint == ref.fingerprint
                                                                  : q.text.simplified() == ref.text.simplified();
}

// The statement a finding names, in the order a reader wants to see it: the one repeated per row of an N+1, the
// scan of a missing index, the top statement of a saturated database, the blocker of a lock wait.
const StatementRef *namedStatement(const Finding &finding)
{
    static const QStringList order = {
        QStringLiteral("child"),   QStringLiteral("scan"),       QStringLiteral("top"),   QStringLiteral("blocking"),
        QStringLiteral("waiting"), QStringLiteral("grandchild"), QStringLiteral("parent")};
    for (const QString &role : order)
        for (const StatementRef &ref : finding.refs.statements)
            if (ref.role == role)
                return &ref;
    return finding.refs.statements.empty() ? nullptr : &finding.refs.statements.front();
}

} // namespace

EvidenceFocus locate(const RunData &run, const Finding &finding)
{
    EvidenceFocus focus;
    if (finding.refs.endpoint >= 0 && size_t(finding.refs.endpoint) < run.plan.endpoints.size()) {
        focus.endpoint = finding.refs.endpoint;
    } else {
        focus.endpoint = run.plan.endpointIndex(finding.endpoint); // a finding stored before it carried references
    }

    double end_s = run.info.duration_s;
    if (!run.intervals.empty())
        end_s = std::max(end_s, run.intervals.back().end_s);
    if (end_s > 0) {
        focus.from_s = 0;
        focus.to_s = end_s;
        const std::vector<LevelSummary> levels = summarizeLevels(run);
        const auto stageOf = [&run](const LevelSummary &level) -> const StageInfo * {
            const bool known = level.stage >= 0 && size_t(level.stage) < run.stages.size();
            return known ? &run.stages[size_t(level.stage)] : nullptr;
        };
        const StageInfo *named = finding.refs.level >= 0 && size_t(finding.refs.level) < levels.size()
                                     ? stageOf(levels[size_t(finding.refs.level)])
                                     : nullptr;
        if (named) {
            focus.from_s = named->start_s;
            focus.to_s = std::min(end_s, named->start_s + named->duration_s);
        } else {
            const GateSet gates = RunGates::forPlan(run.plan, run.gate_preset);
            for (const LevelSummary &level : levels) {
                if (const StageInfo *stage = stageOf(level); stage && !gates.levelPasses(level)) {
                    focus.from_s = stage->start_s;
                    break;
                }
            }
        }
    }

    // The statement the finding names, looked up in the run's statements (the profiling pass of its endpoint
    // first, as the query inspector shows them, grouped by fingerprint).
    const std::vector<QueryStat> profiled =
        focus.endpoint >= 0 ? QueryCount::profiledStatements(run, focus.endpoint) : std::vector<QueryStat>();
    if (const StatementRef *ref = namedStatement(finding)) {
        const QueryStat *found = nullptr;
        for (const QueryStat &q : profiled)
            if (!found && sameStatement(q, *ref))
                found = &q;
        for (const QueryStat &q : run.queries)
            if (!found && sameStatement(q, *ref))
                found = &q;
        focus.query_text = found ? found->text : ref->text;
        focus.query_fingerprint = found ? found->fingerprint : ref->fingerprint;
        return focus;
    }

    // A finding that names no statement: the costliest data statement of its endpoint, or of the whole run.
    const QueryStat *best = nullptr;
    auto consider = [&best](const QueryStat &q) {
        if (QueryCount::countsAsQuery(q) && (!best || q.total_ms > best->total_ms))
            best = &q;
    };
    if (focus.endpoint >= 0)
        std::for_each(profiled.begin(), profiled.end(), consider);
    else
        std::for_each(run.queries.begin(), run.queries.end(), consider);
    if (best) {
        focus.query_text = best->text;
        focus.query_fingerprint = best->fingerprint;
    }
    return focus;
}

} // namespace Preflight::EvidenceLocator
