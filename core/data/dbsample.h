#pragma once

#include <QMetaType>
#include <QString>

#include <map>

namespace Preflight {

// One reading of the target database's sessions (PostgreSQL pg_stat_activity, or a SQLite file's state),
// on the run clock. Preflight's own sessions are excluded from every count. -1 means "not known".
struct DbSample
{
    double t_s = 0;
    int backends = 0;               // client backends of the target database
    int active = 0;
    int idle = 0;
    int idle_in_transaction = 0;
    int waiting_on_lock = 0;        // wait_event_type = 'Lock'
    int new_backends = 0;           // backend_start after the previous sample
    double longest_transaction_s = 0;
    int max_connections = -1;
    int total_connections = -1;     // all backends of the server, for the max_connections ratio
    std::map<QString, int> by_wait_event_type;
    std::map<QString, int> by_application;  // application_name (or client address when empty)
    // SQLite targets
    qint64 wal_bytes = -1;
};

// One reading of the application's connection pool from its health/metrics endpoint. -1 = not reported.
struct PoolSample
{
    double t_s = 0;
    bool ok = false;                // false: endpoint missing or unparsable (see error)
    int in_use = -1;
    int idle = -1;
    int max = -1;
    int waiting = -1;
    QString error;
};

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::DbSample)
Q_DECLARE_METATYPE(Preflight::PoolSample)
