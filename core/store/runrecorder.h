#pragma once

#include "runbatch.h"
#include "runoutcome.h"
#include "storeerror.h"

#include "data/rundata.h"

#include <QObject>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace Preflight {

class RunStore;
class WriterLock;

// Records one run into a run store while it happens, on its own writer thread.
//
// beginRun() opens the store and inserts the run as `running` (blocking: one open plus one small
// transaction, a few ms; quick_check is skipped here, the history view checks the file). After that,
// every append*/set* call only moves a value into a queue under a mutex: cheap, thread-safe, callable
// from the GUI thread or engine callbacks, never waits for the disk. The writer thread commits what is
// queued every commitInterval_ms (default 250 ms, so a kill -9 loses at most ~0.25 s plus one commit),
// in one transaction per tick. While the run is recorded the writer holds a WriterLock next to the store
// file; a run whose lock is free on a later open is marked `interrupted`.
//
// finishRun() queues the outcome; the writer flushes, writes it, sets the final status and stops; then
// runFinished(id) is emitted (from the writer thread; connect with a queued connection to touch widgets),
// or writeFailed(message). waitForFinished() blocks until then (CLI, tests).
//
// A failed commit (disk full, store locked) keeps its data queued and is retried on the next tick;
// writeFailed() is emitted once per distinct message. Destroying a recorder whose run is not finished
// finishes it as `interrupted` ("Preflight closed before the run finished").
class RunRecorder : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultCommitInterval_ms = 250;

    struct Stats
    {
        uint64_t commits = 0;
        uint64_t intervals_written = 0;
        double last_commit_ms = 0; // wall time of the last batch transaction
        double max_commit_ms = 0;
        double total_commit_ms = 0;
    };

    explicit RunRecorder(QObject *parent = nullptr);
    ~RunRecorder() override;

    // Before beginRun. Values above 500 ms are clamped to 500 (the store's loss budget).
    void setCommitInterval(int interval_ms);

    // Opens (creating if needed) the store at storePath and starts the run. Returns its id, or nullopt with
    // *error. One run per recorder.
    std::optional<qint64> beginRun(const QString &storePath, const RunInfo &info, const Plan &plan,
                                   const std::vector<StageInfo> &stages, StoreError *error = nullptr);
    qint64 runId() const { return m_runId; }

    // Thread-safe, non-blocking. Ignored before beginRun and after finishRun.
    void appendInterval(const IntervalSnapshot &snapshot);
    void appendInterval(const IntervalSnapshotPtr &snapshot);
    void appendDbSample(const DbSample &sample);
    void appendPoolSample(const PoolSample &sample);
    void setDatabaseCapabilities(const DbCapabilities &capabilities);
    void setHealth(const HealthResult &health);

    // Thread-safe, non-blocking: queues the outcome; the run is final once runFinished() is emitted.
    void finishRun(const RunOutcome &outcome);
    // Blocks until the writer has written the outcome (or given up). No error when no run was begun.
    StoreError waitForFinished();

    Stats stats() const;

signals:
    void runFinished(qint64 runId);
    void writeFailed(const QString &message);

private:
    void writerLoop();
    void enqueue(const std::function<void(RunBatch &)> &add);

    int m_commitInterval_ms = kDefaultCommitInterval_ms;
    qint64 m_runId = -1;
    std::unique_ptr<RunStore> m_store;
    std::unique_ptr<WriterLock> m_lock;
    std::thread m_thread;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    RunBatch m_pending;
    std::optional<RunOutcome> m_outcome;
    bool m_accepting = false;
    bool m_finished = false;
    StoreError m_finishError;
    Stats m_stats;
};

} // namespace Preflight
