#pragma once

#include "data/querystat.h"
#include "pgstatements.h"
#include "plan/plan.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <map>
#include <vector>

namespace Preflight {

class PgConnection;
class RequestFactory;

// The profiling pass (README.md): each endpoint alone, K sequential requests, pg_stat_statements read
// before and after, giving each query's calls per request, rows per call, mean and total time per endpoint
// (QueryStat phase "profile"). Also turns a whole-run pair of snapshots into phase "run" stats.
//
// Blocking: run() sends requests with a libcurl easy handle (keep-alive, the plan's TLS settings and
// per-endpoint timeout) and reads the database through conn; call it from a worker thread, never the GUI
// thread. The factory must already carry the login token (RequestFactory::addCommonHeader). Nothing else
// should load the target during the pass: other traffic is attributed to the endpoint being profiled.
// Failures are values: an endpoint whose requests all fail has no stats and a warning.
class Profiler
{
public:
    struct Options
    {
        int requests_per_endpoint = 20; // K
    };
    struct EndpointResult
    {
        QString endpoint;  // its name, for warnings (Plan::endpointName); the stats hold its index
        int requests = 0;  // sent
        int responses = 0; // answered with any HTTP status (the denominator)
        std::map<int, int> status_counts;
        QString error; // last transport error, if any
        std::vector<QueryStat> stats;
    };
    struct Result
    {
        std::vector<EndpointResult> endpoints;
        QStringList warnings;
        std::vector<QueryStat> stats() const; // all endpoints' stats in one list
    };

    Profiler(PgConnection &conn, const Plan &plan, const RequestFactory &factory, const Options &options);
    Profiler(PgConnection &conn, const Plan &plan, const RequestFactory &factory);

    // stop (optional) is polled between requests; a stopped pass returns what it has.
    Result run(const std::atomic<bool> *stop = nullptr);

    // Phase "run": the whole load between two snapshots (endpoint empty, per-request figures 0 unless
    // totalRequests > 0).
    static std::vector<QueryStat> runStats(const PgStatements::Snapshot &before, const PgStatements::Snapshot &after,
                                           double totalRequests, QStringList *warnings);

private:
    PgConnection &m_conn;
    const Plan &m_plan;
    const RequestFactory &m_factory;
    Options m_options;
};

} // namespace Preflight
