#pragma once

#include "appsessions.h"
#include "data/dbsample.h"
#include "pgconnection.h"
#include "pgstatements.h"

#include <QObject>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Preflight {

// Watches the target database while the load runs, on its own thread and its own session.
// PostgreSQL: reads pg_stat_activity (+ pg_stat_database.sessions) every interval_ms and emits one DbSample
// of the *app's* sessions on the target database (AppSessions: Preflight's own and known tools are left out,
// and the plan may name the app's role, application_name or client address): by state, by wait_event_type,
// by application_name (client address when empty) and role, active sessions that are working (not waiting on a
// lock, the client or a sleep), how long each idle-in-transaction session has been idle, every lock wait with
// its blocker (statements normalised: no literal leaves the sampler), new backends since the previous sample,
// the longest open transaction, and all client backends of the server vs max_connections. Sessions left out
// are counted by reason in `excluded` (other databases in `other_databases`); this sampler's own session is
// in no count except total_connections (it does hold a slot).
// SQLite (`sqlite:PATH`): emits DbSample with wal_bytes (size of PATH-wal) only.
//
// pg_stat_statements at stage boundaries: given the stages' start times on the run clock before start(), the
// sampler thread wakes at each (between two samples, without moving the tick) and snapshots pg_stat_statements;
// a sample in progress delays it by one round trip at most. The snapshots are kept, by stage, until
// statementsSnapshots() collects them after stop(). A failed snapshot is kept as invalid (with its error)
// and reported once through samplerWarning().
//
// Time: t_s is seconds since runStart (the run clock shared with the load engine), taken when the sample's
// query returned. new_backends counts sessions that started since the previous sample, including those that
// already ended (from pg_stat_database.sessions on PostgreSQL ≥ 14, which the server flushes with up to ~1 s
// delay; the cumulative count never double-counts). Sessions opened by this process are discounted.
//
// Threading: create, start() and stop() from one thread (normally the GUI/controller thread); signals are
// emitted from the sampler thread, so connect with the default (queued) connection. stop() returns within
// about one statement round-trip (it cancels a statement in flight). Failures never end the run: the
// sampler emits samplerWarning() once per distinct problem and retries every interval.
class DbSampler : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int interval_ms = 1000;
        PgConnection::Options connection{2000, 500, 5000, 5};
        AppSessions app_sessions{}; // which sessions of the target database are the app's
    };

    DbSampler(const QString &conninfo, std::chrono::steady_clock::time_point runStart, const Options &options,
              QObject *parent = nullptr);
    DbSampler(const QString &conninfo, std::chrono::steady_clock::time_point runStart, QObject *parent = nullptr);
    ~DbSampler() override;

    void start();
    void stop();
    bool isRunning() const { return m_thread.joinable(); }

    // Call before start(): stage index → its start, seconds on the run clock. PostgreSQL only.
    void setStatementsSnapshotTimes(const std::map<int, double> &stageStarts_s);
    // Thread-safe; meant for after stop(): the snapshots taken so far, by stage.
    std::map<int, PgStatements::Snapshot> statementsSnapshots() const;

Q_SIGNALS:
    void sampleAvailable(const Preflight::DbSample &sample);
    void samplerWarning(const QString &message);

private:
    void run();
    void runPostgres();
    void runSqlite();
    // Sleeps until the next tick (false: stopped); stage starts that fall before it are served on the way by
    // takeDueSnapshots() without moving the tick.
    bool waitNextTick(std::chrono::steady_clock::time_point &next);
    void takeDueSnapshots();
    double runSeconds() const;
    void warnOnce(const QString &message);

    QString m_conninfo;
    std::chrono::steady_clock::time_point m_runStart;
    Options m_options;
    std::unique_ptr<PgConnection> m_pg;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::map<int, double> m_snapshotTimes_s;           // stage → start; sampler thread only after start()
    std::map<int, PgStatements::Snapshot> m_snapshots; // guarded by m_mutex
    QString m_lastWarning;
    AppSessions m_appSessions;
};

} // namespace Preflight
