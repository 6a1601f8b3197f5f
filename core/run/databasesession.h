#pragma once

#include "data/rundata.h"
#include "db/dberror.h"
#include "db/pgstatements.h"
#include "db/statementlog.h"
#include "plan/plan.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <map>
#include <memory>

namespace Preflight {

class PgConnection;
class RequestFactory;
class SqliteInspector;

// The database side of one run, outside the live sampling: the capability check before the load, the
// pg_stat_statements snapshots around it, and afterwards the profiling pass and the plans of the queries
// that matter. Every call blocks on the database: call them from a helper thread, one at a time
// (a session is used by one thread at a time, never the GUI thread).
class DatabaseSession
{
public:
    explicit DatabaseSession(const DatabaseSpec &spec);
    ~DatabaseSession();

    // Connects and checks what the database allows. An error means the database cannot be read at all
    // (exit code 3); missing pg_stat_statements is only a warning inside the capabilities.
    DbError open(DbCapabilities *capabilities);
    bool isPostgres() const;
    // pg_stat_statements before the load (no-op without it or for SQLite).
    void snapshotBeforeLoad();

    // What the load did, as the analysis needs it.
    struct LoadSpan
    {
        double total_requests = 0;
        std::vector<double> stage_requests;                 // requests completed per stage (index = stage)
        std::map<int, PgStatements::Snapshot> stage_starts; // DbSampler's snapshots at stages 1, 2, ...
    };
    struct Findings
    {
        std::vector<QueryStat> queries;       // "run" phase deltas, then "profile" per endpoint
        std::vector<QueryStat> stage_queries; // "stage" deltas (PostgreSQL with pg_stat_statements)
        std::vector<QueryPlan> plans;
        QStringList warnings;
    };
    // After the load: run-phase deltas, the profiling pass (each endpoint alone, K sequential requests)
    // and EXPLAIN of the top queries. `stop` (optional) cuts the profiling pass short.
    // Statements per request come from pg_stat_statements when it is usable; otherwise (and always for SQLite)
    // from `database.log` when the plan names one: an application SQL log or the PostgreSQL server's own log
    // (stderr, csvlog or jsonlog; docs/database.md "Log-based capture"). Without either, a warning says in
    // words that per-query evidence is missing and why.
    // Per stage: the delta from the stage's start (snapshotBeforeLoad() for stage 0, load.stage_starts for the
    // others) to the next stage's start, or to the end of the load for the last stage reached; a stage with a
    // missing or invalid boundary is left out.
    Findings analyseAfterLoad(const Plan &plan, const RequestFactory &factory, const LoadSpan &load,
                              const std::atomic<bool> *stop);

    static constexpr int kTopQueriesToExplain = 5;

private:
    static std::vector<QueryStat> stageStats(const PgStatements::Snapshot &loadStart,
                                             const PgStatements::Snapshot &loadEnd, const LoadSpan &load);
    std::vector<QueryPlan> explainQueries(const std::vector<QueryStat> &queries, QStringList *warnings);
    std::vector<QueryPlan> explainSqliteLog(QStringList *warnings);
    std::vector<QueryPlan> explainSqliteQueries(const std::vector<QueryStat> &queries);
    std::vector<QueryStat> profileFromLog(const Plan &plan, const RequestFactory &factory,
                                          const std::atomic<bool> *stop, QStringList *warnings);
    void checkServerLog(DbCapabilities *capabilities);
    QString perQueryNote(bool logTried, bool logFoundStatements) const;

    DatabaseSpec m_spec;
    DbCapabilities m_capabilities;
    QString m_database;      // PostgreSQL: the target database's name (filters a server log)
    QString m_logLinePrefix; // PostgreSQL: the server's log_line_prefix (reads %d/%a in a stderr log)
    bool m_serverLogsEveryStatement = false;
    std::unique_ptr<PgConnection> m_pg;
    std::unique_ptr<SqliteInspector> m_sqlite;
    PgStatements::Snapshot m_before;
    bool m_statementsAvailable = false;
};

} // namespace Preflight
