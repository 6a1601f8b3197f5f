#include "runstore.h"

#include "runjson.h"
#include "runsummary.h"
#include "secretscrubber.h"
#include "sqlitestatement.h"
#include "storeschema.h"
#include "writerlock.h"

#include "plan/planparser.h"
#include "plan/secretresolver.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QSysInfo>

#include <algorithm>
#include <unistd.h>

namespace Preflight {

namespace {

// 'PFLT': marks a file as a Preflight run store so that a foreign SQLite database is never migrated into one.
constexpr int kApplicationId = 0x50464c54;

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}
QString json(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}
QJsonObject objectFrom(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}
QJsonArray arrayFrom(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).array();
}
QStringList stringsFrom(const QString &text)
{
    QStringList out;
    for (const QJsonValue &v : arrayFrom(text))
        out.append(v.toString());
    return out;
}
QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}
QString timeText(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : nowUtc();
}
QDateTime timeFrom(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : t;
}

QStringList scrubList(const QStringList &list, const QString &planJson)
{
    QStringList out;
    for (const QString &s : list)
        out.append(SecretScrubber::text(s, planJson));
    return out;
}

StoreError notFound(qint64 id)
{
    return StoreError::make(
        StoreError::Kind::NotFound,
        QStringLiteral("there is no run %1 in this store; `preflight runs` lists the stored runs").arg(id));
}
} // namespace

QString RunStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/runs.sqlite");
}

RunStore::RunStore() = default;
RunStore::~RunStore() = default;

StoreError RunStore::open(const QString &path, const OpenOptions &options)
{
    close();
    if (path.isEmpty())
        return StoreError::make(StoreError::Kind::Usage, QStringLiteral("no run store file given"));
    if (options.create && !QFileInfo::exists(path)) {
        const QString dir = QFileInfo(path).absolutePath();
        if (!QDir().mkpath(dir))
            return StoreError::make(
                StoreError::Kind::Io,
                QStringLiteral("cannot create the directory %1 for the run store; check permissions "
                               "or choose another file with --store")
                    .arg(QDir::toNativeSeparators(dir)));
    }
    if (options.read_only) {
        StoreError e = m_db.open(path, false, SqliteDatabase::Access::ReadOnly);
        if (!e)
            e = configure(options);
        // A WAL store whose directory cannot be written has no -shm file through which readers take part in
        // locking. When nobody may write the file or its directory either, no writer can be at work and the
        // file is read without locks.
        const QByteArray file = QFile::encodeName(path), dir = QFile::encodeName(QFileInfo(path).absolutePath());
        if (e && (e.kind == StoreError::Kind::ReadOnly || e.kind == StoreError::Kind::Io) &&
            ::access(file.constData(), W_OK) != 0 && ::access(dir.constData(), W_OK) != 0) {
            m_db.close();
            e = m_db.open(path, false, SqliteDatabase::Access::Immutable);
            if (!e)
                e = configure(options);
        }
        if (e)
            m_db.close();
        return e;
    }
    if (StoreError e = m_db.open(path, options.create))
        return e;
    if (StoreError e = configure(options)) {
        m_db.close();
        return e;
    }
    return {};
}

StoreError RunStore::configure(const OpenOptions &options)
{
    // Identify the file before changing anything in it (journal mode included): SQLite reports a
    // non-database file here, and a foreign SQLite database must be refused, not migrated.
    StoreError error;
    qint64 applicationId = 0, tables = 0;
    {
        SqliteStatement id(m_db, "PRAGMA application_id");
        if (id.next())
            applicationId = id.int64(0);
        if (id.error())
            return id.error();
        SqliteStatement count(m_db, "SELECT count(*) FROM sqlite_master");
        if (count.next())
            tables = count.int64(0);
        if (count.error())
            return count.error();
    }
    const int version = m_db.userVersion(&error);
    if (error)
        return error;
    if ((version == 0 && tables > 0) || (version > 0 && applicationId != kApplicationId))
        return StoreError::make(StoreError::Kind::NotAStore,
                                QStringLiteral("%1 is an SQLite database but not a Preflight run store; choose another "
                                               "file with --store")
                                    .arg(QDir::toNativeSeparators(path())));
    if (options.quick_check)
        if ((error = quickCheck()))
            return error;
    if (options.read_only) {
        if (version == 0)
            return StoreError::make(
                StoreError::Kind::NotAStore,
                QStringLiteral("%1 is empty, not a Preflight run store; choose another file with --store")
                    .arg(QDir::toNativeSeparators(path())));
        if (version > StoreSchema::kCurrentVersion)
            return StoreSchema::migrate(m_db); // refuses (TooNew) before writing anything
        if (version < StoreSchema::kCurrentVersion)
            return StoreError::make(
                StoreError::Kind::ReadOnly,
                QStringLiteral("%1 is in store format %2 and this Preflight reads format %3 after "
                               "upgrading it once, which needs write access: make the file and its "
                               "directory writable for one run of `preflight runs`, or read a writable copy")
                    .arg(QDir::toNativeSeparators(path()))
                    .arg(version)
                    .arg(StoreSchema::kCurrentVersion));
        return m_db.exec("PRAGMA foreign_keys = ON");
    }

    if ((error = m_db.exec("PRAGMA journal_mode = WAL")))
        return error;
    if ((error = m_db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")))
        return error;
    if (version == 0) {
        // A new file: stamp it in the same step as migration 1 would be cleaner, but application_id is a
        // header field and setting it on an empty file is harmless if migration 1 then fails.
        const QByteArray pragma = "PRAGMA application_id = " + QByteArray::number(kApplicationId);
        if ((error = m_db.exec(pragma.constData())))
            return error;
    }
    if ((error = StoreSchema::migrate(m_db)))
        return error;
    if (options.recover_interrupted) {
        m_recovered = recoverInterruptedRuns(&error);
        if (error && error.kind != StoreError::Kind::ReadOnly)
            return error;
    }
    return {};
}

void RunStore::close()
{
    m_db.close();
    m_recovered.clear();
}

StoreError RunStore::quickCheck()
{
    SqliteStatement check(m_db, "PRAGMA quick_check(5)");
    QStringList problems;
    while (check.next()) {
        const QString line = check.text(0);
        if (line != QLatin1String("ok"))
            problems.append(line);
    }
    if (check.error())
        return check.error();
    if (!problems.isEmpty())
        return StoreError::make(
            StoreError::Kind::Corrupt,
            QStringLiteral("%1 is damaged (quick_check: %2); keep a copy, try `sqlite3 %1 .recover`, "
                           "or start a new store with --store")
                .arg(QDir::toNativeSeparators(path()), problems.join(QStringLiteral("; "))));
    return {};
}

bool RunStore::writerAlive(const QString &token)
{
    if (token.isEmpty())
        return false;
    WriterLock probe;
    if (!probe.tryTakeOver(WriterLock::lockPath(path(), token)))
        return true;
    probe.release(false);
    return false;
}

std::vector<qint64> RunStore::recoverInterruptedRuns(StoreError *error)
{
    struct Candidate
    {
        qint64 id;
        QString token, heartbeat, host;
        qint64 pid;
    };
    std::vector<Candidate> candidates;
    {
        SqliteStatement q(m_db,
                          "SELECT id, COALESCE(writer_token, ''), COALESCE(heartbeat_at, started_at), "
                          "COALESCE(writer_host, ''), COALESCE(writer_pid, 0) FROM runs WHERE status = 'running'");
        while (q.next())
            candidates.push_back({q.int64(0), q.text(1), q.text(2), q.text(3), q.int64(4)});
        if (q.error()) {
            if (error)
                *error = q.error();
            return {};
        }
    }
    std::vector<qint64> recovered;
    for (const Candidate &c : candidates) {
        // Holding the dead writer's lock while we update guarantees it cannot be a slow-but-alive writer.
        WriterLock lock;
        if (!c.token.isEmpty() && !lock.tryTakeOver(WriterLock::lockPath(path(), c.token)))
            continue;
        SqliteTransaction transaction(m_db);
        StoreError e = transaction.begin();
        RunSummary summary;
        if (!e)
            summary = RunSummary::compute(m_db, c.id, &e);
        if (!e)
            e = summary.write(m_db, c.id);
        if (!e) {
            const QString who =
                c.pid ? QStringLiteral("process %1 on %2").arg(c.pid).arg(c.host) : QStringLiteral("its writer");
            SqliteStatement u(m_db, "UPDATE runs SET status = 'interrupted', status_reason = ?, finished_at = ?, "
                                    "duration_s = MAX(duration_s, ?) WHERE id = ? AND status = 'running'");
            u.bind(1, QStringLiteral("recording stopped unexpectedly (%1 ended without finishing the run; last data "
                                     "written at %2); everything written until then is kept")
                          .arg(who, c.heartbeat))
                .bind(2, c.heartbeat)
                .bind(3, summary.duration_s)
                .bind(4, c.id);
            e = u.exec();
        }
        if (!e)
            e = transaction.commit();
        if (e) {
            if (error)
                *error = e;
            return recovered;
        }
        lock.release(true);
        recovered.push_back(c.id);
    }
    return recovered;
}

std::vector<RunListEntry> RunStore::listRuns(StoreError *error)
{
    std::vector<RunListEntry> runs;
    SqliteStatement q(m_db, "SELECT id, name, started_at, duration_s, status, status_reason, target, scenario, "
                            "verdict, requests, errors, p95_ms FROM runs ORDER BY started_at DESC, id DESC");
    while (q.next()) {
        RunListEntry r;
        r.id = q.int64(0);
        r.name = q.text(1);
        r.started_at = timeFrom(q.text(2));
        r.duration_s = q.real(3);
        r.status = runStatusFromId(q.text(4));
        r.status_reason = q.text(5);
        r.target = q.text(6);
        r.scenario = q.text(7);
        r.verdict = q.text(8);
        r.requests = uint64_t(q.int64(9));
        r.errors = uint64_t(q.int64(10));
        r.p95_ms = q.real(11);
        runs.push_back(r);
    }
    if (error)
        *error = q.error();
    return runs;
}

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
            "FROM runs "
            "WHERE id = ?");
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
        info.engine = q.text(21);
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
    {
        SqliteStatement q(m_db, "SELECT idx, name, method, path FROM run_endpoints WHERE run_id = ? ORDER BY idx");
        q.bind(1, id);
        std::vector<EndpointSpec> endpoints;
        while (q.next()) {
            EndpointSpec e;
            e.name = q.text(1);
            e.method = q.text(2);
            e.path = q.text(3);
            endpoints.push_back(e);
        }
        if (q.error())
            return fail(q.error());
        if (run.plan.endpoints.size() != endpoints.size())
            run.plan.endpoints = endpoints;
    }
    {
        SqliteStatement q(m_db, "SELECT idx, start_s, duration_s, open_model, from_value, to_value, label FROM stages "
                                "WHERE run_id = ? ORDER BY idx");
        q.bind(1, id);
        while (q.next()) {
            StageInfo s;
            s.index = int(q.int64(0));
            s.start_s = q.real(1);
            s.duration_s = q.real(2);
            s.open_model = q.int64(3) != 0;
            s.from = q.real(4);
            s.to = q.real(5);
            s.label = q.text(6);
            run.stages.push_back(s);
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db,
                          "SELECT idx, start_s, end_s, stage_index, target_users, target_rate, in_flight, queued, "
                          "started, dropped, client_cpu_s, load_threads, send_lag_ms FROM intervals WHERE run_id = ? "
                          "ORDER BY idx");
        q.bind(1, id);
        while (q.next()) {
            IntervalSnapshot iv;
            iv.index = int(q.int64(0));
            iv.start_s = q.real(1);
            iv.end_s = q.real(2);
            iv.stage_index = int(q.int64(3));
            iv.target_users = q.real(4);
            iv.target_rate = q.real(5);
            iv.in_flight = int(q.int64(6));
            iv.queued = int(q.int64(7));
            iv.started = uint64_t(q.int64(8));
            iv.dropped = uint64_t(q.int64(9));
            iv.client_cpu_s = q.real(10);
            iv.load_threads = int(q.int64(11));
            iv.send_lag_ms = q.real(12);
            iv.endpoints.resize(run.plan.endpoints.size());
            run.intervals.push_back(std::move(iv));
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db, "SELECT interval_idx, endpoint_idx, requests, ok, http_errors, bytes_received, "
                                "status_counts, error_counts, latency, latency_uncorrected FROM interval_endpoints "
                                "WHERE run_id = ? ORDER BY interval_idx, endpoint_idx");
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
            EndpointStats &e = iv.endpoints[endpoint];
            e.requests = uint64_t(q.int64(2));
            e.ok = uint64_t(q.int64(3));
            e.http_errors = uint64_t(q.int64(4));
            e.bytes_received = uint64_t(q.int64(5));
            e.status_counts = RunJson::statusCountsFrom(objectFrom(q.text(6)));
            e.transport_errors = RunJson::errorCountsFrom(objectFrom(q.text(7)));
            if (!LatencyHistogram::deserialize(q.blob(8), &e.latency) ||
                !LatencyHistogram::deserialize(q.blob(9), &e.latency_uncorrected))
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
    {
        SqliteStatement q(m_db,
                          "SELECT t_s, backends, active, idle, idle_in_transaction, waiting_on_lock, new_backends, "
                          "longest_transaction_s, max_connections, total_connections, by_wait_event_type, "
                          "by_application, wal_bytes, detail FROM db_samples WHERE run_id = ? ORDER BY id");
        q.bind(1, id);
        while (q.next()) {
            DbSample s;
            s.t_s = q.real(0);
            s.backends = int(q.int64(1));
            s.active = int(q.int64(2));
            s.idle = int(q.int64(3));
            s.idle_in_transaction = int(q.int64(4));
            s.waiting_on_lock = int(q.int64(5));
            s.new_backends = int(q.int64(6));
            s.longest_transaction_s = q.real(7);
            s.max_connections = int(q.int64(8));
            s.total_connections = int(q.int64(9));
            s.by_wait_event_type = RunJson::intMapFrom(objectFrom(q.text(10)));
            s.by_application = RunJson::intMapFrom(objectFrom(q.text(11)));
            s.wal_bytes = q.int64(12);
            RunJson::dbSampleDetailFrom(objectFrom(q.text(13)), &s);
            run.db_samples.push_back(std::move(s));
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db, "SELECT t_s, ok, in_use, idle, max, waiting, error FROM pool_samples WHERE run_id = ? "
                                "ORDER BY id");
        q.bind(1, id);
        while (q.next()) {
            PoolSample s;
            s.t_s = q.real(0);
            s.ok = q.int64(1) != 0;
            s.in_use = int(q.int64(2));
            s.idle = int(q.int64(3));
            s.max = int(q.int64(4));
            s.waiting = int(q.int64(5));
            s.error = q.text(6);
            run.pool_samples.push_back(s);
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db,
                          "SELECT kind, server_version, max_connections, pg_stat_statements, warnings_json, "
                          "remediation_json, journal_mode, page_size, file_bytes FROM capabilities WHERE run_id = ?");
        q.bind(1, id);
        if (q.next()) {
            DbCapabilities &d = run.database;
            d.kind = q.text(0);
            d.server_version = q.text(1);
            d.max_connections = int(q.int64(2));
            d.pg_stat_statements = q.text(3);
            d.warnings = stringsFrom(q.text(4));
            d.remediation = stringsFrom(q.text(5));
            d.journal_mode = q.text(6);
            d.page_size = q.int64(7);
            d.file_bytes = q.int64(8);
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(
            m_db, "SELECT phase, endpoint, queryid, fingerprint, text, calls, requests, calls_per_request, "
                  "rows, rows_per_call, mean_ms, total_ms, stage FROM query_stats WHERE run_id = ? ORDER BY id");
        q.bind(1, id);
        while (q.next()) {
            QueryStat s;
            s.phase = q.text(0);
            s.endpoint = q.text(1);
            s.queryid = q.text(2);
            s.fingerprint = q.text(3);
            s.text = q.text(4);
            s.calls = q.real(5);
            s.requests = q.real(6);
            s.calls_per_request = q.real(7);
            s.rows = q.real(8);
            s.rows_per_call = q.real(9);
            s.mean_ms = q.real(10);
            s.total_ms = q.real(11);
            s.stage = int(q.int64(12));
            (s.phase == QLatin1String("stage") ? run.stage_queries : run.queries).push_back(s);
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db, "SELECT fingerprint, text, valid, error, plan_json FROM query_plans WHERE run_id = ? "
                                "ORDER BY id");
        q.bind(1, id);
        while (q.next()) {
            QueryPlan p;
            p.fingerprint = q.text(0);
            p.text = q.text(1);
            p.valid = q.int64(2) != 0;
            p.error = q.text(3);
            p.root = RunJson::planNodeFrom(objectFrom(q.text(4)));
            run.plans.push_back(p);
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db, "SELECT endpoint_idx, status, error_class, retry_after, content_type, server, body, "
                                "first_seen_s, last_seen_s, stage_index, count FROM error_samples WHERE run_id = ? "
                                "ORDER BY id");
        q.bind(1, id);
        while (q.next()) {
            ErrorSample s;
            s.endpoint = int(q.int64(0));
            s.status = int(q.int64(1));
            s.error_class = RunJson::errorClassFrom(q.text(2));
            s.retry_after = q.text(3);
            s.content_type = q.text(4);
            s.server = q.text(5);
            s.body = q.blob(6);
            s.first_seen_s = q.real(7);
            s.last_seen_s = q.real(8);
            s.stage_index = int(q.int64(9));
            s.count = uint64_t(q.int64(10));
            run.error_samples.push_back(s);
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db, "SELECT finding_id, severity, title, summary, endpoint, evidence_json, recommendation, "
                                "layer, confidence, refs FROM findings WHERE run_id = ? ORDER BY id");
        q.bind(1, id);
        while (q.next()) {
            Finding f;
            f.id = q.text(0);
            f.severity = severityFromId(q.text(1));
            f.title = q.text(2);
            f.summary = q.text(3);
            f.endpoint = q.text(4);
            f.evidence = RunJson::evidenceFrom(arrayFrom(q.text(5)));
            f.recommendation = q.text(6);
            f.layer = q.text(7);
            f.confidence = q.real(8);
            f.refs = RunJson::findingRefsFrom(objectFrom(q.text(9)));
            run.findings.push_back(f);
        }
        if (q.error())
            return fail(q.error());
    }
    {
        SqliteStatement q(m_db, "SELECT check_id, label, threshold, value, measured, pass, unit, note FROM gate_checks "
                                "WHERE run_id = ? ORDER BY id");
        q.bind(1, id);
        while (q.next()) {
            GateCheck g;
            g.id = q.text(0);
            g.label = q.text(1);
            g.threshold = q.real(2);
            g.value = q.real(3);
            g.measured = q.int64(4) != 0;
            g.pass = q.int64(5) != 0;
            g.unit = q.text(6);
            g.note = q.text(7);
            run.gates.push_back(g);
        }
        if (q.error())
            return fail(q.error());
    }
    if (error)
        *error = {};
    return run;
}

StoreError RunStore::renameRun(qint64 id, const QString &name)
{
    SqliteStatement u(m_db, "UPDATE runs SET name = ? WHERE id = ?");
    u.bind(1, name).bind(2, id);
    if (StoreError e = u.exec())
        return e;
    return m_db.changes() == 0 ? notFound(id) : StoreError();
}

StoreError RunStore::deleteRun(qint64 id)
{
    QString token;
    RunStatus status = RunStatus::Failed;
    {
        SqliteStatement q(m_db, "SELECT status, COALESCE(writer_token, '') FROM runs WHERE id = ?");
        q.bind(1, id);
        if (!q.next())
            return q.error() ? q.error() : notFound(id);
        status = runStatusFromId(q.text(0));
        token = q.text(1);
    }
    if (status == RunStatus::Running && writerAlive(token))
        return StoreError::make(StoreError::Kind::Busy,
                                QStringLiteral("run %1 is still being recorded; stop it before deleting it").arg(id));
    SqliteTransaction transaction(m_db);
    if (StoreError e = transaction.begin())
        return e;
    SqliteStatement d(m_db, "DELETE FROM runs WHERE id = ?");
    d.bind(1, id);
    if (StoreError e = d.exec())
        return e;
    return transaction.commit();
}

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
    SqliteStatement endpoint(m_db,
                             "INSERT INTO run_endpoints (run_id, idx, name, method, path) VALUES (?, ?, ?, ?, ?)");
    for (size_t i = 0; i < plan.endpoints.size(); ++i) {
        endpoint.bind(1, id)
            .bind(2, qint64(i))
            .bind(3, plan.endpoints[i].name)
            .bind(4, plan.endpoints[i].method)
            .bind(5, plan.endpoints[i].path);
        if (StoreError e = endpoint.exec()) {
            if (error)
                *error = e;
            return std::nullopt;
        }
    }
    SqliteStatement stage(m_db,
                          "INSERT INTO stages (run_id, idx, start_s, duration_s, open_model, from_value, to_value, "
                          "label) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (size_t i = 0; i < stages.size(); ++i) {
        const StageInfo &s = stages[i];
        stage.bind(1, id)
            .bind(2, qint64(s.index))
            .bind(3, s.start_s)
            .bind(4, s.duration_s)
            .bind(5, s.open_model)
            .bind(6, s.from)
            .bind(7, s.to)
            .bind(8, s.label);
        if (StoreError e = stage.exec()) {
            if (error)
                *error = e;
            return std::nullopt;
        }
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
    if (!batch.intervals.empty()) {
        // Upserts: a repeated tick must not wedge the writer in a retry loop.
        SqliteStatement interval(m_db,
                                 "INSERT INTO intervals (run_id, idx, start_s, end_s, stage_index, target_users, "
                                 "target_rate, in_flight, queued, started, dropped, client_cpu_s, load_threads, "
                                 "send_lag_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                                 "(run_id, idx) DO UPDATE SET start_s = excluded.start_s, end_s = excluded.end_s, "
                                 "stage_index = excluded.stage_index, target_users = excluded.target_users, "
                                 "target_rate = excluded.target_rate, in_flight = excluded.in_flight, queued = "
                                 "excluded.queued, started = excluded.started, dropped = excluded.dropped, "
                                 "client_cpu_s = excluded.client_cpu_s, load_threads = excluded.load_threads, "
                                 "send_lag_ms = excluded.send_lag_ms");
        SqliteStatement endpoint(m_db,
                                 "INSERT OR REPLACE INTO interval_endpoints (run_id, interval_idx, endpoint_idx, "
                                 "requests, ok, http_errors, transport_errors, bytes_received, status_counts, "
                                 "error_counts, latency, latency_uncorrected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                 "?, ?)");
        const EndpointStats empty;
        for (const IntervalSnapshot &iv : batch.intervals) {
            interval.bind(1, runId)
                .bind(2, qint64(iv.index))
                .bind(3, iv.start_s)
                .bind(4, iv.end_s)
                .bind(5, qint64(iv.stage_index))
                .bind(6, iv.target_users)
                .bind(7, iv.target_rate)
                .bind(8, qint64(iv.in_flight))
                .bind(9, qint64(iv.queued))
                .bind(10, qint64(iv.started))
                .bind(11, qint64(iv.dropped))
                .bind(12, iv.client_cpu_s)
                .bind(13, qint64(iv.load_threads))
                .bind(14, iv.send_lag_ms);
            if (StoreError e = interval.exec())
                return e;
            for (size_t i = 0; i < iv.endpoints.size(); ++i) {
                const EndpointStats &s = iv.endpoints[i];
                if (s == empty)
                    continue; // an endpoint idle in this tick costs no row; loadRun restores the empty value
                endpoint.bind(1, runId)
                    .bind(2, qint64(iv.index))
                    .bind(3, qint64(i))
                    .bind(4, qint64(s.requests))
                    .bind(5, qint64(s.ok))
                    .bind(6, qint64(s.http_errors))
                    .bind(7, qint64(s.transportErrorTotal()))
                    .bind(8, qint64(s.bytes_received))
                    .bind(9, json(RunJson::statusCounts(s.status_counts)))
                    .bind(10, json(RunJson::errorCounts(s.transport_errors)))
                    .bindBlob(11, s.latency.serialize())
                    .bindBlob(12, s.latency_uncorrected.serialize());
                if (StoreError e = endpoint.exec())
                    return e;
            }
        }
    }
    if (!batch.db_samples.empty()) {
        SqliteStatement q(
            m_db, "INSERT INTO db_samples (run_id, t_s, backends, active, idle, idle_in_transaction, "
                  "waiting_on_lock, new_backends, longest_transaction_s, max_connections, total_connections, "
                  "by_wait_event_type, by_application, wal_bytes, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                  "?, ?, ?, ?, ?)");
        for (const DbSample &s : batch.db_samples) {
            q.bind(1, runId)
                .bind(2, s.t_s)
                .bind(3, s.backends)
                .bind(4, s.active)
                .bind(5, s.idle)
                .bind(6, s.idle_in_transaction)
                .bind(7, s.waiting_on_lock)
                .bind(8, s.new_backends)
                .bind(9, s.longest_transaction_s)
                .bind(10, s.max_connections)
                .bind(11, s.total_connections)
                .bind(12, json(RunJson::intMap(s.by_wait_event_type)))
                .bind(13, json(RunJson::intMap(s.by_application)))
                .bind(14, s.wal_bytes)
                .bind(15, json(RunJson::dbSampleDetail(s)));
            if (StoreError e = q.exec())
                return e;
        }
    }
    if (!batch.pool_samples.empty()) {
        SqliteStatement q(m_db, "INSERT INTO pool_samples (run_id, t_s, ok, in_use, idle, max, waiting, error) VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?)");
        for (const PoolSample &s : batch.pool_samples) {
            q.bind(1, runId)
                .bind(2, s.t_s)
                .bind(3, s.ok)
                .bind(4, s.in_use)
                .bind(5, s.idle)
                .bind(6, s.max)
                .bind(7, s.waiting)
                .bind(8, SecretScrubber::text(s.error, planJson));
            if (StoreError e = q.exec())
                return e;
        }
    }
    if (batch.database) {
        const DbCapabilities &d = *batch.database;
        SqliteStatement q(m_db,
                          "INSERT OR REPLACE INTO capabilities (run_id, kind, server_version, max_connections, "
                          "pg_stat_statements, warnings_json, remediation_json, journal_mode, page_size, file_bytes) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, runId)
            .bind(2, d.kind)
            .bind(3, d.server_version)
            .bind(4, d.max_connections)
            .bind(5, d.pg_stat_statements)
            .bind(6, json(QJsonArray::fromStringList(scrubList(d.warnings, planJson))))
            .bind(7, json(QJsonArray::fromStringList(scrubList(d.remediation, planJson))))
            .bind(8, d.journal_mode)
            .bind(9, d.page_size)
            .bind(10, d.file_bytes);
        if (StoreError e = q.exec())
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
    {
        SqliteStatement q(
            m_db, "INSERT INTO query_stats (run_id, phase, endpoint, queryid, fingerprint, text, calls, "
                  "requests, calls_per_request, rows, rows_per_call, mean_ms, total_ms, stage) VALUES (?, ?, ?, "
                  "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (const std::vector<QueryStat> *stats : {&outcome.queries, &outcome.stage_queries}) {
            for (const QueryStat &s : *stats) {
                q.bind(1, runId)
                    .bind(2, s.phase)
                    .bind(3, s.endpoint)
                    .bind(4, s.queryid)
                    .bind(5, s.fingerprint)
                    .bind(6, s.text)
                    .bind(7, s.calls)
                    .bind(8, s.requests)
                    .bind(9, s.calls_per_request)
                    .bind(10, s.rows)
                    .bind(11, s.rows_per_call)
                    .bind(12, s.mean_ms)
                    .bind(13, s.total_ms)
                    .bind(14, s.stage);
                if (StoreError e = q.exec())
                    return e;
            }
        }
    }
    {
        SqliteStatement q(m_db, "INSERT INTO query_plans (run_id, fingerprint, text, valid, error, plan_json) VALUES "
                                "(?, ?, ?, ?, ?, ?)");
        for (const QueryPlan &p : outcome.plans) {
            q.bind(1, runId)
                .bind(2, p.fingerprint)
                .bind(3, p.text)
                .bind(4, p.valid)
                .bind(5, SecretScrubber::text(p.error, planJson))
                .bind(6, json(RunJson::planNode(p.root)));
            if (StoreError e = q.exec())
                return e;
        }
    }
    {
        SqliteStatement q(m_db,
                          "INSERT INTO error_samples (run_id, endpoint_idx, status, error_class, retry_after, "
                          "content_type, server, body, first_seen_s, last_seen_s, stage_index, count) VALUES (?, ?, "
                          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (const ErrorSample &s : outcome.error_samples) {
            q.bind(1, runId)
                .bind(2, s.endpoint)
                .bind(3, s.status)
                .bind(4, errorClassId(s.error_class))
                .bind(5, s.retry_after)
                .bind(6, s.content_type)
                .bind(7, s.server)
                .bindBlob(8, s.body)
                .bind(9, s.first_seen_s)
                .bind(10, s.last_seen_s)
                .bind(11, s.stage_index)
                .bind(12, qint64(s.count));
            if (StoreError e = q.exec())
                return e;
        }
    }
    {
        SqliteStatement q(
            m_db, "INSERT INTO findings (run_id, finding_id, severity, title, summary, endpoint, "
                  "evidence_json, recommendation, layer, confidence, refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                  "?)");
        for (const Finding &f : outcome.findings) {
            std::vector<Evidence> evidence = f.evidence;
            for (Evidence &ev : evidence)
                ev.note = SecretScrubber::text(ev.note, planJson);
            q.bind(1, runId)
                .bind(2, f.id)
                .bind(3, severityId(f.severity))
                .bind(4, f.title)
                .bind(5, SecretScrubber::text(f.summary, planJson))
                .bind(6, f.endpoint)
                .bind(7, json(RunJson::evidence(evidence)))
                .bind(8, f.recommendation)
                .bind(9, f.layer)
                .bind(10, f.confidence)
                .bind(11, json(RunJson::findingRefs(f.refs)));
            if (StoreError e = q.exec())
                return e;
        }
    }
    {
        SqliteStatement q(m_db, "INSERT INTO gate_checks (run_id, check_id, label, threshold, value, measured, pass, "
                                "unit, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (const GateCheck &g : outcome.gates) {
            q.bind(1, runId)
                .bind(2, g.id)
                .bind(3, g.label)
                .bind(4, g.threshold)
                .bind(5, g.value)
                .bind(6, g.measured)
                .bind(7, g.pass)
                .bind(8, g.unit)
                .bind(9, g.note);
            if (StoreError e = q.exec())
                return e;
        }
    }
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
        .bind(7, json(QJsonArray::fromStringList(scrubList(outcome.warnings, planJson))))
        .bind(8, now)
        .bind(9, SecretScrubber::text(outcome.verdict_reason, planJson))
        .bind(10, json(QJsonArray::fromStringList(scrubList(outcome.diagnosis_notes, planJson))))
        .bind(11, runId);
    if ((e = u.exec()))
        return e;
    return m_db.changes() == 0 ? notFound(runId) : StoreError();
}

QString RunStore::storedPlanJson(qint64 runId, StoreError *error)
{
    SqliteStatement q(m_db, "SELECT plan_json FROM runs WHERE id = ?");
    q.bind(1, runId);
    if (q.next())
        return q.text(0);
    if (error)
        *error = q.error() ? q.error() : notFound(runId);
    return QString();
}

} // namespace Preflight
