#include "syntheticstream.h"

#include <algorithm>
#include <cmath>

using namespace Preflight;

namespace PreflightBench {

namespace {

constexpr double kLambda = 150;   // requests/s of one user
constexpr double kSigma = 0.03;   // USL contention
constexpr double kKappa = 0.0004; // USL coherency: peak near sqrt((1 - σ) / κ) ≈ 49 users
constexpr int kPoolMax = 20;
constexpr double kTimeout_ms = 10000;

const char *const kResources[] = {"customers", "orders",  "invoices", "products", "appointments",
                                  "users",     "reports", "search",   "carts",    "payments"};

} // namespace

double SyntheticStream::throughput(double users)
{
    return users > 0 ? kLambda * users / latencyFactor(users) : 0;
}

double SyntheticStream::latencyFactor(double users)
{
    const double n = std::max(users, 1.0);
    return 1 + kSigma * (n - 1) + kKappa * n * (n - 1);
}

SyntheticStream::SyntheticStream(int endpoints, const std::vector<int> &levels, double step_s, unsigned seed)
    : m_rng(seed)
{
    m_plan.name = QStringLiteral("GUI replay: %1 endpoints, sweep").arg(endpoints);
    m_plan.target.base_url = QStringLiteral("http://127.0.0.1:8000");
    m_plan.target.timeout_ms = int(kTimeout_ms);
    m_plan.database.conninfo = QStringLiteral("host=127.0.0.1 dbname=app");
    m_plan.scenario.preset = QStringLiteral("sweep");
    m_plan.scenario.levels = levels;
    m_plan.scenario.step_s = step_s;
    m_plan.gates = QStringLiteral("launch");
    m_plan.limits.max_duration_s = double(levels.size()) * step_s + 60;
    m_plan.limits.max_users = 256;

    std::uniform_real_distribution<double> unit(0.0, 1.0);
    double weights = 0;
    std::vector<double> weight(size_t(endpoints), 1.0);
    for (int i = 0; i < endpoints; ++i) {
        const char *resource = kResources[i % 10];
        EndpointSpec spec;
        Endpoint e;
        // 70% reads, then creates, updates and deletes: the mix of a typical admin API.
        const int kind = i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : (i % 20 == 9 ? 2 : 3);
        const QString base = QStringLiteral("/api/v%1/%2").arg(1 + i / 10).arg(QLatin1String(resource));
        switch (kind) {
        case 0:
            spec.method = QStringLiteral("GET");
            spec.path = i % 3 == 0 ? base : base + QStringLiteral("/{id}?include=details");
            e.hasIds = i % 3 != 0;
            weight[size_t(i)] = 1 + 4 * unit(m_rng);
            break;
        case 1:
            spec.method = QStringLiteral("POST");
            spec.path = base;
            e.okStatus = 201;
            weight[size_t(i)] = 0.5 + unit(m_rng);
            break;
        case 2:
            spec.method = QStringLiteral("PUT");
            spec.path = base + QStringLiteral("/{id}");
            weight[size_t(i)] = 0.5;
            break;
        default:
            spec.method = QStringLiteral("DELETE");
            spec.path = base + QStringLiteral("/{id}");
            e.okStatus = 204;
            weight[size_t(i)] = 0.2;
            break;
        }
        spec.name = QStringLiteral("%1 %2 #%3").arg(spec.method, QLatin1String(resource)).arg(i + 1);
        spec.weight = weight[size_t(i)];
        weights += spec.weight;
        // Service time log-uniform over 1.5–40 ms; every 16th endpoint is a slow report (150–400 ms).
        e.service_ms = i % 16 == 15 ? 150 + 250 * unit(m_rng) : 1.5 * std::pow(40 / 1.5, unit(m_rng));
        e.serverErrorShare = i % 6 == 2 ? 0.001 + 0.003 * unit(m_rng) : 0;
        m_plan.endpoints.push_back(spec);
        m_endpoints.push_back(e);
    }
    for (int i = 0; i < endpoints; ++i)
        m_endpoints[size_t(i)].share = weight[size_t(i)] / weights;
    m_carry.assign(size_t(endpoints), 0.0);
    m_schedule = Schedule::compile(m_plan.scenario);
    m_ticks = int(std::lround(m_schedule.duration_s() / kTick_s));
}

IntervalSnapshotPtr SyntheticStream::snapshot(int index)
{
    auto s = std::make_shared<IntervalSnapshot>();
    s->index = index;
    s->start_s = index * kTick_s;
    s->end_s = (index + 1) * kTick_s;
    s->stage_index = m_schedule.stageAt(s->start_s);
    const double users = m_schedule.targetAt(s->start_s);
    s->target_users = users;
    s->in_flight = int(users);
    s->endpoints.resize(m_endpoints.size());

    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 0.35);
    const double total = throughput(users);
    const double factor = latencyFactor(users);
    // Error shares that grow with the load (the overload a sweep is run to find).
    const double timeoutShare = users >= 100 ? 0.003 * (users - 75) / 125 : 0;
    const double refusedShare = users >= 150 ? 0.0008 : 0;
    const double resetShare = users >= 100 ? 0.0005 : 0;
    const double sheddingShare = users > 50 ? 0.04 * (users - 50) / 150 : 0;
    const double throttledShare = users >= 100 ? 0.005 : 0;

    uint64_t started = 0;
    for (size_t i = 0; i < m_endpoints.size(); ++i) {
        const Endpoint &e = m_endpoints[i];
        EndpointStats &stats = s->endpoints[i];
        m_carry[i] += total * e.share * kTick_s * (0.9 + 0.2 * unit(m_rng));
        const auto requests = uint64_t(m_carry[i]);
        m_carry[i] -= double(requests);
        started += requests;
        for (uint64_t r = 0; r < requests; ++r) {
            ++stats.requests;
            double latency_ms = e.service_ms * factor * std::exp(normal(m_rng));
            if (unit(m_rng) < 0.01)
                latency_ms *= 3 + 5 * unit(m_rng);
            double draw = unit(m_rng);
            auto take = [&draw](double share) {
                if (draw < share)
                    return true;
                draw -= share;
                return false;
            };
            if (take(timeoutShare)) {
                latency_ms = kTimeout_ms;
                ++stats.transport_errors[int(ErrorClass::Timeout)];
            } else if (take(refusedShare)) {
                latency_ms = 0.3 + unit(m_rng);
                ++stats.transport_errors[int(ErrorClass::Connect)];
            } else if (take(resetShare)) {
                ++stats.transport_errors[int(ErrorClass::Reset)];
            } else {
                int status = e.okStatus;
                if (take(sheddingShare)) {
                    status = 503;
                    latency_ms = 1 + 2 * unit(m_rng);
                } else if (take(throttledShare)) {
                    status = 429;
                    latency_ms = 0.5 + unit(m_rng);
                } else if (take(e.serverErrorShare)) {
                    status = 500;
                } else if (e.hasIds && take(0.003)) {
                    status = 404;
                    latency_ms *= 0.5;
                }
                ++stats.status_counts[status];
                if (status >= 400)
                    ++stats.http_errors;
                else
                    ++stats.ok;
                stats.bytes_received += 1000 + uint64_t(19000 * unit(m_rng));
            }
            const auto micros = uint64_t(std::max(latency_ms, 0.001) * 1000.0);
            stats.latency.record(micros);
            // Closed model: intended and actual send coincide but for scheduling jitter.
            stats.latency_uncorrected.record(micros - std::min<uint64_t>(micros, uint64_t(50 * unit(m_rng))));
        }
    }
    s->started = started;
    for (EndpointStats &stats : s->endpoints)
        stats.compactHistograms(); // as LoadEngine::collect hands its snapshots out
    return s;
}

DbSample SyntheticStream::dbSample(double t_s)
{
    const double users = m_schedule.targetAt(t_s);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    DbSample d;
    d.t_s = t_s;
    d.backends = std::min(kPoolMax, std::max(2, int(users)));
    d.active = std::min(d.backends, int(std::ceil(users * (0.5 + 0.2 * unit(m_rng)))));
    d.waiting_on_lock = users > 75 ? std::min(d.active, int((users - 75) / 20)) : 0;
    d.idle_in_transaction = users >= 20 && d.active < d.backends ? 1 : 0;
    d.idle = std::max(0, d.backends - d.active - d.idle_in_transaction);
    d.longest_transaction_s = 0.02 * latencyFactor(users) * (1 + unit(m_rng));
    d.max_connections = 100;
    d.total_connections = d.backends + 6;
    d.by_wait_event_type[QStringLiteral("Lock")] = d.waiting_on_lock;
    d.by_wait_event_type[QStringLiteral("IO")] = std::max(0, d.active - d.waiting_on_lock) / 3;
    d.by_wait_event_type[QStringLiteral("Client")] = d.idle + d.idle_in_transaction;
    d.by_application[QStringLiteral("app")] = d.backends;
    return d;
}

PoolSample SyntheticStream::poolSample(double t_s)
{
    const double users = m_schedule.targetAt(t_s);
    PoolSample p;
    p.t_s = t_s;
    p.ok = true;
    p.max = kPoolMax;
    p.in_use = std::min(kPoolMax, int(std::ceil(users * 0.8)));
    p.idle = kPoolMax - p.in_use;
    p.waiting = std::max(0, int((users - kPoolMax) / 2));
    return p;
}

} // namespace PreflightBench
