#include "evidencelocator.h"

#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"

#include <algorithm>

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

    const bool nPlusOne = finding.id.contains(QLatin1String("n-plus-one"));
    const QueryStat *best = nullptr;
    for (const QueryStat &q : run.queries) {
        if (q.phase != QLatin1String("profile") && focus.endpoint >= 0)
            continue;
        if (focus.endpoint >= 0) {
            const EndpointSpec &e = run.plan.endpoints[size_t(focus.endpoint)];
            if (q.endpoint != e.name && q.endpoint != e.label())
                continue;
        }
        const double score = nPlusOne ? q.calls_per_request : q.total_ms;
        if (!best || score > (nPlusOne ? best->calls_per_request : best->total_ms))
            best = &q;
    }
    if (best)
        focus.query_text = best->text;
    return focus;
}

} // namespace Preflight::EvidenceLocator
