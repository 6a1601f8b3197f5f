#pragma once

#include "barrierprogress.h"
#include "distributedoptions.h"
#include "load/loadsource.h"
#include "load/schedule.h"
#include "plan/plan.h"

#include <QStringList>
#include <QThread>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>

namespace Preflight {

class AgentCoordinator;

// The load of a distributed run (`--agents N`): the agents' merged interval stream, behind the same LoadSource
// seam as a local LoadEngine, so that RunController stores, shows, gates and diagnoses it the same way. Owns a
// thread with an event loop where the AgentCoordinator (TLS WebSocket server) lives.
//
// Threading: prepare() blocks and is called on a helper thread (RunController's preparer); cancel() and the
// LoadSource members are thread-safe. Sinks are called on the coordinator's thread.
class DistributedLoad : public LoadSource
{
public:
    explicit DistributedLoad(const DistributedOptions &options);
    ~DistributedLoad() override;

    // Listens, waits at the ready barrier for every agent (authenticated, clock within the bound), then hands
    // each its segment and waits until all accepted. Returns "" or a message that names who is missing and the
    // fix. `plan` keeps its secret placeholders (each agent resolves them itself); `headers` are resolved
    // extra headers for every request (the login token), sent over the authenticated TLS channel only.
    QString prepare(const Plan &plan, const Schedule &schedule, const QStringList &headers, bool allowNonLoopback);
    // Ends a prepare() that is waiting (the user stopped the run). Thread-safe.
    void cancel();
    bool isCancelled() const;
    // Called on the coordinator's thread while prepare() waits at the ready barrier: it listens, an agent came,
    // was refused or left. Set or clear it from any thread; once cleared it is never called again (clearing waits
    // for a call under way), so a sink may capture objects that only live as long as the caller clears it.
    void setProgressSink(std::function<void(const BarrierProgress &)> sink);

    void setSnapshotSink(SnapshotSink sink) override { m_snapshotSink = std::move(sink); }
    void setFinishedSink(FinishedSink sink) override { m_finishedSink = std::move(sink); }
    // One second ahead: time for start_at to reach every agent before the instant it names.
    EngineClock::time_point proposedStart() const override;
    void start(EngineClock::time_point start) override;
    void stop() override;
    void abort() override;
    bool isStopping() const override { return m_stopLevel.load() > 0; }
    int workerCount() const override { return m_workers.load(); }
    QString engineId() const override;
    std::vector<ErrorSample> errorSamples() const override;
    LoadFailure failure() const override;

private:
    QString waitForResult();
    void post(std::function<void()> call);
    void deliver(const QString &result);

    DistributedOptions m_options;
    QThread m_thread;
    AgentCoordinator *m_coordinator = nullptr;                   // lives on m_thread
    std::function<void(const BarrierProgress &)> m_progressSink; // guarded by m_progressMutex
    std::mutex m_progressMutex;
    SnapshotSink m_snapshotSink;
    FinishedSink m_finishedSink;
    std::atomic<int> m_stopLevel{0};
    std::atomic<int> m_workers{0};
    QString m_engineId; // set with m_workers, before start(); guarded by m_mutex
    mutable std::mutex m_mutex;
    std::condition_variable m_condition;
    std::optional<QString> m_result; // of the step prepare() waits for
    bool m_cancelled = false;
    std::vector<ErrorSample> m_errorSamples; // set when finished
    LoadFailure m_failure;
};

} // namespace Preflight
