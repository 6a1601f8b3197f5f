#include "rundata.h"

namespace Preflight {

QString runStatusId(RunStatus s)
{
    switch (s) {
    case RunStatus::Running:
        return QStringLiteral("running");
    case RunStatus::Completed:
        return QStringLiteral("completed");
    case RunStatus::Aborted:
        return QStringLiteral("aborted");
    case RunStatus::Interrupted:
        return QStringLiteral("interrupted");
    case RunStatus::Failed:
        break;
    }
    return QStringLiteral("failed");
}

RunStatus runStatusFromId(const QString &id)
{
    for (RunStatus s : {RunStatus::Running, RunStatus::Completed, RunStatus::Aborted, RunStatus::Interrupted})
        if (runStatusId(s) == id)
            return s;
    return RunStatus::Failed;
}

std::vector<EndpointStats> RunData::endpointTotals() const
{
    std::vector<EndpointStats> totals(plan.endpoints.size());
    for (const IntervalSnapshot &interval : intervals)
        for (size_t i = 0; i < interval.endpoints.size() && i < totals.size(); ++i)
            totals[i].merge(interval.endpoints[i]);
    return totals;
}

EndpointStats RunData::total() const
{
    EndpointStats sum;
    for (const IntervalSnapshot &interval : intervals)
        for (const EndpointStats &e : interval.endpoints)
            sum.merge(e);
    return sum;
}

EndpointStats RunData::stageTotal(int stage) const
{
    EndpointStats sum;
    for (const IntervalSnapshot &interval : intervals)
        if (interval.stage_index == stage)
            for (const EndpointStats &e : interval.endpoints)
                sum.merge(e);
    return sum;
}

} // namespace Preflight
