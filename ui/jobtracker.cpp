#include "jobtracker.h"

#include <QThreadPool>

namespace Preflight {

JobTracker::JobTracker(QObject *parent, QThreadPool *pool)
    : QObject(parent), m_pool(pool ? pool : QThreadPool::globalInstance())
{
}

JobTracker::~JobTracker()
{
    // Jobs still queued are skipped; running ones finish on their own and their watchers (children) are gone,
    // so nothing is delivered to an owner being destroyed.
    for (QFutureWatcherBase *watcher : findChildren<QFutureWatcherBase *>(QString(), Qt::FindDirectChildrenOnly)) {
        watcher->disconnect(this);
        watcher->cancel();
    }
}

JobTracker::Ticket JobTracker::begin(Kind kind)
{
    KindState &state = m_kinds[kind];
    state.running = false;
    return ++state.ticket;
}

bool JobTracker::isCurrent(Kind kind, Ticket ticket) const
{
    const auto it = m_kinds.find(kind);
    return it != m_kinds.end() && it->second.ticket == ticket;
}

void JobTracker::cancel(Kind kind)
{
    begin(kind);
}

bool JobTracker::isRunning(Kind kind) const
{
    const auto it = m_kinds.find(kind);
    return it != m_kinds.end() && it->second.running;
}

bool JobTracker::finish(Kind kind, Ticket ticket)
{
    if (!isCurrent(kind, ticket))
        return false;
    m_kinds[kind].running = false;
    return true;
}

} // namespace Preflight
