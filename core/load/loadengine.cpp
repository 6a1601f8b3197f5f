#include "loadengine.h"

#include "curlglobal.h"
#include "loadworker.h"
#include "rawworker.h"

#include <algorithm>
#include <mutex>

namespace Preflight {

namespace {
using namespace std::chrono;
} // namespace

int LoadEngine::defaultWorkerCount()
{
    const int cores = int(std::thread::hardware_concurrency());
    return std::max(1, cores - 1);
}

LoadEngine::LoadEngine(std::shared_ptr<const RequestFactory> factory, Schedule schedule, EngineOptions options)
    : m_factory(std::move(factory)), m_schedule(std::move(schedule)), m_options(std::move(options))
{
    ensureCurlGlobalInit();
    m_shared.factory = m_factory.get();
    m_shared.schedule = &m_schedule;
    const int requested = m_options.workers > 0 ? m_options.workers : defaultWorkerCount();
    // Never more workers than users: an idle worker would only add threads and noise.
    // A segment of a distributed run has the worker count its coordinator chose for every segment.
    const int segments = std::max(1, m_options.segmentCount);
    const int useful =
        m_schedule.isOpenModel() || segments > 1 ? requested : std::max(1, std::min(requested, int(m_schedule.peak())));
    m_shared.workerCount = useful * segments;
    m_shared.maxConnections = std::max(m_shared.workerCount, m_options.maxConnections);
    m_shared.transport = m_options.transport;
    m_shared.maxResponseBytes = m_options.maxResponseBytes;
    m_loadPath = chooseLoadPath(m_options.engine, m_factory->baseUrl(), m_options.transport);
    for (int i = 0; i < useful; ++i) {
        const int index = m_options.segmentIndex + segments * i;
        if (m_loadPath.path == LoadPath::Raw)
            m_workers.push_back(std::make_unique<RawWorker>(index, &m_shared));
        else
            m_workers.push_back(std::make_unique<LoadWorker>(index, &m_shared));
    }
}

LoadEngine::~LoadEngine()
{
    abort();
    if (m_coordinator.joinable())
        m_coordinator.join();
    for (auto &w : m_workers)
        w->join();
}

void LoadEngine::start(EngineClock::time_point start)
{
    Q_ASSERT(!m_started);
    m_started = true;
    m_shared.start = start;
    for (auto &w : m_workers)
        w->start();
    m_coordinator = std::thread([this] { coordinate(); });
}

void LoadEngine::stop()
{
    int expected = 0;
    if (!m_shared.stopLevel.compare_exchange_strong(expected, 1))
        m_shared.stopLevel.store(2);
    for (auto &w : m_workers)
        w->wake();
}

void LoadEngine::abort()
{
    m_shared.stopLevel.store(2);
    for (auto &w : m_workers)
        w->wake();
}

void LoadEngine::waitFinished()
{
    std::unique_lock<std::mutex> lock(m_waitMutex);
    m_waitCondition.wait(lock, [this] { return m_finished.load(); });
}

std::vector<ErrorSample> LoadEngine::errorSamples() const
{
    std::lock_guard<std::mutex> lock(m_failureMutex);
    return m_failures.samples();
}

uint64_t LoadEngine::errorSamplesOverflow() const
{
    std::lock_guard<std::mutex> lock(m_failureMutex);
    return m_failures.overflow();
}

IntervalSnapshotPtr LoadEngine::collect(int index, double start_s, double end_s)
{
    auto snapshot = std::make_shared<IntervalSnapshot>();
    snapshot->index = index;
    snapshot->start_s = start_s;
    snapshot->end_s = end_s;
    snapshot->endpoints.resize(size_t(m_factory->endpointCount()));
    // The stage is the one the interval mostly belongs to: its midpoint's.
    snapshot->stage_index = m_schedule.stageAt((start_s + end_s) / 2);
    const double target = m_schedule.targetAt(std::min(end_s, m_schedule.duration_s()) - 1e-9);
    (m_schedule.isOpenModel() ? snapshot->target_rate : snapshot->target_users) =
        snapshot->stage_index >= 0 ? target : 0;
    FailureSampler failures;
    // The generator's own CPU over the interval (generator-saturated): the load threads' CPU clocks.
    double cpu_s = 0;
    bool cpuKnown = !m_workers.empty();
    for (size_t i = 0; i < m_workers.size(); ++i) {
        const double now_s = m_workers[i]->cpuSeconds();
        if (i >= m_workerCpu_s.size())
            m_workerCpu_s.resize(i + 1, 0.0);
        if (now_s < 0) {
            cpuKnown = false;
            continue;
        }
        cpu_s += std::max(0.0, now_s - m_workerCpu_s[i]);
        m_workerCpu_s[i] = now_s;
    }
    if (cpuKnown) {
        snapshot->client_cpu_s = cpu_s;
        snapshot->load_threads = int(m_workers.size());
    }
    if (const std::optional<double> busy = m_hostCpu.busyShareSinceLast()) {
        snapshot->host_cpu_busy = *busy;
        snapshot->host_cpus = m_hostCpu.cpuCount();
    }
    for (auto &w : m_workers) {
        WorkerInterval part = w->takeInterval();
        for (size_t e = 0; e < part.endpoints.size(); ++e)
            snapshot->endpoints[e].merge(part.endpoints[e]);
        snapshot->started += part.started;
        snapshot->dropped += part.dropped;
        if (part.send_lag_ms >= 0)
            snapshot->send_lag_ms = std::max(snapshot->send_lag_ms, part.send_lag_ms);
        snapshot->in_flight += w->inFlight();
        snapshot->queued += w->queued();
        failures.merge(w->takeFailures());
    }
    // The snapshot is kept by the run (and copied by the GUI) but never recorded into again.
    for (EndpointStats &e : snapshot->endpoints)
        e.compactHistograms();
    std::lock_guard<std::mutex> lock(m_failureMutex);
    m_failures.merge(failures);
    return snapshot;
}

void LoadEngine::coordinate()
{
    const auto tick = milliseconds(std::max(10, m_options.tick_ms));
    int index = 0;
    double previous_s = 0;
    auto allFinished = [this] {
        return std::all_of(m_workers.begin(), m_workers.end(), [](const auto &w) { return w->finished(); });
    };
    while (true) {
        const auto due = m_shared.start + tick * (index + 1);
        // Sleep in short steps so that the end of a drain is noticed without waiting a whole tick.
        bool done = false;
        while (EngineClock::now() < due) {
            if (allFinished()) {
                done = true;
                break;
            }
            std::this_thread::sleep_until(std::min(due, EngineClock::now() + milliseconds(20)));
        }
        done = done || allFinished();
        const double end_s = duration<double>(std::min(EngineClock::now(), due) - m_shared.start).count();
        auto snapshot = collect(index, previous_s, std::max(end_s, previous_s));
        if (!done || snapshot->started > 0 || snapshot->total().requests > 0 || index == 0) {
            if (m_snapshotSink)
                m_snapshotSink(snapshot);
            ++index;
            previous_s = snapshot->end_s;
        }
        if (done)
            break;
    }
    for (auto &w : m_workers)
        w->join();
    {
        std::lock_guard<std::mutex> lock(m_waitMutex);
        m_finished.store(true);
    }
    if (m_finishedSink)
        m_finishedSink();
    m_waitCondition.notify_all();
}

} // namespace Preflight
