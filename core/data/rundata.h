#pragma once

#include "dbsample.h"
#include "errorsample.h"
#include "finding.h"
#include "intervalsnapshot.h"
#include "plan/plan.h"
#include "querystat.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <vector>

namespace Preflight {

enum class RunStatus { Running, Completed, Aborted, Interrupted, Failed };
QString runStatusId(RunStatus s);             // "running", "completed", "aborted", "interrupted", "failed"
RunStatus runStatusFromId(const QString &id); // unknown -> Failed

// One stage of the compiled schedule (a sweep level, a sustain period, a ramp).
struct StageInfo
{
    int index = 0;
    double start_s = 0;
    double duration_s = 0;
    bool open_model = false; // rate (arrivals/s) rather than users
    double from = 0;         // users or rate at the stage start
    double to = 0;           // users or rate at the stage end (linear ramp in between)
    QString label;           // "20 users", "ramp 0→100 req/s", "idle"
};

struct RunInfo
{
    qint64 id = -1;       // run store id; -1 until stored
    QString name;         // user-facing name (plan name by default; renamable)
    QDateTime started_at; // UTC wall clock at run start
    double duration_s = 0;
    RunStatus status = RunStatus::Running;
    QString status_reason; // why aborted/failed ("error rate 35% over 10 s", "target unreachable: …")
    QString tool_version;
    QString machine;  // host name and OS, for the method appendix
    QString target;   // base URL without credentials
    QString scenario; // preset name
    bool tls_insecure = false;
    int workers = 0;
    QString engine; // load path that measured the run: "curl" | "raw" (core/load/loadpath.h); "" before it was recorded
};

// What the database side could do (docs/architecture.md).
struct DbCapabilities
{
    QString kind = QStringLiteral("none"); // postgresql | sqlite | none
    QString server_version;
    int max_connections = -1;
    QString pg_stat_statements = QStringLiteral("n/a"); // ok | missing | not-preloaded | insufficient-privilege | n/a
    QStringList warnings;                               // sentences a user can act on
    QStringList remediation;                            // exact lines to run (never run by Preflight)
    QString journal_mode;                               // sqlite: "wal" | "rollback"
    qint64 page_size = -1;
    qint64 file_bytes = -1;
};

struct HealthResult
{
    bool checked = false;
    int status = 0; // HTTP status, 0 when no answer
    QString error;  // transport error when no answer
    double latency_ms = 0;
};

// Everything one run measured and concluded; what the run store keeps and diagnosis/report read.
// Secrets never appear here: the plan keeps `${env:…}` placeholders and a redacted conninfo.
struct RunData
{
    RunInfo info;
    Plan plan;
    std::vector<StageInfo> stages;
    std::vector<IntervalSnapshot> intervals; // client side, every tick, in order
    std::vector<DbSample> db_samples;
    std::vector<PoolSample> pool_samples;
    DbCapabilities database;
    HealthResult health;
    std::vector<QueryStat> queries;
    // pg_stat_statements deltas per stage (phase "stage"), from snapshots at the stage boundaries; kept apart
    // from `queries` (which the query table, plans and rules read) because they split the same calls by time.
    std::vector<QueryStat> stage_queries;
    std::vector<QueryPlan> plans;
    std::vector<ErrorSample> error_samples;
    std::vector<Finding> findings;
    QString gate_preset;
    std::vector<GateCheck> gates;
    QString verdict;             // ready | not-ready | inconclusive | "" (not evaluated)
    QString verdict_reason;      // one sentence: why that verdict
    QStringList diagnosis_notes; // what could not be checked and what would enable it
    QStringList warnings;        // run-level warnings for the report/summary

    // Totals over all intervals, per endpoint (index like plan.endpoints) and for the run.
    std::vector<EndpointStats> endpointTotals() const;
    EndpointStats total() const;
    // Totals of the intervals whose stage_index == stage.
    EndpointStats stageTotal(int stage) const;
};

} // namespace Preflight
