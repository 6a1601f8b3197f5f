#include "runrecorder.h"

#include "runstore.h"
#include "runsummary.h"
#include "writerlock.h"

#include <QUuid>

#include <algorithm>
#include <chrono>

namespace Preflight {

namespace {
template <typename T> void appendAll(std::vector<T> &to, std::vector<T> &&from)
{
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// Puts `older` (a batch that failed to commit) in front of what was queued since.
void prepend(RunBatch &queue, RunBatch &&older)
{
    appendAll(older.intervals, std::move(queue.intervals));
    appendAll(older.db_samples, std::move(queue.db_samples));
    appendAll(older.pool_samples, std::move(queue.pool_samples));
    if (queue.database)
        older.database = queue.database;
    if (queue.health)
        older.health = queue.health;
    queue = std::move(older);
}
} // namespace

RunRecorder::RunRecorder(QObject *parent) : QObject(parent) {}

RunRecorder::~RunRecorder()
{
    if (m_thread.joinable()) {
        bool needsFinish = false;
        {
            std::lock_guard lock(m_mutex);
            needsFinish = !m_outcome && !m_finished;
        }
        if (needsFinish) {
            RunOutcome outcome;
            outcome.status = RunStatus::Interrupted;
            outcome.status_reason = QStringLiteral("Preflight closed before the run finished");
            finishRun(outcome);
        }
        m_thread.join();
    }
}

void RunRecorder::setCommitInterval(int interval_ms)
{
    m_commitInterval_ms = std::clamp(interval_ms, 10, 500);
}

std::optional<qint64> RunRecorder::beginRun(const QString &storePath, const RunInfo &info, const Plan &plan,
                                            const std::vector<StageInfo> &stages, StoreError *error)
{
    auto fail = [error](const StoreError &e) -> std::optional<qint64> {
        if (error)
            *error = e;
        return std::nullopt;
    };
    if (m_runId >= 0)
        return fail(StoreError::make(StoreError::Kind::Usage, QStringLiteral("this recorder already recorded a run")));
    auto store = std::make_unique<RunStore>();
    RunStore::OpenOptions options;
    options.quick_check = false;
    if (StoreError e = store->open(storePath, options))
        return fail(e);
    // The lock must be held before the row says `running`, or a concurrent open could declare us dead.
    const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto lock = std::make_unique<WriterLock>();
    QString lockError;
    if (!lock->acquire(WriterLock::lockPath(store->path(), token), &lockError))
        return fail(StoreError::make(StoreError::Kind::Io,
                                     lockError + QStringLiteral("; check the store's directory is writable")));
    StoreError e;
    const std::optional<qint64> id = store->insertRun(info, plan, stages, token, &e);
    if (!id) {
        lock->release(true);
        return fail(e);
    }
    m_runId = *id;
    m_store = std::move(store);
    m_lock = std::move(lock);
    {
        std::lock_guard guard(m_mutex);
        m_accepting = true;
    }
    m_thread = std::thread([this] { writerLoop(); });
    if (error)
        *error = {};
    return id;
}

void RunRecorder::enqueue(const std::function<void(RunBatch &)> &add)
{
    std::lock_guard lock(m_mutex);
    if (m_accepting)
        add(m_pending);
}

void RunRecorder::appendInterval(const IntervalSnapshot &snapshot)
{
    enqueue([&](RunBatch &b) { b.intervals.push_back(snapshot); });
}

void RunRecorder::appendInterval(const IntervalSnapshotPtr &snapshot)
{
    if (snapshot)
        appendInterval(*snapshot);
}

void RunRecorder::appendDbSample(const DbSample &sample)
{
    enqueue([&](RunBatch &b) { b.db_samples.push_back(sample); });
}

void RunRecorder::appendPoolSample(const PoolSample &sample)
{
    enqueue([&](RunBatch &b) { b.pool_samples.push_back(sample); });
}

void RunRecorder::setDatabaseCapabilities(const DbCapabilities &capabilities)
{
    enqueue([&](RunBatch &b) { b.database = capabilities; });
}

void RunRecorder::setHealth(const HealthResult &health)
{
    enqueue([&](RunBatch &b) { b.health = health; });
}

void RunRecorder::finishRun(const RunOutcome &outcome)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_accepting)
            return;
        m_accepting = false;
        m_outcome = outcome;
    }
    m_wake.notify_all();
}

StoreError RunRecorder::waitForFinished()
{
    std::unique_lock lock(m_mutex);
    if (m_runId < 0)
        return {};
    m_done.wait(lock, [this] { return m_finished; });
    return m_finishError;
}

RunRecorder::Stats RunRecorder::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void RunRecorder::writerLoop()
{
    using Clock = std::chrono::steady_clock;
    const auto interval = std::chrono::milliseconds(m_commitInterval_ms);
    EndpointStats total; // running totals for the history list's summary columns
    double lastEnd_s = 0;
    QString lastReported;
    StoreError error;
    bool done = false;
    auto nextCommit = Clock::now() + interval;

    std::unique_lock lock(m_mutex);
    while (!done) {
        m_wake.wait_until(lock, nextCommit, [this] { return m_outcome.has_value(); });
        nextCommit = Clock::now() + interval;
        RunBatch batch = std::move(m_pending);
        m_pending = RunBatch();
        std::optional<RunOutcome> outcome = std::move(m_outcome);
        done = outcome.has_value();
        lock.unlock();

        error = {};
        if (!batch.isEmpty()) {
            EndpointStats batchTotal = total;
            double batchEnd_s = lastEnd_s;
            for (const IntervalSnapshot &iv : batch.intervals) {
                batchTotal.merge(iv.total());
                batchEnd_s = std::max(batchEnd_s, iv.end_s);
            }
            const RunSummary summary = RunSummary::fromStats(batchTotal, batchEnd_s);
            const auto started = Clock::now();
            error = m_store->appendBatch(m_runId, batch, &summary);
            const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
            if (!error) {
                total = std::move(batchTotal);
                lastEnd_s = batchEnd_s;
                std::lock_guard statsLock(m_mutex);
                ++m_stats.commits;
                m_stats.intervals_written += batch.intervals.size();
                m_stats.last_commit_ms = elapsed_ms;
                m_stats.max_commit_ms = std::max(m_stats.max_commit_ms, elapsed_ms);
                m_stats.total_commit_ms += elapsed_ms;
            }
        }
        if (error && !done) {
            std::lock_guard requeue(m_mutex);
            prepend(m_pending, std::move(batch));
        }
        if (done && !error)
            error = m_store->finishRun(m_runId, *outcome);
        if (error && error.message != lastReported) {
            lastReported = error.message;
            emit writeFailed(error.message);
        }
        lock.lock();
    }
    lock.unlock();

    // Whether or not the outcome was written, this writer is gone: free the lock so that a run left
    // `running` is marked interrupted by the next open.
    m_lock->release(true);
    m_store->close();
    lock.lock();
    m_finished = true;
    m_finishError = error;
    lock.unlock();
    m_done.notify_all();
    if (!error)
        emit runFinished(m_runId);
}

} // namespace Preflight
