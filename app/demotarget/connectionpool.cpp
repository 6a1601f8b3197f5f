#include "connectionpool.h"

#include <QDateTime>

#include <chrono>

namespace Demo {

ConnectionPool::Lease::Lease(Lease &&other) noexcept : m_pool(other.m_pool), m_connection(std::move(other.m_connection))
{
    other.m_pool = nullptr;
}

ConnectionPool::Lease &ConnectionPool::Lease::operator=(Lease &&other) noexcept
{
    if (this != &other) {
        release();
        m_pool = other.m_pool;
        m_connection = std::move(other.m_connection);
        other.m_pool = nullptr;
    }
    return *this;
}

ConnectionPool::Lease::~Lease()
{
    release();
}

void ConnectionPool::Lease::release()
{
    if (m_pool && m_connection)
        m_pool->giveBack(std::move(m_connection));
    m_pool = nullptr;
    m_connection.reset();
}

ConnectionPool::ConnectionPool(const PoolConfig &config, Factory factory)
    : m_config(config), m_factory(std::move(factory))
{
}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease ConnectionPool::checkout(QString *error, bool *timedOut)
{
    if (timedOut)
        *timedOut = false;
    const int limit = m_config.mode == PoolConfig::Mode::Single  ? 1
                      : m_config.mode == PoolConfig::Mode::Queue ? m_config.size + m_config.overflow
                                                                 : -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_config.timeout_ms);
    std::unique_ptr<DbConnection> stale;
    Lease lease;
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        for (;;) {
            if (!m_idle.empty()) {
                lease.m_connection = std::move(m_idle.front());
                m_idle.pop_front();
                const qint64 ageMs = QDateTime::currentMSecsSinceEpoch() - lease.m_connection->createdAtMs();
                if (m_config.recycle_s > 0 && ageMs > qint64(m_config.recycle_s) * 1000) {
                    // Recycle: close outside the lock, open a replacement below in the slot it held.
                    stale = std::move(lease.m_connection);
                } else {
                    break;
                }
            }
            if (!stale && limit >= 0 && m_open >= limit) {
                ++m_waiting;
                bool woke = true;
                if (m_config.mode == PoolConfig::Mode::Single || m_config.timeout_ms < 0)
                    m_returned.wait(lock);
                else
                    woke = m_returned.wait_until(lock, deadline) == std::cv_status::no_timeout || !m_idle.empty() ||
                           m_open < limit;
                --m_waiting;
                if (!woke) {
                    if (timedOut)
                        *timedOut = true;
                    *error = QStringLiteral("QueuePool limit of size %1 overflow %2 reached, connection timed out, "
                                            "timeout %3")
                                 .arg(m_config.size)
                                 .arg(m_config.overflow)
                                 .arg(m_config.timeout_ms / 1000.0, 0, 'f', 2);
                    return Lease();
                }
                continue;
            }
            if (!stale)
                ++m_open;
            break;
        }
        ++m_inUse;
    }
    stale.reset();
    if (!lease.m_connection) {
        lease.m_connection = m_factory(error);
        if (!lease.m_connection) {
            std::lock_guard<std::mutex> lock(m_mutex);
            --m_open;
            --m_inUse;
            m_returned.notify_one();
            return Lease();
        }
    }
    lease.m_pool = this;
    return lease;
}

void ConnectionPool::giveBack(std::unique_ptr<DbConnection> connection)
{
    std::unique_ptr<DbConnection> toClose;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        --m_inUse;
        const bool keep = !connection->isBroken() && m_config.mode != PoolConfig::Mode::PerRequest &&
                          (m_config.mode == PoolConfig::Mode::Single || int(m_idle.size()) < m_config.size);
        if (keep) {
            m_idle.push_back(std::move(connection));
        } else {
            // Overflow connections beyond pool_size are closed on return, as QueuePool does.
            --m_open;
            toClose = std::move(connection);
        }
        m_returned.notify_one();
    }
}

PoolStats ConnectionPool::stats() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    PoolStats s;
    s.in_use = m_inUse;
    s.idle = int(m_idle.size());
    s.waiting = m_waiting;
    switch (m_config.mode) {
    case PoolConfig::Mode::Queue:
        s.size = m_config.size;
        s.max = m_config.size + m_config.overflow;
        s.overflow = std::max(0, m_open - m_config.size);
        s.mode = QStringLiteral("queue");
        break;
    case PoolConfig::Mode::Single:
        s.size = 1;
        s.max = 1;
        s.mode = QStringLiteral("single");
        break;
    case PoolConfig::Mode::PerRequest:
        s.size = 0;
        s.max = m_config.per_request_max;
        s.overflow = m_open;
        s.mode = QStringLiteral("per-request");
        break;
    }
    return s;
}

} // namespace Demo
