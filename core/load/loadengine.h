#pragma once

#include "data/errorsample.h"
#include "data/intervalsnapshot.h"
#include "hostcpu.h"
#include "loaddriver.h"
#include "loadpath.h"
#include "loadsource.h"
#include "requestfactory.h"
#include "schedule.h"

#include <QString>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Preflight {

struct EngineOptions
{
    int workers = 0; // 0: cores − 1, at least 1
    int tick_ms = 250;
    int maxConnections = 256;   // open model connection cap (plan limits.max_users)
    TransportOptions transport; // TransportOptions::fromTarget(plan.target)
    qint64 maxResponseBytes = 16 << 20;
    QString engine = QStringLiteral("auto"); // load path asked for: "auto" | "curl" | "raw" (see loadpath.h)
    // A distributed run (core/distributed/segmentplan.h): this engine is segment `segmentIndex` of
    // `segmentCount`, every segment with the same `workers`. Local worker j is global worker
    // segmentIndex + segmentCount·j of workers·segmentCount, so the users and the open model's arrivals of all
    // segments together are exactly those of one engine with every worker. 1: a local run.
    int segmentIndex = 0;
    int segmentCount = 1;
};

// Drives the load of one run: N worker threads (LoadWorker on libcurl or RawWorker, see loadPath()) plus a coordinator
// thread that, every tick, swaps each worker's counts out, merges them into an IntervalSnapshot and hands it to the
// snapshot sink.
//
// Threading: construct, set sinks and start() from one thread. The sinks are called on the coordinator
// thread. stop() and abort() are thread-safe and never block. The destructor aborts and joins.
class LoadEngine : public LoadSource
{
public:
    LoadEngine(std::shared_ptr<const RequestFactory> factory, Schedule schedule, EngineOptions options);
    ~LoadEngine() override;

    void setSnapshotSink(SnapshotSink sink) override { m_snapshotSink = std::move(sink); }
    // Called once, on the coordinator thread, after the last snapshot.
    void setFinishedSink(FinishedSink sink) override { m_finishedSink = std::move(sink); }

    // Starts the clock, the workers and the coordinator. `start` becomes t = 0 of the run.
    void start(EngineClock::time_point start = EngineClock::now()) override;
    // First stop: no new requests from now on, in-flight ones may complete. Second: abort() .
    void stop() override;
    // Abandons in-flight requests at once.
    void abort() override;
    bool isStopping() const override { return m_shared.stopLevel.load() > 0; }
    bool wasAborted() const { return m_shared.stopLevel.load() >= 2; }
    bool isFinished() const { return m_finished.load(); }
    // Blocks until the run is over (for tests and the CLI's worker thread, never the GUI thread).
    void waitFinished();

    const Schedule &schedule() const { return m_schedule; }
    int workerCount() const override { return int(m_workers.size()); }
    // The load path carrying the requests, chosen once at construction, and why auto chose libcurl.
    LoadPath loadPath() const { return m_loadPath.path; }
    QString engineId() const override { return loadPathId(m_loadPath.path); }
    const QString &loadPathReason() const { return m_loadPath.reason; }
    EngineClock::time_point startTime() const { return m_shared.start; }
    // Failing responses kept as evidence; complete once finished.
    std::vector<ErrorSample> errorSamples() const override;
    uint64_t errorSamplesOverflow() const;

    static int defaultWorkerCount();

private:
    void coordinate();
    IntervalSnapshotPtr collect(int index, double start_s, double end_s);

    std::shared_ptr<const RequestFactory> m_factory;
    Schedule m_schedule;
    EngineOptions m_options;
    EngineShared m_shared;
    LoadPathChoice m_loadPath;
    std::vector<std::unique_ptr<LoadDriver>> m_workers;
    std::vector<double> m_workerCpu_s; // each worker's CPU clock at the previous collect(); coordinator thread
    HostCpuMeter m_hostCpu;            // the host's CPUs between collect()s; coordinator thread
    std::thread m_coordinator;
    SnapshotSink m_snapshotSink;
    FinishedSink m_finishedSink;
    std::mutex m_waitMutex;
    std::condition_variable m_waitCondition;
    std::atomic<bool> m_finished{false};
    bool m_started = false;
    mutable std::mutex m_failureMutex;
    FailureSampler m_failures;
};

} // namespace Preflight
