#pragma once

#include "data/finding.h"
#include "data/rundata.h"

#include <QString>

namespace Preflight {

// Where a finding's evidence is in the views: the span of the run to shade on the time charts, the plan
// endpoint to select, the query to point at. Pure; the main window applies it when a card is clicked.
struct EvidenceFocus
{
    double from_s = -1; // -1: nothing to shade
    double to_s = -1;
    int endpoint = -1;         // plan endpoint index; -1: the finding is not about one endpoint
    QString query_text;        // normalised text of the query most involved; empty: none
    QString query_fingerprint; // its fingerprint (QueryStat::fingerprint); may be empty for a statement log
};

namespace EvidenceLocator {

// Everything is read from the finding's references (Finding::refs), not re-derived. The endpoint is
// refs.endpoint (a finding stored without references: its endpoint name). The span is the stage of the level
// the finding names (refs.level); without one it starts at the first level that fails the run's gates
// (per-level checks of its gate set; the whole run when every level passes or the run is not a stepped one) and
// ends with the run. The query is the statement the finding names (refs.statements: an N+1's per-row child, a
// missing index's scan, a saturated database's top statement, a lock's blocker), as the run's statements show it
// (the profiling pass grouped by QueryCount); a finding that names none points at the costliest data statement
// of its endpoint (or of the run).
EvidenceFocus locate(const RunData &run, const Finding &finding);

} // namespace EvidenceLocator

} // namespace Preflight
