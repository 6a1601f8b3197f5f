#include "syntheticrun.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace Preflight::Synthetic {

EndpointLoad closedLoad(double users, double rps)
{
    EndpointLoad e;
    e.rps = rps;
    e.latency_ms = rps > 0 ? users / rps * 1000.0 : 0;
    return e;
}

Spec sweep(const std::vector<int> &users, const std::function<void(Level &)> &shape, double step_s)
{
    Spec spec;
    for (int n : users) {
        Level l;
        l.users = n;
        l.duration_s = step_s;
        shape(l);
        spec.levels.push_back(l);
    }
    return spec;
}

RunData build(const Spec &spec)
{
    RunData run;
    run.info.name = QStringLiteral("synthetic");
    run.info.status = RunStatus::Completed;
    run.info.target = QStringLiteral("http://127.0.0.1:8000");
    run.plan.name = QStringLiteral("synthetic");
    run.plan.target.base_url = run.info.target;
    run.plan.target.timeout_ms = int(spec.timeout_ms);
    run.plan.limits.max_users = spec.max_users;
    for (const EndpointDef &e : spec.endpoints) {
        EndpointSpec es;
        es.name = e.name;
        es.method = e.method;
        es.path = e.path;
        run.plan.endpoints.push_back(es);
    }
    run.database.kind = spec.db_kind;
    if (spec.db_kind == QLatin1String("postgresql")) {
        run.plan.database.conninfo = QStringLiteral("host=127.0.0.1 dbname=app");
        run.database.max_connections = spec.max_connections;
        run.database.pg_stat_statements = QStringLiteral("ok");
    } else if (spec.db_kind == QLatin1String("sqlite")) {
        run.plan.database.conninfo = QStringLiteral("sqlite:/tmp/app.db");
        run.database.journal_mode = QStringLiteral("rollback");
    }

    std::mt19937 rng(spec.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    auto noisy = [&](double v) { return spec.noise > 0 ? v * (1 + spec.noise * (2 * unit(rng) - 1)) : v; };

    double t_s = 0;
    int tick = 0;
    double nextDb_s = 0;
    for (size_t si = 0; si < spec.levels.size(); ++si) {
        const Level &lv = spec.levels[si];
        StageInfo st;
        st.index = int(si);
        st.start_s = t_s;
        st.duration_s = lv.duration_s;
        st.open_model = lv.rate > 0;
        st.from = st.to = st.open_model ? lv.rate : lv.users;
        st.label = st.open_model ? QStringLiteral("%1 req/s").arg(lv.rate) : QStringLiteral("%1 users").arg(lv.users);
        run.stages.push_back(st);
        std::vector<double> carry(lv.endpoints.size(), 0.0);
        const int ticks = int(std::lround(lv.duration_s / spec.tick_s));
        for (int k = 0; k < ticks; ++k, ++tick) {
            IntervalSnapshot in;
            in.index = tick;
            in.start_s = t_s;
            in.end_s = t_s + spec.tick_s;
            in.stage_index = int(si);
            in.target_users = st.open_model ? 0 : lv.users;
            in.target_rate = st.open_model ? lv.rate : 0;
            in.endpoints.resize(spec.endpoints.size());
            double latencySum = 0;
            for (size_t e = 0; e < lv.endpoints.size() && e < spec.endpoints.size(); ++e) {
                const EndpointLoad &load = lv.endpoints[e];
                carry[e] += noisy(load.rps) * spec.tick_s;
                const int n = int(std::floor(carry[e]));
                carry[e] -= n;
                EndpointStats &s = in.endpoints[e];
                const double lat = noisy(load.latency_ms);
                for (int r = 0; r < n; ++r) {
                    const double u = unit(rng);
                    double ms = lat * (1 - load.spread + 2 * load.spread * unit(rng));
                    s.requests++;
                    if (u < load.never_sent_share) {
                        s.transport_errors[size_t(ErrorClass::Timeout)]++;
                        s.latency.record(uint64_t(load.timeout_ms * 1000.0));
                        ++in.dropped;
                        continue;
                    }
                    if (u < load.never_sent_share + load.timeout_share) {
                        s.transport_errors[size_t(ErrorClass::Timeout)]++;
                        ms = load.timeout_ms;
                    } else if (u < load.never_sent_share + load.timeout_share + load.error_share) {
                        s.http_errors++;
                        s.status_counts[load.error_status]++;
                        if (load.error_latency_ms >= 0)
                            ms = load.error_latency_ms;
                    } else {
                        s.ok++;
                        s.status_counts[200]++;
                    }
                    const uint64_t us = uint64_t(std::max(1.0, ms * 1000.0));
                    s.latency.record(us);
                    s.latency_uncorrected.record(us);
                }
                latencySum += load.rps * load.latency_ms / 1000.0;
            }
            in.in_flight =
                lv.in_flight >= 0 ? lv.in_flight : (st.open_model ? int(std::lround(latencySum)) : int(lv.users));
            in.started = 0;
            run.intervals.push_back(std::move(in));
            t_s += spec.tick_s;
            // DB and pool samples at 1 Hz on the run clock.
            while (nextDb_s <= t_s + 1e-9) {
                if (spec.db_kind == QLatin1String("postgresql") && lv.db_backends >= 0) {
                    DbSample d;
                    d.t_s = nextDb_s;
                    d.backends = lv.db_backends;
                    d.active = lv.db_active >= 0 ? lv.db_active : lv.db_backends;
                    d.idle_in_transaction = lv.db_idle_in_transaction;
                    d.idle_in_transaction_s.assign(size_t(std::max(0, lv.db_idle_in_transaction)),
                                                   lv.db_idle_in_transaction_s);
                    d.active_running = lv.db_active_running >= 0 ? lv.db_active_running : d.active;
                    d.idle = std::max(0, d.backends - d.active - d.idle_in_transaction);
                    d.waiting_on_lock = lv.db_waiting_on_lock;
                    d.new_backends = int(std::lround(noisy(lv.db_new_backends_per_s)));
                    d.max_connections = spec.max_connections;
                    d.total_connections = lv.db_total_connections >= 0 ? lv.db_total_connections : d.backends + 5;
                    if (d.waiting_on_lock > 0)
                        d.by_wait_event_type[QStringLiteral("Lock")] = d.waiting_on_lock;
                    d.by_application[QStringLiteral("app")] = d.backends;
                    run.db_samples.push_back(d);
                }
                if (lv.pool_max >= 0) {
                    PoolSample p;
                    p.t_s = nextDb_s;
                    p.ok = true;
                    p.in_use = lv.pool_in_use;
                    p.max = lv.pool_max;
                    p.idle = std::max(0, lv.pool_max - lv.pool_in_use);
                    p.waiting = lv.pool_waiting;
                    run.pool_samples.push_back(p);
                }
                nextDb_s += 1.0;
            }
        }
    }
    run.info.duration_s = t_s;
    return run;
}

QueryStat profileStat(int endpoint, const QString &text, double cpr, double rowsPerCall, double mean_ms)
{
    QueryStat q;
    q.phase = QueryPhase::Profile;
    q.endpoint = endpoint;
    q.fingerprint = QString::number(qHash(text), 16);
    q.text = text;
    q.requests = 20;
    q.calls = cpr * 20;
    q.calls_per_request = cpr;
    q.rows_per_call = rowsPerCall;
    q.rows = rowsPerCall < 0 ? -1 : rowsPerCall * q.calls;
    q.mean_ms = mean_ms;
    q.total_ms = q.mean_ms * q.calls;
    return q;
}

} // namespace Preflight::Synthetic
