// RunStore: reading a stored run back (loadRun). The tables' columns are named once, in storerows.cpp.
#include "runstore.h"

#include "sqlitestatement.h"
#include "storerows.h"

#include "plan/planparser.h"

#include <QDir>

namespace Preflight {

using namespace StoreRows;

namespace {

// Every row of one run in `mapper`'s table, in `orderBy` order, appended to `out`. `unreadable` is told the
// index of a row whose stored value cannot be read back (a corrupt histogram blob).
template <typename T>
StoreError readRows(SqliteDatabase &db, const RowMapper<T> &mapper, qint64 runId, const char *orderBy,
                    std::vector<T> &out, const RowContext &context = {},
                    const std::function<StoreError(size_t)> &unreadable = {})
{
    const QByteArray sql = mapper.selectSql({}, "run_id = ?", orderBy);
    SqliteStatement q(db, sql.constData());
    q.bind(1, runId);
    while (q.next()) {
        T row;
        if (!mapper.read(q, 0, row, context) && unreadable)
            return unreadable(out.size());
        out.push_back(std::move(row));
    }
    return q.error();
}

} // namespace

std::optional<RunData> RunStore::loadRun(qint64 id, StoreError *error)
{
    auto fail = [error](const StoreError &e) -> std::optional<RunData> {
        if (error)
            *error = e;
        return std::nullopt;
    };
    RunData run;
    QString planJson;
    {
        SqliteStatement q(
            m_db,
            "SELECT name, started_at, duration_s, status, status_reason, tool_version, machine, "
            "target, scenario, tls_insecure, workers, plan_json, gate_preset, verdict, warnings_json, "
            "health_checked, health_status, health_error, health_latency_ms, verdict_reason, diagnosis_notes, engine "
            "FROM runs WHERE id = ?");
        q.bind(1, id);
        if (!q.next())
            return fail(q.error() ? q.error() : notFound(id));
        RunInfo &info = run.info;
        info.id = id;
        info.name = q.text(0);
        info.started_at = timeFrom(q.text(1));
        info.duration_s = q.real(2);
        info.status = runStatusFromId(q.text(3));
        info.status_reason = q.text(4);
        info.tool_version = q.text(5);
        info.machine = q.text(6);
        info.target = q.text(7);
        info.scenario = q.text(8);
        info.tls_insecure = q.int64(9) != 0;
        info.workers = int(q.int64(10));
        planJson = q.text(11);
        run.gate_preset = q.text(12);
        run.verdict = q.text(13);
        run.warnings = stringsFrom(q.text(14));
        run.health.checked = q.int64(15) != 0;
        run.health.status = int(q.int64(16));
        run.health.error = q.text(17);
        run.health.latency_ms = q.real(18);
        run.verdict_reason = q.text(19);
        run.diagnosis_notes = stringsFrom(q.text(20));
        info.engine = q.text(21);
    }

    PlanError planError;
    if (std::optional<Plan> plan = PlanParser::parse(planJson.toUtf8(), &planError)) {
        run.plan = *plan;
    } else {
        // Keep the run readable even if a future plan rule rejects an old plan: endpoints come from their table.
        run.plan.name = objectFrom(planJson).value(QLatin1String("name")).toString();
        run.warnings.append(QStringLiteral("the stored plan no longer validates (%1); only its endpoints were loaded")
                                .arg(planError.toString()));
    }
    // Columns that name an endpoint are read against the endpoints as stored, which the writer used too.
    RowContext context{planJson, {}};
    if (StoreError e = storedEndpoints(id, &context.endpoints.endpoints))
        return fail(e);
    if (run.plan.endpoints.size() != context.endpoints.endpoints.size())
        run.plan.endpoints = context.endpoints.endpoints;
    if (StoreError e = readRows(m_db, StoreRows::stages(), id, "idx", run.stages))
        return fail(e);
    if (StoreError e = readRows(m_db, StoreRows::intervals(), id, "idx", run.intervals))
        return fail(e);
    for (IntervalSnapshot &iv : run.intervals)
        iv.endpoints.resize(run.plan.endpoints.size()); // an endpoint idle in a tick has no row
    {
        const RowMapper<EndpointStats> &mapper = intervalEndpoints();
        const QByteArray sql =
            mapper.selectSql({"interval_idx", "endpoint_idx"}, "run_id = ?", "interval_idx, endpoint_idx");
        SqliteStatement q(m_db, sql.constData());
        q.bind(1, id);
        size_t cursor = 0;
        while (q.next()) {
            const int intervalIndex = int(q.int64(0));
            // Both sides are ordered by interval index: walk forward instead of searching.
            while (cursor < run.intervals.size() && run.intervals[cursor].index < intervalIndex)
                ++cursor;
            if (cursor >= run.intervals.size() || run.intervals[cursor].index != intervalIndex)
                continue;
            const size_t endpoint = size_t(q.int64(1));
            IntervalSnapshot &iv = run.intervals[cursor];
            if (endpoint >= iv.endpoints.size())
                iv.endpoints.resize(endpoint + 1);
            if (!mapper.read(q, 2, iv.endpoints[endpoint], context))
                return fail(
                    StoreError::make(StoreError::Kind::Corrupt,
                                     QStringLiteral("%1: run %2 interval %3 has an unreadable latency histogram")
                                         .arg(QDir::toNativeSeparators(path()))
                                         .arg(id)
                                         .arg(intervalIndex)));
        }
        if (q.error())
            return fail(q.error());
    }
    if (StoreError e = readRows(m_db, dbSamples(), id, "id", run.db_samples))
        return fail(e);
    if (StoreError e = readRows(m_db, poolSamples(), id, "id", run.pool_samples))
        return fail(e);
    {
        std::vector<DbCapabilities> database;
        if (StoreError e = readRows(m_db, capabilities(), id, nullptr, database))
            return fail(e);
        if (!database.empty())
            run.database = database.front();
    }
    {
        std::vector<QueryStat> queries;
        if (StoreError e = readRows(m_db, queryStats(), id, "id", queries, context))
            return fail(e);
        for (QueryStat &s : queries)
            (s.phase == QueryPhase::Stage ? run.stage_queries : run.queries).push_back(std::move(s));
    }
    if (StoreError e = readRows(m_db, queryPlans(), id, "id", run.plans))
        return fail(e);
    if (StoreError e = readRows(m_db, errorSamples(), id, "id", run.error_samples))
        return fail(e);
    if (StoreError e = readRows(m_db, findings(), id, "id", run.findings))
        return fail(e);
    if (StoreError e = readRows(m_db, gateChecks(), id, "id", run.gates))
        return fail(e);
    if (error)
        *error = {};
    return run;
}

StoreError RunStore::storedEndpoints(qint64 runId, std::vector<EndpointSpec> *endpoints)
{
    endpoints->clear();
    return readRows(m_db, StoreRows::endpoints(), runId, "idx", *endpoints);
}

} // namespace Preflight
