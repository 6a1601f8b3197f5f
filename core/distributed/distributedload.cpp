#include "distributedload.h"

#include "agentcoordinator.h"

#include <QMetaObject>

namespace Preflight {

DistributedLoad::DistributedLoad(const DistributedOptions &options) : m_options(options)
{
    m_coordinator = new AgentCoordinator(options);
    m_coordinator->onReady = [this] { deliver(QString()); };
    m_coordinator->onBarrierFailed = [this](const QString &error) { deliver(error); };
    m_coordinator->onProgress = [this](const BarrierProgress &progress) {
        std::lock_guard<std::mutex> lock(m_progressMutex);
        if (m_progressSink)
            m_progressSink(progress);
    };
    m_coordinator->onAssigned = [this](const QString &error) { deliver(error); };
    m_coordinator->onSnapshot = [this](IntervalSnapshotPtr s) {
        if (m_snapshotSink)
            m_snapshotSink(std::move(s));
    };
    m_coordinator->onFinished = [this] {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_errorSamples = m_coordinator->errorSamples();
            m_failure = m_coordinator->failure();
        }
        if (m_finishedSink)
            m_finishedSink();
    };
    m_coordinator->moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("preflight-agents"));
    m_thread.start();
}

DistributedLoad::~DistributedLoad()
{
    AgentCoordinator *coordinator = m_coordinator;
    QMetaObject::invokeMethod(
        coordinator,
        [coordinator] {
            coordinator->stopAll(2);
            coordinator->closeAll(QStringLiteral("the coordinator ended the run"));
            delete coordinator;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void DistributedLoad::post(std::function<void()> call)
{
    QMetaObject::invokeMethod(m_coordinator, std::move(call), Qt::QueuedConnection);
}

void DistributedLoad::deliver(const QString &result)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_result)
        m_result = result;
    m_condition.notify_all();
}

QString DistributedLoad::waitForResult()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_condition.wait(lock, [this] { return m_result.has_value() || m_cancelled; });
    if (m_cancelled)
        return QStringLiteral("stopped while waiting for agents");
    const QString result = *m_result;
    m_result.reset();
    return result;
}

void DistributedLoad::cancel()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_cancelled = true;
    m_condition.notify_all();
}

bool DistributedLoad::isCancelled() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_cancelled;
}

void DistributedLoad::setProgressSink(std::function<void(const BarrierProgress &)> sink)
{
    std::lock_guard<std::mutex> lock(m_progressMutex);
    m_progressSink = std::move(sink);
}

QString DistributedLoad::prepare(const Plan &plan, const Schedule &schedule, const QStringList &headers,
                                 bool allowNonLoopback)
{
    post([c = m_coordinator] { c->listen(); });
    if (const QString error = waitForResult(); !error.isEmpty())
        return error;
    // Agents need the target and the load, not the database or the pool (those run here, once).
    Plan share = plan;
    share.database = DatabaseSpec();
    share.pool = PoolSpec();
    share.target.login = LoginSpec(); // logged in once, here: the agents get the resulting header
    post([c = m_coordinator, json = share.toJson(), schedule, headers, allowNonLoopback] {
        c->assign(json, schedule, headers, allowNonLoopback);
    });
    const QString error = waitForResult();
    if (!error.isEmpty()) {
        post([c = m_coordinator, error] { c->closeAll(QStringLiteral("the run could not start: ") + error); });
        return error;
    }
    QMetaObject::invokeMethod(
        m_coordinator,
        [this] {
            m_workers = m_coordinator->workerCount();
            std::lock_guard<std::mutex> lock(m_mutex);
            m_engineId = m_coordinator->engineId();
        },
        Qt::BlockingQueuedConnection);
    return QString();
}

EngineClock::time_point DistributedLoad::proposedStart() const
{
    return EngineClock::now() + std::chrono::seconds(1);
}

void DistributedLoad::start(EngineClock::time_point start)
{
    const double ahead_ms = std::chrono::duration<double, std::milli>(start - EngineClock::now()).count();
    const double wall_ms = AgentCoordinator::wallClock_ms() + ahead_ms;
    post([c = m_coordinator, wall_ms] { c->startAt(wall_ms); });
}

void DistributedLoad::stop()
{
    int expected = 0;
    if (!m_stopLevel.compare_exchange_strong(expected, 1))
        m_stopLevel.store(2);
    const int level = m_stopLevel.load();
    post([c = m_coordinator, level] { c->stopAll(level); });
}

void DistributedLoad::abort()
{
    m_stopLevel.store(2);
    post([c = m_coordinator] { c->stopAll(2); });
}

QString DistributedLoad::engineId() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_engineId;
}

std::vector<ErrorSample> DistributedLoad::errorSamples() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_errorSamples;
}

LoadFailure DistributedLoad::failure() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_failure;
}

} // namespace Preflight
