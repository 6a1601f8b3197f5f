#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>

#include <map>
#include <type_traits>
#include <utility>

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

namespace Preflight {

// One-shot work off the GUI thread (docs/architecture.md, "Threads"), its result delivered back on the tracker's
// thread.
//
// start(kind, work, deliver) runs work() on a thread pool and then calls deliver(result) on the tracker's
// thread — only if no later job of the same kind was started, and the kind was not cancelled, meanwhile: a
// result computed from old input (a conninfo since edited, a baseline since changed) never reaches the view.
// startEach(work, deliver) delivers every result (two deletes both report). Destroying the tracker, which its
// owner does by parenting it, cancels everything: jobs not started yet never run, results of running ones are
// dropped, and nothing waits for them (the GUI thread never waits).
//
// `work` runs on another thread: it captures values, never the owner or its widgets. `deliver` runs on the
// tracker's thread and may touch the owner. Kinds are small integers the owner names (an enum).
class JobTracker : public QObject
{
    Q_OBJECT
public:
    using Kind = int;
    using Ticket = quint64;

    // pool: where work runs; null for QThreadPool::globalInstance().
    explicit JobTracker(QObject *parent, QThreadPool *pool = nullptr);
    ~JobTracker() override;

    template <typename Work, typename Deliver> void start(Kind kind, Work work, Deliver deliver)
    {
        startAs(kind, begin(kind), std::move(work), std::move(deliver));
    }

    template <typename Work, typename Deliver> void startEach(Work work, Deliver deliver)
    {
        launch(kEach, 0, std::move(work), std::move(deliver));
    }

    // A job with a step before its work (a password asked for first): begin() makes it the latest of its kind
    // and returns its ticket; isCurrent() tells whether it still is; startAs() then runs the work under that
    // ticket (nothing runs when the ticket is no longer current).
    Ticket begin(Kind kind);
    bool isCurrent(Kind kind, Ticket ticket) const;
    template <typename Work, typename Deliver> void startAs(Kind kind, Ticket ticket, Work work, Deliver deliver)
    {
        if (!isCurrent(kind, ticket))
            return;
        m_kinds[kind].running = true;
        launch(kind, ticket, std::move(work), std::move(deliver));
    }

    // Results of jobs of this kind still running will not be delivered.
    void cancel(Kind kind);
    // Whether the latest job of this kind is running (its result is still to be delivered).
    bool isRunning(Kind kind) const;
    // Jobs whose work has not finished yet, of any kind, stale ones included.
    int pending() const { return m_pending; }

private:
    static constexpr Kind kEach = -1;

    struct KindState
    {
        Ticket ticket = 0;
        bool running = false;
    };

    template <typename Work, typename Deliver> void launch(Kind kind, Ticket ticket, Work work, Deliver deliver)
    {
        using Result = std::invoke_result_t<Work>;
        auto *watcher = new QFutureWatcher<Result>(this);
        ++m_pending;
        connect(watcher, &QFutureWatcherBase::finished, this,
                [this, watcher, kind, ticket, deliver = std::move(deliver)]() mutable {
                    watcher->deleteLater();
                    --m_pending;
                    if (kind != kEach && !finish(kind, ticket))
                        return;
                    if (watcher->future().isCanceled())
                        return;
                    if constexpr (std::is_void_v<Result>)
                        deliver();
                    else
                        deliver(watcher->future().takeResult());
                });
        watcher->setFuture(QtConcurrent::run(m_pool, std::move(work)));
    }
    // Bookkeeping when a job of `kind` ends; true when its result is to be delivered.
    bool finish(Kind kind, Ticket ticket);

    QThreadPool *m_pool;
    std::map<Kind, KindState> m_kinds;
    int m_pending = 0;
};

} // namespace Preflight
