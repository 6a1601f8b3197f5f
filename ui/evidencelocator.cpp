#include "evidencelocator.h"

#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "diagnosis/nplusone.h"

#include <algorithm>
#include <utility>

namespace Preflight::EvidenceLocator {

EvidenceFocus locate(const RunData &run, const Finding &finding)
{
    EvidenceFocus focus;
    for (size_t i = 0; i < run.plan.endpoints.size(); ++i) {
        const EndpointSpec &e = run.plan.endpoints[i];
        if (!finding.endpoint.isEmpty() && (finding.endpoint == e.name || finding.endpoint == e.label())) {
            focus.endpoint = int(i);
            break;
        }
    }

    double end_s = run.info.duration_s;
    if (!run.intervals.empty())
        end_s = std::max(end_s, run.intervals.back().end_s);
    if (end_s > 0) {
        focus.from_s = 0;
        focus.to_s = end_s;
        QString error;
        std::optional<GateSet> gates = GateSet::fromPlan(run.plan, &error);
        if (!gates)
            gates = GateSet::preset(QStringLiteral("launch"));
        if (gates) {
            for (const LevelSummary &level : summarizeLevels(run)) {
                if (gates->levelPasses(level) || level.stage < 0 || size_t(level.stage) >= run.stages.size())
                    continue;
                focus.from_s = run.stages[size_t(level.stage)].start_s;
                break;
            }
        }
    }

    // An N+1 finding points at the statement repeated per row (the child it names), not at its parent; any
    // other finding at the endpoint's costliest statement.
    const bool nPlusOne = finding.id.contains(QLatin1String("n-plus-one"));
    // Ranked by (is the named child, calls per request) for N+1, by total time otherwise.
    auto score = [&](const QueryStat &q) -> std::pair<bool, double> {
        if (!nPlusOne)
            return {false, q.total_ms};
        return {NPlusOne::role(q, run.findings, nullptr) == NPlusOne::Role::Child, q.calls_per_request};
    };
    const QueryStat *best = nullptr;
    std::pair<bool, double> bestScore;
    for (const QueryStat &q : run.queries) {
        if (q.phase != QLatin1String("profile") && focus.endpoint >= 0)
            continue;
        if (focus.endpoint >= 0) {
            const EndpointSpec &e = run.plan.endpoints[size_t(focus.endpoint)];
            if (q.endpoint != e.name && q.endpoint != e.label())
                continue;
        }
        const std::pair<bool, double> s = score(q);
        if (!best || s > bestScore) {
            best = &q;
            bestScore = s;
        }
    }
    if (best)
        focus.query_text = best->text;
    return focus;
}

} // namespace Preflight::EvidenceLocator
