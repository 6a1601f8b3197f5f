#pragma once

#include "data/finding.h"
#include "data/rundata.h"

#include <QString>

namespace Preflight {

// Where a finding's evidence is in the views: the span of the run to shade on the time charts, the plan
// endpoint to select, the query to point at. Pure; the main window applies it when a card is clicked.
struct EvidenceFocus
{
    double from_s = -1;         // -1: nothing to shade
    double to_s = -1;
    int endpoint = -1;          // plan endpoint index; -1: the finding is not about one endpoint
    QString query_text;         // normalised text of the query most involved; empty: none
};

namespace EvidenceLocator {

// The span starts at the first level that fails the run's gates (per-level checks; the whole run when
// every level passes or the run is not a stepped one) and ends with the run. The query is the profiled
// query of the finding's endpoint with the most calls per request (N+1) or the most total time (others).
EvidenceFocus locate(const RunData &run, const Finding &finding);

} // namespace EvidenceLocator

} // namespace Preflight
