#include "rungates.h"

namespace Preflight::RunGates {

GateSet forPlan(const Plan &plan, const QString &storedPreset, QString *error)
{
    QString problem;
    std::optional<GateSet> gates = GateSet::fromPlan(plan, &problem);
    if (error)
        *error = gates ? QString() : problem;
    if (!gates && !storedPreset.isEmpty())
        gates = GateSet::preset(storedPreset);
    if (!gates)
        gates = GateSet::preset(QStringLiteral("launch"));
    return gates ? *gates : GateSet();
}

} // namespace Preflight::RunGates
