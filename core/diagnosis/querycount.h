#pragma once

#include "data/querystat.h"
#include "data/rundata.h"

#include <QString>

#include <vector>

// The one owner of "queries per request": which statements count, how statements are grouped, and the sums the
// gates, the rules, the JSON summary and the report show. Pure functions over a run.
namespace Preflight::QueryCount {

// A statement that reads or writes the app's data. Transaction control and utility statements (BEGIN, COMMIT,
// SAVEPOINT, RELEASE, SET, SHOW, DISCARD, ...) are not: drivers and ORMs run them per row or per request, and
// counting them would inflate k in 1 + k·N and the queries-per-request gate.
bool countsAsQuery(const QueryStat &q);

// The profiling pass's data statements of one endpoint (index into run.plan.endpoints, QueryStat::endpoint; -1:
// those recorded for an endpoint the plan does not hold), grouped by libpg_query fingerprint (apps that inline
// literals produce one pg_stat_statements entry or log line per literal; they are one statement here): calls, rows
// and times summed, per-request and per-call figures recomputed, the text of the most-called member kept.
// Statements without a fingerprint stay as they are. Order: calls per request, descending.
std::vector<QueryStat> profiledStatements(const RunData &run, int endpoint);

// Data statements per request of one endpoint (as above) in the profiling pass; -1 when it was not profiled.
double perRequest(const RunData &run, int endpoint);
// The endpoints the profiling pass recorded statements for, in plan order (-1 last, when some were recorded for an
// endpoint the plan does not hold).
std::vector<int> profiledEndpoints(const RunData &run);
// The worst endpoint's statements per request (the `queries_per_request` gate), *endpoint its index (the first in
// plan order on a tie); -1 when nothing was profiled.
double worstPerRequest(const RunData &run, int *endpoint = nullptr);
// Data statements of one stage (RunData::stage_queries) over the requests it served; -1 unknown.
double stagePerRequest(const RunData &run, int stage, uint64_t requests);

} // namespace Preflight::QueryCount
