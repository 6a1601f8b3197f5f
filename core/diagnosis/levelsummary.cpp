#include "levelsummary.h"

#include "querycount.h"

#include <algorithm>
#include <cmath>

namespace Preflight {

QString LevelSummary::loadLabel() const
{
    if (open_model)
        return QStringLiteral("%1 req/s").arg(rate);
    return users == 1 ? QStringLiteral("1 user") : QStringLiteral("%1 users").arg(users);
}

namespace {

void maxInto(int &target, int value)
{
    if (value >= 0)
        target = std::max(target, value);
}

} // namespace

std::optional<LevelSummary> summarizeLevel(const RunData &run, const StageInfo &stage, LevelDetail detail)
{
    const size_t endpointCount = run.plan.endpoints.size();
    if (stage.to <= 0 && stage.from <= 0)
        return std::nullopt; // idle
    LevelSummary level;
    level.stage = stage.index;
    level.open_model = stage.open_model;
    (stage.open_model ? level.rate : level.users) = std::max(stage.from, stage.to);
    level.ramp = stage.from != stage.to;
    level.label = stage.label;

    double first_s = -1, last_s = -1;
    for (const IntervalSnapshot &in : run.intervals) {
        if (in.stage_index != stage.index)
            continue;
        if (first_s < 0)
            first_s = in.start_s;
        last_s = in.end_s;
    }
    if (first_s < 0)
        return std::nullopt; // the run never reached this stage
    level.duration_s = last_s - first_s;
    // Steady span: skip the warm-up unless that would leave nothing.
    double steadyFrom_s = first_s + kLevelWarmup_s;
    if (steadyFrom_s >= last_s - 1e-9)
        steadyFrom_s = first_s;

    EndpointStats warmup;
    EndpointStats steady;
    if (detail == LevelDetail::PerEndpoint)
        level.endpoints.resize(endpointCount);
    std::vector<EndpointStats> steadyEndpoints(endpointCount);
    double steadyStart_s = -1;
    double clientCpu_s = 0, clientCapacity_s = 0;
    double hostBusy_s = 0, hostSpan_s = 0;
    for (const IntervalSnapshot &in : run.intervals) {
        if (in.stage_index != stage.index)
            continue;
        const bool isSteady = in.start_s >= steadyFrom_s - 1e-9;
        level.never_sent += in.dropped;
        level.queued_max = std::max(level.queued_max, in.queued);
        if (isSteady && in.client_cpu_s >= 0 && in.load_threads > 0) {
            clientCpu_s += in.client_cpu_s;
            clientCapacity_s += in.duration_s() * in.load_threads;
        }
        if (isSteady && in.host_cpu_busy >= 0) {
            hostBusy_s += in.host_cpu_busy * in.duration_s();
            hostSpan_s += in.duration_s();
            level.host_cpus = std::max(level.host_cpus, in.host_cpus);
        }
        if (isSteady && in.send_lag_ms >= 0)
            level.send_lag_ms_max = std::max(level.send_lag_ms_max, in.send_lag_ms);
        // One merge per endpoint and interval into the level (warm-up and steady apart, joined below); two more
        // only when per-endpoint figures are wanted. Histogram merges are what a level costs.
        for (size_t e = 0; e < in.endpoints.size(); ++e) {
            (isSteady ? steady : warmup).merge(in.endpoints[e]);
            if (detail != LevelDetail::PerEndpoint)
                continue;
            if (e >= level.endpoints.size()) {
                level.endpoints.resize(e + 1);
                steadyEndpoints.resize(e + 1);
            }
            level.endpoints[e].merge(in.endpoints[e]);
            if (isSteady)
                steadyEndpoints[e].merge(in.endpoints[e]);
        }
        if (isSteady) {
            if (steadyStart_s < 0)
                steadyStart_s = in.start_s;
            // A closed model never has more requests out than users. The engine reads in_flight at end_s,
            // which on a stage's last interval can already count the next stage's users (5 users showing
            // 20 in flight), and pool-exhaustion compares in-flight with the ceiling.
            const int inFlight = stage.open_model
                                     ? in.in_flight
                                     : std::min(in.in_flight, int(std::ceil(std::max(stage.from, stage.to))));
            level.in_flight_max = std::max(level.in_flight_max, inFlight);
        }
    }
    EndpointStats all = steady;
    all.merge(warmup);
    // Per-endpoint latency over the steady span, counts over the whole stage.
    for (size_t e = 0; e < level.endpoints.size(); ++e) {
        level.endpoints[e].latency = steadyEndpoints[e].latency;
        level.endpoints[e].latency_uncorrected = steadyEndpoints[e].latency_uncorrected;
    }
    level.steady_s = steadyStart_s >= 0 ? last_s - steadyStart_s : 0;
    if (clientCapacity_s > 0)
        level.client_cpu_share = clientCpu_s / clientCapacity_s;
    if (hostSpan_s > 0)
        level.host_cpu_busy = hostBusy_s / hostSpan_s;
    level.requests = all.requests;
    level.queries_per_request = QueryCount::stagePerRequest(run, stage.index, all.requests);
    level.ok = all.ok;
    level.errors = all.errors();
    level.timeouts = all.timeouts();
    level.error_rate = all.errorRate();
    level.success_rate = all.requests ? double(all.ok) / double(all.requests) : 1.0;
    level.timeout_rate = all.requests ? double(level.timeouts) / double(all.requests) : 0.0;
    if (level.steady_s > 0) {
        level.rps = double(steady.requests) / level.steady_s;
        level.ok_rps = double(steady.ok) / level.steady_s;
    }
    const LatencyHistogram &h = steady.latency;
    if (!h.isEmpty()) {
        level.p50_ms = h.percentile_ms(50);
        level.p90_ms = h.percentile_ms(90);
        level.p95_ms = h.percentile_ms(95);
        level.p99_ms = h.percentile_ms(99);
        level.p999_ms = h.percentile_ms(99.9);
        level.max_ms = double(h.max_us()) / 1000.0;
        level.mean_ms = h.mean_us() / 1000.0;
    }

    double activeSum = 0, runningSum = 0, busySum = 0;
    int runningSamples = 0, busySamples = 0;
    for (size_t k = 0; k < run.db_samples.size(); ++k) {
        const DbSample &s = run.db_samples[k];
        if (s.t_s < steadyFrom_s - 1e-9 || s.t_s > last_s + 1e-9)
            continue;
        // A sample's new_backends counts the sessions since the previous sample: at 1 Hz, a 1.5 s steady span
        // holds one or two samples, so churn must be set against the time they cover, not the span.
        if (k > 0)
            level.db_new_backends_span_s += s.t_s - run.db_samples[k - 1].t_s;
        maxInto(level.db_active_max, s.active);
        maxInto(level.db_backends_max, s.backends);
        maxInto(level.db_total_connections_max, s.total_connections);
        maxInto(level.db_waiting_on_lock_max, s.waiting_on_lock);
        maxInto(level.db_idle_in_transaction_max, s.idle_in_transaction);
        level.db_new_backends = std::max(level.db_new_backends, 0) + std::max(s.new_backends, 0);
        ++level.db_samples;
        activeSum += std::max(s.active, 0);
        if (s.active_running >= 0) {
            runningSum += s.active_running;
            ++runningSamples;
        }
        if (s.backends > 0) {
            busySum += double(std::max(s.active, 0) + std::max(s.idle_in_transaction, 0)) / double(s.backends);
            ++busySamples;
        }
    }
    if (level.db_samples > 0)
        level.db_active_mean = activeSum / level.db_samples;
    if (runningSamples > 0)
        level.db_active_running_mean = runningSum / runningSamples;
    if (busySamples > 0)
        level.db_busy_share_mean = busySum / busySamples;
    for (const PoolSample &p : run.pool_samples) {
        if (!p.ok || p.t_s < steadyFrom_s - 1e-9 || p.t_s > last_s + 1e-9)
            continue;
        maxInto(level.pool_in_use_max, p.in_use);
        maxInto(level.pool_max, p.max);
        maxInto(level.pool_waiting_max, p.waiting);
    }
    return level;
}

void fillEffectiveParallelism(std::vector<LevelSummary> &levels)
{
    const double s_ms = serviceTime_ms(levels);
    if (s_ms > 0)
        for (LevelSummary &level : levels)
            level.effective_parallelism = level.ok_rps * s_ms / 1000.0;
}

std::vector<LevelSummary> summarizeLevels(const RunData &run)
{
    std::vector<LevelSummary> levels;
    for (const StageInfo &stage : run.stages)
        if (std::optional<LevelSummary> level = summarizeLevel(run, stage))
            levels.push_back(std::move(*level));
    fillEffectiveParallelism(levels);
    return levels;
}

double serviceTime_ms(const std::vector<LevelSummary> &levels, double *fromLoad)
{
    // Prefer closed-model levels (a sweep); fall back to the lowest open-model rate.
    const LevelSummary *best = nullptr;
    for (bool open : {false, true}) {
        for (const LevelSummary &level : levels) {
            if (level.open_model != open || level.ramp || level.mean_ms <= 0)
                continue;
            if (!best || level.load() < best->load())
                best = &level;
        }
        if (best)
            break;
    }
    if (!best)
        return -1;
    if (fromLoad)
        *fromLoad = best->load();
    return best->mean_ms;
}

} // namespace Preflight
