#pragma once

#include "data/rundata.h"

#include <QString>

#include <functional>
#include <vector>

// Builders of synthetic runs for the diagnosis tests: what the load engine, the DB sampler and the pool
// sampler would have stored for a backend that behaves as described. Deterministic for a given seed.
namespace Preflight::Synthetic {

struct EndpointDef
{
    QString name;
    QString method = QStringLiteral("GET");
    QString path;
};

// How one endpoint behaves during one level.
struct EndpointLoad
{
    double rps = 0;         // completed requests per second
    double latency_ms = 10; // centre of the latency distribution
    double spread = 0.2;    // latency uniform in [1 − spread, 1 + spread] × latency_ms
    double error_share = 0; // share answered with error_status
    int error_status = 500;
    double error_latency_ms = -1; // latency of error answers; -1 = same as latency_ms
    double timeout_share = 0;     // share failing with a transport timeout (latency = timeout_ms)
    // Open model: share of arrivals never sent because every one of Preflight's connections was busy (a timeout
    // with latency timeout_ms in the corrected histogram only, counted in IntervalSnapshot::dropped).
    double never_sent_share = 0;
    double timeout_ms = 10000;
};

// One stage of the schedule and what the DB/pool show during it; -1 = no sample of that kind.
struct Level
{
    double users = 0; // closed model
    double rate = -1; // open model when > 0
    double duration_s = 10;
    std::vector<EndpointLoad> endpoints;
    int in_flight = -1; // default: users (closed) or rate × latency (open)
    int db_backends = -1, db_active = -1, db_idle_in_transaction = 0, db_waiting_on_lock = 0;
    double db_idle_in_transaction_s = 0.5; // how long each idle-in-transaction session has been idle
    int db_active_running = -1;            // default: every active session is working
    double db_new_backends_per_s = 0;
    int db_total_connections = -1;
    int pool_in_use = -1, pool_max = -1, pool_waiting = -1;
};

struct Spec
{
    std::vector<EndpointDef> endpoints{{QStringLiteral("list"), QStringLiteral("GET"), QStringLiteral("/items")}};
    std::vector<Level> levels;
    QString db_kind = QStringLiteral("none"); // none | postgresql | sqlite
    int max_connections = 100;
    double noise = 0; // ± relative noise on rps and latency per interval
    unsigned seed = 1;
    double tick_s = 0.25;
    double timeout_ms = 10000; // plan target timeout
    int max_users = 256;       // plan limits.max_users (the open model's connection cap)
};

RunData build(const Spec &spec);

// Closed-model sweep: for each users count, `shape` fills the level (endpoint loads and DB numbers).
Spec sweep(const std::vector<int> &users, const std::function<void(Level &)> &shape, double step_s = 10);

// A single endpoint with throughput x(N) and latency derived from Little's law (R = N / X).
EndpointLoad closedLoad(double users, double rps);

// One endpoint's statement from the profiling pass (20 requests): `endpoint` its index in the run's
// plan.endpoints, `cpr` calls per request, `rowsPerCall` rows per call (< 0: rows not measured, as with log-based
// profiling), `mean_ms` per call.
QueryStat profileStat(int endpoint, const QString &text, double cpr, double rowsPerCall, double mean_ms = 0.2);

} // namespace Preflight::Synthetic
