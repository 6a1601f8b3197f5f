#pragma once

#include <QMetaType>
#include <QString>

#include <map>
#include <vector>

namespace Preflight {

// One app session waiting on a lock at a sample, and what blocks it (pg_blocking_pids). Statement texts are
// normalised by libpg_query ($1 for every constant) before they leave the sampler: no literal value is kept.
struct LockWait
{
    double wait_s = 0;      // since the waiting statement's state_change
    QString query;          // the waiting statement, normalised
    QString relation;       // the table it waits for (or writes), when known
    QString lock_type;      // pg_locks.locktype of the ungranted lock: relation, tuple, transactionid, ...
    QString blocking_query; // the first blocker's current (or last) statement, normalised
    QString blocking_state; // the first blocker's state: "idle in transaction", "active", ...
    int blockers = 0;       // how many sessions block it
};

// One reading of the target database's sessions (PostgreSQL pg_stat_activity, or a SQLite file's state),
// on the run clock. Preflight's own sessions are excluded from every count. -1 means "not known".
struct DbSample
{
    double t_s = 0;
    int backends = 0; // client backends of the target database
    int active = 0;
    int idle = 0;
    int idle_in_transaction = 0;
    int waiting_on_lock = 0; // wait_event_type = 'Lock'
    int new_backends = 0;    // backend_start after the previous sample
    double longest_transaction_s = 0;
    int max_connections = -1;
    int total_connections = -1; // all backends of the server, for the max_connections ratio
    std::map<QString, int> by_wait_event_type;
    std::map<QString, int> by_application; // application_name (or client address when empty)
    // SQLite targets
    qint64 wal_bytes = -1;

    // Format 4 (docs/store.md). What the rules need to tell causes apart; empty / -1 in older runs.
    int active_running = -1; // active app sessions not waiting, or waiting on IO/LWLock/BufferPin (working)
    std::vector<double> idle_in_transaction_s; // per app session idle in a transaction: now() - state_change
    std::vector<LockWait> lock_waits;          // app sessions waiting on a Lock
    std::map<QString, int> by_user;            // app sessions by role
    // Sessions of the target database left out of every count above, by reason ("preflight's own",
    // "tool: psql", "not the app's role app", ...). Sessions of other databases are in `other_databases`.
    std::map<QString, int> excluded;
    int other_databases = -1; // client backends of other databases on the server
};

// One reading of the application's connection pool from its health/metrics endpoint. -1 = not reported.
struct PoolSample
{
    double t_s = 0;
    bool ok = false; // false: endpoint missing or unparsable (see error)
    int in_use = -1;
    int idle = -1;
    int max = -1;
    int waiting = -1;
    QString error;
};

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::DbSample)
Q_DECLARE_METATYPE(Preflight::PoolSample)
