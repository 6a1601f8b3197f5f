#include "querycount.h"

#include "db/queryfingerprint.h"

#include <algorithm>
#include <map>
#include <set>

namespace Preflight::QueryCount {

bool countsAsQuery(const QueryStat &q)
{
    return !QueryFingerprint::isTransactionControlOrUtility(q.text);
}

std::vector<QueryStat> profiledStatements(const RunData &run, int endpoint)
{
    std::vector<QueryStat> out;
    std::map<QString, size_t> byFingerprint;
    std::map<QString, double> mostCalls;
    for (const QueryStat &q : run.queries) {
        if (q.phase != QueryPhase::Profile || q.endpoint != endpoint || !countsAsQuery(q))
            continue;
        const auto it = q.fingerprint.isEmpty() ? byFingerprint.end() : byFingerprint.find(q.fingerprint);
        if (it == byFingerprint.end()) {
            if (!q.fingerprint.isEmpty())
                byFingerprint[q.fingerprint] = out.size();
            mostCalls[q.fingerprint] = q.calls;
            out.push_back(q);
            continue;
        }
        QueryStat &g = out[it->second];
        const bool rowsKnown = g.rows_per_call >= 0 && q.rows_per_call >= 0;
        const double totalMs = g.total_ms + q.total_ms;
        if (q.calls > mostCalls[q.fingerprint]) {
            mostCalls[q.fingerprint] = q.calls;
            g.text = q.text;
            g.queryid = q.queryid;
        }
        g.calls += q.calls;
        g.rows += q.rows;
        g.total_ms = totalMs;
        g.requests = std::max(g.requests, q.requests);
        g.calls_per_request = g.requests > 0 ? g.calls / g.requests : 0;
        g.rows_per_call = rowsKnown ? (g.calls > 0 ? g.rows / g.calls : 0) : -1;
        g.mean_ms = g.calls > 0 ? totalMs / g.calls : 0;
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const QueryStat &a, const QueryStat &b) { return a.calls_per_request > b.calls_per_request; });
    return out;
}

double perRequest(const RunData &run, int endpoint)
{
    bool profiled = false;
    double sum = 0;
    for (const QueryStat &q : run.queries) {
        if (q.phase != QueryPhase::Profile || q.endpoint != endpoint)
            continue;
        profiled = true;
        if (countsAsQuery(q))
            sum += q.calls_per_request;
    }
    return profiled ? sum : -1;
}

std::vector<int> profiledEndpoints(const RunData &run)
{
    std::set<int> seen;
    for (const QueryStat &q : run.queries)
        if (q.phase == QueryPhase::Profile)
            seen.insert(q.endpoint);
    std::vector<int> out;
    for (int e : seen)
        if (e >= 0)
            out.push_back(e);
    if (seen.count(-1))
        out.push_back(-1);
    return out;
}

double worstPerRequest(const RunData &run, int *endpoint)
{
    double worst = -1;
    for (int e : profiledEndpoints(run)) {
        const double v = perRequest(run, e);
        if (v > worst) {
            worst = v;
            if (endpoint)
                *endpoint = e;
        }
    }
    return worst;
}

double stagePerRequest(const RunData &run, int stage, uint64_t requests)
{
    bool measured = false;
    double calls = 0;
    for (const QueryStat &q : run.stage_queries) {
        if (q.stage != stage)
            continue;
        measured = true;
        if (countsAsQuery(q))
            calls += q.calls;
    }
    return measured && requests > 0 ? calls / double(requests) : -1;
}

} // namespace Preflight::QueryCount
