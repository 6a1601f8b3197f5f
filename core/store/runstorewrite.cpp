// RunStore: writing runs (a whole run at once, or live: the run row, batches of samples, the outcome). The
// tables' columns are named once, in storerows.cpp.
#include "runstore.h"

#include "runsummary.h"
#include "secretscrubber.h"
#include "sqlitestatement.h"
#include "storerows.h"

#include "plan/secretresolver.h"

#include <QSysInfo>

#include <unistd.h>

namespace Preflight {

using namespace StoreRows;

namespace {

// Appends `rows` to `mapper`'s table for one run.
template <typename T>
StoreError writeRows(SqliteDatabase &db, const RowMapper<T> &mapper, qint64 runId, const std::vector<T> &rows,
                     const RowContext &context, const char *verb = "INSERT")
{
    if (rows.empty())
        return {};
    const QByteArray sql = mapper.insertSql({"run_id"}, verb);
    SqliteStatement q(db, sql.constData());
    for (const T &row : rows) {
        q.bind(1, runId);
        mapper.bind(q, 1, row, context);
        if (StoreError e = q.exec())
            return e;
    }
    return {};
}

} // namespace

std::optional<qint64> RunStore::saveRun(const RunData &run, StoreError *error)
{
    auto fail = [error](const StoreError &e) -> std::optional<qint64> {
        if (error)
            *error = e;
        return std::nullopt;
    };
    SqliteTransaction transaction(m_db);
    if (StoreError e = transaction.begin())
        return fail(e);
    StoreError e;
    const std::optional<qint64> id = writeRun(run.info, run.plan, run.stages, QString(), &e);
    if (!id)
        return fail(e);
    const QString planJson = json(SecretScrubber::plan(run.plan));
    RunBatch batch;
    batch.intervals = run.intervals;
    batch.db_samples = run.db_samples;
    batch.pool_samples = run.pool_samples;
    if ((e = writeBatch(*id, batch, planJson)))
        return fail(e);
    RunOutcome outcome = RunOutcome::fromRunData(run);
    if (outcome.status == RunStatus::Running)
        outcome.status = RunStatus::Interrupted; // nobody will ever finish it
    if ((e = writeOutcome(*id, outcome, planJson)) || (e = transaction.commit()))
        return fail(e);
    if (error)
        *error = {};
    return id;
}

std::optional<qint64> RunStore::insertRun(const RunInfo &info, const Plan &plan, const std::vector<StageInfo> &stages,
                                          const QString &writerToken, StoreError *error)
{
    SqliteTransaction transaction(m_db);
    StoreError e = transaction.begin();
    std::optional<qint64> id;
    if (!e)
        id = writeRun(info, plan, stages, writerToken, &e);
    if (!e)
        e = transaction.commit();
    if (error)
        *error = e;
    return e ? std::nullopt : id;
}

std::optional<qint64> RunStore::writeRun(const RunInfo &info, const Plan &plan, const std::vector<StageInfo> &stages,
                                         const QString &writerToken, StoreError *error)
{
    const QString planJson = json(SecretScrubber::plan(plan));
    SqliteStatement insert(
        m_db, "INSERT INTO runs (name, status, status_reason, started_at, duration_s, tool_version, "
              "machine, target, scenario, tls_insecure, workers, plan_json, writer_token, writer_pid, "
              "writer_host, heartbeat_at, engine) VALUES (?, 'running', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, info.name.isEmpty() ? plan.name : info.name)
        .bind(2, SecretScrubber::text(info.status_reason, planJson))
        .bind(3, timeText(info.started_at))
        .bind(4, info.tool_version.isEmpty() ? QStringLiteral(PREFLIGHT_VERSION) : info.tool_version)
        .bind(5, info.machine)
        .bind(6, SecretResolver::redactUrl(info.target.isEmpty() ? plan.target.base_url : info.target))
        .bind(7, info.scenario.isEmpty() ? plan.scenario.preset : info.scenario)
        .bind(8, info.tls_insecure || plan.target.insecure)
        .bind(9, info.workers)
        .bind(10, planJson);
    if (writerToken.isEmpty()) {
        insert.bindNull(11).bindNull(12).bindNull(13);
    } else {
        insert.bind(11, writerToken).bind(12, qint64(::getpid())).bind(13, QSysInfo::machineHostName());
    }
    insert.bind(14, nowUtc()).bind(15, info.engine);
    if (StoreError e = insert.exec()) {
        if (error)
            *error = e;
        return std::nullopt;
    }
    const qint64 id = m_db.lastInsertId();
    const RowContext context{planJson, {}};
    {
        const QByteArray sql = StoreRows::endpoints().insertSql({"run_id", "idx"});
        SqliteStatement endpoint(m_db, sql.constData());
        for (size_t i = 0; i < plan.endpoints.size(); ++i) {
            endpoint.bind(1, id).bind(2, qint64(i));
            StoreRows::endpoints().bind(endpoint, 2, plan.endpoints[i], context);
            if (StoreError e = endpoint.exec()) {
                if (error)
                    *error = e;
                return std::nullopt;
            }
        }
    }
    if (StoreError e = writeRows(m_db, StoreRows::stages(), id, stages, context)) {
        if (error)
            *error = e;
        return std::nullopt;
    }
    return id;
}

StoreError RunStore::appendBatch(qint64 runId, const RunBatch &batch, const RunSummary *summary)
{
    StoreError e;
    const QString planJson = storedPlanJson(runId, &e);
    if (e)
        return e;
    SqliteTransaction transaction(m_db);
    if ((e = transaction.begin()) || (e = writeBatch(runId, batch, planJson)))
        return e;
    if (summary) {
        if ((e = summary->write(m_db, runId)))
            return e;
        SqliteStatement d(m_db, "UPDATE runs SET duration_s = MAX(duration_s, ?) WHERE id = ?");
        d.bind(1, summary->duration_s).bind(2, runId);
        if ((e = d.exec()))
            return e;
    }
    SqliteStatement heartbeat(m_db, "UPDATE runs SET heartbeat_at = ? WHERE id = ?");
    heartbeat.bind(1, nowUtc()).bind(2, runId);
    if ((e = heartbeat.exec()))
        return e;
    return transaction.commit();
}

StoreError RunStore::writeBatch(qint64 runId, const RunBatch &batch, const QString &planJson)
{
    const RowContext context{planJson, {}};
    if (!batch.intervals.empty()) {
        // Upserts: a repeated tick must not wedge the writer in a retry loop.
        const QByteArray intervalSql = intervals().insertSql({"run_id"}, "INSERT", "run_id, idx");
        const QByteArray endpointSql =
            intervalEndpoints().insertSql({"run_id", "interval_idx", "endpoint_idx"}, "INSERT OR REPLACE");
        SqliteStatement interval(m_db, intervalSql.constData());
        SqliteStatement endpoint(m_db, endpointSql.constData());
        const EndpointStats empty;
        for (const IntervalSnapshot &iv : batch.intervals) {
            interval.bind(1, runId);
            intervals().bind(interval, 1, iv, context);
            if (StoreError e = interval.exec())
                return e;
            for (size_t i = 0; i < iv.endpoints.size(); ++i) {
                const EndpointStats &s = iv.endpoints[i];
                if (s == empty)
                    continue; // an endpoint idle in this tick costs no row; loadRun restores the empty value
                endpoint.bind(1, runId).bind(2, qint64(iv.index)).bind(3, qint64(i));
                intervalEndpoints().bind(endpoint, 3, s, context);
                if (StoreError e = endpoint.exec())
                    return e;
            }
        }
    }
    if (StoreError e = writeRows(m_db, dbSamples(), runId, batch.db_samples, context))
        return e;
    if (StoreError e = writeRows(m_db, poolSamples(), runId, batch.pool_samples, context))
        return e;
    if (batch.database) {
        if (StoreError e = writeRows(m_db, capabilities(), runId, std::vector<DbCapabilities>{*batch.database}, context,
                                     "INSERT OR REPLACE"))
            return e;
    }
    if (batch.health) {
        const HealthResult &h = *batch.health;
        SqliteStatement q(m_db, "UPDATE runs SET health_checked = ?, health_status = ?, health_error = ?, "
                                "health_latency_ms = ? WHERE id = ?");
        q.bind(1, h.checked)
            .bind(2, h.status)
            .bind(3, SecretScrubber::text(h.error, planJson))
            .bind(4, h.latency_ms)
            .bind(5, runId);
        if (StoreError e = q.exec())
            return e;
    }
    return {};
}

StoreError RunStore::finishRun(qint64 runId, const RunOutcome &outcome)
{
    StoreError e;
    const QString planJson = storedPlanJson(runId, &e);
    if (e)
        return e;
    SqliteTransaction transaction(m_db);
    if ((e = transaction.begin()) || (e = writeOutcome(runId, outcome, planJson)))
        return e;
    return transaction.commit();
}

StoreError RunStore::writeOutcome(qint64 runId, const RunOutcome &outcome, const QString &planJson)
{
    RunBatch late;
    late.database = outcome.database;
    late.health = outcome.health;
    if (StoreError e = writeBatch(runId, late, planJson))
        return e;
    // Final parts replace whatever an earlier finish attempt wrote.
    for (const char *sql : {"DELETE FROM query_stats WHERE run_id = ?", "DELETE FROM query_plans WHERE run_id = ?",
                            "DELETE FROM error_samples WHERE run_id = ?", "DELETE FROM findings WHERE run_id = ?",
                            "DELETE FROM gate_checks WHERE run_id = ?"}) {
        SqliteStatement d(m_db, sql);
        d.bind(1, runId);
        if (StoreError e = d.exec())
            return e;
    }
    RowContext context{planJson, {}};
    if (StoreError e = storedEndpoints(runId, &context.endpoints.endpoints)) // query_stats.endpoint: by name
        return e;
    for (const std::vector<QueryStat> *stats : {&outcome.queries, &outcome.stage_queries})
        if (StoreError e = writeRows(m_db, queryStats(), runId, *stats, context))
            return e;
    if (StoreError e = writeRows(m_db, queryPlans(), runId, outcome.plans, context))
        return e;
    if (StoreError e = writeRows(m_db, errorSamples(), runId, outcome.error_samples, context))
        return e;
    if (StoreError e = writeRows(m_db, findings(), runId, outcome.findings, context))
        return e;
    if (StoreError e = writeRows(m_db, gateChecks(), runId, outcome.gates, context))
        return e;
    StoreError e;
    const RunSummary summary = RunSummary::compute(m_db, runId, &e);
    if (e || (e = summary.write(m_db, runId)))
        return e;
    SqliteStatement u(m_db, "UPDATE runs SET status = ?, status_reason = ?, finished_at = ?, duration_s = ?, "
                            "gate_preset = ?, verdict = ?, warnings_json = ?, heartbeat_at = ?, verdict_reason = ?, "
                            "diagnosis_notes = ? WHERE id = ?");
    const QString now = nowUtc();
    u.bind(1, runStatusId(outcome.status == RunStatus::Running ? RunStatus::Interrupted : outcome.status))
        .bind(2, SecretScrubber::text(outcome.status_reason, planJson))
        .bind(3, now)
        .bind(4, outcome.duration_s.value_or(summary.duration_s))
        .bind(5, outcome.gate_preset)
        .bind(6, outcome.verdict)
        .bind(7, scrubbedList(outcome.warnings, planJson))
        .bind(8, now)
        .bind(9, SecretScrubber::text(outcome.verdict_reason, planJson))
        .bind(10, scrubbedList(outcome.diagnosis_notes, planJson))
        .bind(11, runId);
    if ((e = u.exec()))
        return e;
    return m_db.changes() == 0 ? notFound(runId) : StoreError();
}

} // namespace Preflight
