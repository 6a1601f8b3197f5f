#pragma once

#include "dbconnection.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace Demo {

// Counters behind /health and /metrics, named like SQLAlchemy's QueuePool.status().
struct PoolStats
{
    int size = 0;     // configured pool_size (connections kept open when idle)
    int max = 0;      // size + overflow: the most that can be checked out at once
    int in_use = 0;   // checked out right now
    int idle = 0;     // open and waiting in the pool
    int overflow = 0; // open connections beyond `size` (never negative)
    int waiting = 0;  // threads blocked in checkout()
    QString mode;     // "queue" | "single" | "per-request"
};

struct PoolConfig
{
    enum class Mode {
        Queue,     // SQLAlchemy QueuePool: size + overflow, checkout waits up to timeout_ms
        Single,    // one shared connection, checkout waits as long as it takes (a mutex in disguise)
        PerRequest // no pooling: open on checkout, close on return
    };
    Mode mode = Mode::Queue;
    int size = 10;
    int overflow = 10;
    int timeout_ms = 30000;
    int recycle_s = 3600;    // connections older than this are closed at checkout and replaced; <= 0: never
    int per_request_max = 0; // PerRequest: reported as `max`; 0 = no ceiling (the demo has no pool there)
};

// A database connection pool. checkout() hands a connection to exactly one thread; the Lease returns it on
// destruction (or closes it, when broken, in PerRequest mode, or when it is an overflow connection the pool
// does not need). Thread-safe. Connections are opened outside the lock so a slow connect never blocks returns.
class ConnectionPool
{
public:
    using Factory = std::function<std::unique_ptr<DbConnection>(QString *error)>;

    class Lease
    {
    public:
        Lease() = default;
        Lease(Lease &&other) noexcept;
        Lease &operator=(Lease &&other) noexcept;
        ~Lease();
        explicit operator bool() const { return m_connection != nullptr; }
        DbConnection *operator->() const { return m_connection.get(); }
        DbConnection &operator*() const { return *m_connection; }
        void release();

    private:
        friend class ConnectionPool;
        ConnectionPool *m_pool = nullptr;
        std::unique_ptr<DbConnection> m_connection;
    };

    ConnectionPool(const PoolConfig &config, Factory factory);
    ~ConnectionPool();

    // Blocks until a connection is free, a new one may be opened, or timeout_ms passes. On failure returns an
    // empty Lease and sets *error; a timeout gives SQLAlchemy's wording:
    // "QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00".
    Lease checkout(QString *error, bool *timedOut = nullptr);
    PoolStats stats() const;

private:
    void giveBack(std::unique_ptr<DbConnection> connection);

    const PoolConfig m_config;
    const Factory m_factory;
    mutable std::mutex m_mutex;
    std::condition_variable m_returned;
    std::deque<std::unique_ptr<DbConnection>> m_idle;
    int m_open = 0; // idle + checked out + being opened
    int m_inUse = 0;
    int m_waiting = 0;
};

} // namespace Demo
