#pragma once

#include "diagnosis/gates.h"
#include "plan/plan.h"

#include <QString>

namespace Preflight::RunGates {

// The gate set a run of this plan is judged by, as the run controller and the report choose it: the plan's
// (inline gates, a preset name or a custom gates file), else the preset the run was stored with, else `launch`.
// *error, when given, says why the plan's gates could not be used (empty when they could). Reads the file of a
// custom gates path, so call it when the plan changes, not per frame.
GateSet forPlan(const Plan &plan, const QString &storedPreset = {}, QString *error = nullptr);

} // namespace Preflight::RunGates
