#pragma once

#include "reportmodel.h"

#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"

#include <vector>

namespace Preflight {

// What every report section reads (internal to the report model): the run, the options, the diagnosis, and
// the run's stored conclusions where it has them. References must outlive the build.
struct ReportModel::Inputs
{
    const RunData &run;
    const ReportOptions &options;
    const GateSet &gateSet;
    const Diagnosis &d;
    const std::vector<Finding> &findings; // stored findings, or the diagnosis's for a run never diagnosed
    const std::vector<GateCheck> &gates;  // likewise
    bool stored = false;                  // the run carries its verdict
    bool storedReason = false;            // ... and its verdict reason and notes (store format 4)
    EndpointStats total;

    QString scrub(const QString &text) const; // secrets of the run's plan removed
};

namespace ReportSections {

QString verdictLabel(const QString &verdict); // "ready" -> "Ready", ...
QString clip(QString text, int max);          // at most max characters, an ellipsis when cut

} // namespace ReportSections

} // namespace Preflight
