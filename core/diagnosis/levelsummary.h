#pragma once

#include "data/endpointstats.h"
#include "data/rundata.h"

#include <QString>

#include <optional>
#include <vector>

namespace Preflight {

// What one stage of the schedule (a sweep level, a sustain period) measured: the rows of the "damage
// table" and of `levels` in the JSON summary (docs/architecture.md).
//
// Warm-up: the first kLevelWarmup_s of each stage is excluded from throughput, latency and the DB/pool
// maxima (a new level needs a moment for users to start and pools to grow). Counts (requests, errors,
// timeouts, error and success rates) cover the whole stage, so that no failure is hidden by the warm-up.
// When a stage is shorter than the warm-up, everything covers the whole stage.
struct LevelSummary
{
    int stage = -1; // index into RunData::stages
    bool open_model = false;
    double users = 0;  // closed model: virtual users (stage target at its end); 0 for open model
    double rate = 0;   // open model: arrivals/s asked for; 0 for closed model
    bool ramp = false; // from != to: the numbers mix loads
    QString label;

    double duration_s = 0; // measured span of the stage's intervals
    double steady_s = 0;   // span used for rps and latency (after warm-up)
    uint64_t requests = 0;
    uint64_t ok = 0;
    uint64_t errors = 0;
    uint64_t timeouts = 0;
    // Open model: arrivals that were due but never sent because every connection was busy (IntervalSnapshot::
    // dropped, whole stage). Each is also one of `requests` and `timeouts` and enters the corrected latency with
    // the time it waited (at least the timeout), so a saturated generator cannot hide its worst requests; this
    // says how many of the timeouts were Preflight's own connection cap, not the backend. 0 in a closed model.
    uint64_t never_sent = 0;
    int queued_max = 0;      // open model: arrivals waiting for a free connection, max over the stage's intervals
    double rps = 0;          // completed requests/s over the steady span
    double ok_rps = 0;       // successful (1xx-3xx) requests/s over the steady span
    double error_rate = 0;   // errors / requests, 0..1
    double success_rate = 0; // ok / requests, 0..1 (1 when there were no requests)
    double timeout_rate = 0; // timeouts / requests, 0..1

    // Latency (corrected, see EndpointStats) over the steady span, all endpoints; 0 when no requests.
    double p50_ms = 0, p90_ms = 0, p95_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;

    int in_flight_max = 0; // client requests outstanding, max over steady intervals
    // Maxima over the DB/pool samples whose t_s falls in the steady span; -1 = no sample (unknown).
    int db_active_max = -1;
    int db_backends_max = -1;
    int db_total_connections_max = -1;
    int db_waiting_on_lock_max = -1;
    int db_idle_in_transaction_max = -1;
    int db_new_backends = -1;          // sum of new_backends over the steady samples
    double db_new_backends_span_s = 0; // time those samples cover (each: since the previous sample)
    // Means over the same samples (-1 = no sample or not recorded by this run's format): app sessions active,
    // active and working (not waiting on a lock, the client or a sleep), and the share of the app's sessions
    // that are busy (active or idle in a transaction) — a pool whose connections queue requests is busy, a
    // worker pool's persistent connections mostly are not.
    int db_samples = 0;
    double db_active_mean = -1;
    double db_active_running_mean = -1;
    double db_busy_share_mean = -1;
    // The load generator over the steady span: CPU its load threads used / (span × threads), 0..1; the largest
    // send lag (open model); -1 when not measured.
    double client_cpu_share = -1;
    double send_lag_ms_max = -1;
    // The host's CPUs over the steady span (all together, time-weighted), 0..1, and how many; -1 / 0 not measured.
    double host_cpu_busy = -1;
    int host_cpus = 0;
    int pool_in_use_max = -1;
    int pool_max = -1;
    int pool_waiting_max = -1;
    // pg_stat_statements calls over the whole stage / its requests (RunData::stage_queries); -1 = unknown.
    double queries_per_request = -1;

    // Little's law: ok_rps × service time (CapacityModel); -1 until a service time is known.
    double effective_parallelism = -1;

    std::vector<EndpointStats> endpoints; // per plan endpoint, whole stage counts, steady-span latencies

    // The load of this level: users (closed model) or rate (open model).
    double load() const { return open_model ? rate : users; }
    QString loadLabel() const; // "20 users", "50 req/s"
};

constexpr double kLevelWarmup_s = 0.5;

// One summary per stage that carries load (idle stages, users and rate 0, are skipped), in stage order.
// effective_parallelism is filled from serviceTime_ms() of the result. Pure; never fails (an empty run
// gives an empty vector).
std::vector<LevelSummary> summarizeLevels(const RunData &run);
// One stage's summary without effective_parallelism (which needs every level); nullopt for an idle stage or one
// the run never reached. Costs one pass over the run's intervals and merges of that stage's only; Totals leaves
// LevelSummary::endpoints empty and costs a third of PerEndpoint (one histogram merge per endpoint and interval).
enum class LevelDetail { PerEndpoint, Totals };
std::optional<LevelSummary> summarizeLevel(const RunData &run, const StageInfo &stage,
                                           LevelDetail detail = LevelDetail::PerEndpoint);
// Sets effective_parallelism of every level from serviceTime_ms(levels).
void fillEffectiveParallelism(std::vector<LevelSummary> &levels);

// Service time S in ms: the mean latency of the lowest closed-model level (1 user in a sweep), or of the
// lowest-rate open-model level. Mean, not P50, because Little's law relates means (L = λ·W). -1 when no
// level has requests. *fromLoad (optional) receives the load of the level it was taken from.
double serviceTime_ms(const std::vector<LevelSummary> &levels, double *fromLoad = nullptr);

} // namespace Preflight
