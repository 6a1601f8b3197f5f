#include "storeschema.h"

#include "runsummary.h"
#include "sqlitedatabase.h"
#include "sqlitestatement.h"

#include <QDir>

namespace Preflight {

namespace {

// Migration 1: the base schema. Times are seconds on the run clock (REAL) except *_at columns, which are
// ISO 8601 UTC wall-clock text. Child rows go with their run (ON DELETE CASCADE).
const char *kSchemaV1 = R"SQL(
CREATE TABLE runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running','completed','aborted','interrupted','failed')),
    status_reason   TEXT NOT NULL DEFAULT '',
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    duration_s      REAL NOT NULL DEFAULT 0,
    tool_version    TEXT NOT NULL DEFAULT '',
    machine         TEXT NOT NULL DEFAULT '',
    target          TEXT NOT NULL DEFAULT '',
    scenario        TEXT NOT NULL DEFAULT '',
    tls_insecure    INTEGER NOT NULL DEFAULT 0,
    workers         INTEGER NOT NULL DEFAULT 0,
    plan_json       TEXT NOT NULL DEFAULT '{}',
    gate_preset     TEXT NOT NULL DEFAULT '',
    verdict         TEXT NOT NULL DEFAULT '',
    warnings_json   TEXT NOT NULL DEFAULT '[]',
    health_checked  INTEGER NOT NULL DEFAULT 0,
    health_status   INTEGER NOT NULL DEFAULT 0,
    health_error    TEXT NOT NULL DEFAULT '',
    health_latency_ms REAL NOT NULL DEFAULT 0,
    writer_token    TEXT,
    writer_pid      INTEGER,
    writer_host     TEXT,
    heartbeat_at    TEXT
);
CREATE TABLE run_endpoints (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx    INTEGER NOT NULL,
    name   TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    path   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
CREATE TABLE stages (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    start_s    REAL NOT NULL,
    duration_s REAL NOT NULL,
    open_model INTEGER NOT NULL,
    from_value REAL NOT NULL,
    to_value   REAL NOT NULL,
    label      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
CREATE TABLE intervals (
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    start_s      REAL NOT NULL,
    end_s        REAL NOT NULL,
    stage_index  INTEGER NOT NULL,
    target_users REAL NOT NULL,
    target_rate  REAL NOT NULL,
    in_flight    INTEGER NOT NULL,
    queued       INTEGER NOT NULL,
    started      INTEGER NOT NULL,
    dropped      INTEGER NOT NULL,
    PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
CREATE TABLE interval_endpoints (
    run_id         INTEGER NOT NULL,
    interval_idx   INTEGER NOT NULL,
    endpoint_idx   INTEGER NOT NULL,
    requests       INTEGER NOT NULL,
    ok             INTEGER NOT NULL,
    http_errors    INTEGER NOT NULL,
    transport_errors INTEGER NOT NULL,
    bytes_received INTEGER NOT NULL,
    status_counts  TEXT NOT NULL DEFAULT '{}',
    error_counts   TEXT NOT NULL DEFAULT '{}',
    latency        BLOB NOT NULL,
    latency_uncorrected BLOB NOT NULL,
    PRIMARY KEY (run_id, interval_idx, endpoint_idx),
    FOREIGN KEY (run_id, interval_idx) REFERENCES intervals(run_id, idx) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE db_samples (
    id                  INTEGER PRIMARY KEY,
    run_id              INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    t_s                 REAL NOT NULL,
    backends            INTEGER NOT NULL,
    active              INTEGER NOT NULL,
    idle                INTEGER NOT NULL,
    idle_in_transaction INTEGER NOT NULL,
    waiting_on_lock     INTEGER NOT NULL,
    new_backends        INTEGER NOT NULL,
    longest_transaction_s REAL NOT NULL,
    max_connections     INTEGER NOT NULL,
    total_connections   INTEGER NOT NULL,
    by_wait_event_type  TEXT NOT NULL DEFAULT '{}',
    by_application      TEXT NOT NULL DEFAULT '{}',
    wal_bytes           INTEGER NOT NULL
);
CREATE INDEX db_samples_run ON db_samples(run_id, id);
CREATE TABLE pool_samples (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    t_s     REAL NOT NULL,
    ok      INTEGER NOT NULL,
    in_use  INTEGER NOT NULL,
    idle    INTEGER NOT NULL,
    max     INTEGER NOT NULL,
    waiting INTEGER NOT NULL,
    error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pool_samples_run ON pool_samples(run_id, id);
CREATE TABLE capabilities (
    run_id             INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,
    server_version     TEXT NOT NULL DEFAULT '',
    max_connections    INTEGER NOT NULL DEFAULT -1,
    pg_stat_statements TEXT NOT NULL DEFAULT 'n/a',
    warnings_json      TEXT NOT NULL DEFAULT '[]',
    remediation_json   TEXT NOT NULL DEFAULT '[]',
    journal_mode       TEXT NOT NULL DEFAULT '',
    page_size          INTEGER NOT NULL DEFAULT -1,
    file_bytes         INTEGER NOT NULL DEFAULT -1
);
CREATE TABLE query_stats (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    phase       TEXT NOT NULL,
    endpoint    TEXT NOT NULL DEFAULT '',
    queryid     TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    calls       REAL NOT NULL,
    requests    REAL NOT NULL,
    calls_per_request REAL NOT NULL,
    rows        REAL NOT NULL,
    rows_per_call REAL NOT NULL,
    mean_ms     REAL NOT NULL,
    total_ms    REAL NOT NULL
);
CREATE INDEX query_stats_run ON query_stats(run_id, id);
CREATE TABLE query_plans (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    valid       INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    plan_json   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX query_plans_run ON query_plans(run_id, id);
CREATE TABLE error_samples (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    endpoint_idx INTEGER NOT NULL,
    status       INTEGER NOT NULL,
    error_class  TEXT NOT NULL,
    retry_after  TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    server       TEXT NOT NULL DEFAULT '',
    body         BLOB,
    first_seen_s REAL NOT NULL,
    last_seen_s  REAL NOT NULL,
    stage_index  INTEGER NOT NULL,
    count        INTEGER NOT NULL
);
CREATE INDEX error_samples_run ON error_samples(run_id, id);
CREATE TABLE findings (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    finding_id     TEXT NOT NULL,
    severity       TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    summary        TEXT NOT NULL DEFAULT '',
    endpoint       TEXT NOT NULL DEFAULT '',
    evidence_json  TEXT NOT NULL DEFAULT '[]',
    recommendation TEXT NOT NULL DEFAULT '',
    layer          TEXT NOT NULL DEFAULT '',
    confidence     REAL NOT NULL DEFAULT 0
);
CREATE INDEX findings_run ON findings(run_id, id);
CREATE TABLE gate_checks (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    check_id  TEXT NOT NULL,
    label     TEXT NOT NULL DEFAULT '',
    threshold REAL NOT NULL,
    value     REAL NOT NULL,
    measured  INTEGER NOT NULL,
    pass      INTEGER NOT NULL,
    unit      TEXT NOT NULL DEFAULT '',
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gate_checks_run ON gate_checks(run_id, id);
)SQL";

// Migration 2: summary columns so the history list does not merge every histogram of every run, and an
// index for listing by date. Existing runs are backfilled from their stored intervals.
const char *kSchemaV2 = R"SQL(
ALTER TABLE runs ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN p95_ms REAL NOT NULL DEFAULT 0;
CREATE INDEX runs_started ON runs(started_at);
)SQL";

StoreError applyV2(SqliteDatabase &db)
{
    if (StoreError e = db.exec(kSchemaV2))
        return e;
    std::vector<qint64> ids;
    SqliteStatement select(db, "SELECT id FROM runs");
    while (select.next())
        ids.push_back(select.int64(0));
    if (select.error())
        return select.error();
    for (qint64 id : ids) {
        StoreError e;
        const RunSummary summary = RunSummary::compute(db, id, &e);
        if (e)
            return e;
        if ((e = summary.write(db, id)))
            return e;
    }
    return {};
}

// Migration 3: pg_stat_statements deltas per stage (phase 'stage') name their stage.
const char *kSchemaV3 = R"SQL(
ALTER TABLE query_stats ADD COLUMN stage INTEGER NOT NULL DEFAULT -1;
)SQL";

// Migration 4: what the diagnosis needs to tell causes apart. DbSample's format-4 fields are one JSON object
// (RunJson::dbSampleDetail: working sessions, idle-in-transaction ages, lock waits, sessions by role, sessions
// left out); the load generator's own health per interval; a finding's references into the run
// (RunJson::findingRefs); why the verdict is what it is and what the diagnosis could not check. Rows of older
// runs keep the defaults, which read back as "not measured" (-1 / empty).
const char *kSchemaV4 = R"SQL(
ALTER TABLE db_samples ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';
ALTER TABLE intervals ADD COLUMN client_cpu_s REAL NOT NULL DEFAULT -1;
ALTER TABLE intervals ADD COLUMN load_threads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE intervals ADD COLUMN send_lag_ms REAL NOT NULL DEFAULT -1;
ALTER TABLE findings ADD COLUMN refs TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN verdict_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN diagnosis_notes TEXT NOT NULL DEFAULT '[]';
)SQL";

// Format 5: the host's CPU per interval (busy share of all CPUs, how many), which tells a saturated shared host
// from a server that serialises requests. Older rows read back as not measured (-1 / 0).
const char *kSchemaV5 = R"SQL(
ALTER TABLE intervals ADD COLUMN host_cpu_busy REAL NOT NULL DEFAULT -1;
ALTER TABLE intervals ADD COLUMN host_cpus INTEGER NOT NULL DEFAULT 0;
)SQL";

// Format 6: the transport under each interval's requests (RunJson::transport: answers by HTTP version,
// connections opened), and the load path that measured the run ("curl" | "raw", docs/engine.md). Older rows
// read back as "not recorded" (no protocol, no connections, engine "").
const char *kSchemaV6 = R"SQL(
ALTER TABLE interval_endpoints ADD COLUMN transport TEXT NOT NULL DEFAULT '{}';
ALTER TABLE runs ADD COLUMN engine TEXT NOT NULL DEFAULT '';
)SQL";

} // namespace

const std::vector<StoreMigration> &StoreSchema::migrations()
{
    static const std::vector<StoreMigration> steps{
        {1, "base schema", [](SqliteDatabase &db) { return db.exec(kSchemaV1); }},
        {2, "run summary columns for the history list", &applyV2},
        {3, "stage of per-stage query statistics", [](SqliteDatabase &db) { return db.exec(kSchemaV3); }},
        {4, "session details, generator health, finding references, verdict reason",
         [](SqliteDatabase &db) { return db.exec(kSchemaV4); }},
        {5, "host CPU per interval", [](SqliteDatabase &db) { return db.exec(kSchemaV5); }},
        {6, "protocol and connections per interval endpoint, load path of the run",
         [](SqliteDatabase &db) { return db.exec(kSchemaV6); }},
    };
    return steps;
}

StoreError StoreSchema::migrate(SqliteDatabase &db, int targetVersion)
{
    return migrate(db, migrations(), targetVersion);
}

StoreError StoreSchema::migrate(SqliteDatabase &db, const std::vector<StoreMigration> &steps, int targetVersion)
{
    StoreError error;
    const int highest = steps.empty() ? 0 : steps.back().version;
    int version = db.userVersion(&error);
    if (error)
        return error;
    if (version > highest)
        return StoreError::make(StoreError::Kind::TooNew,
                                QStringLiteral("%1 was written by a newer Preflight (store format %2, this build "
                                               "reads up to %3); update Preflight, or choose another file with --store")
                                    .arg(QDir::toNativeSeparators(db.path()))
                                    .arg(version)
                                    .arg(highest));
    for (const StoreMigration &step : steps) {
        if (step.version <= version || step.version > targetVersion)
            continue;
        SqliteTransaction transaction(db);
        if ((error = transaction.begin()))
            return error;
        // Re-read inside the write lock: another process may have migrated while we waited.
        version = db.userVersion(&error);
        if (error)
            return error;
        if (step.version <= version)
            continue;
        if (step.version != version + 1)
            return StoreError::make(
                StoreError::Kind::Sql,
                QStringLiteral("store format %1 has no upgrade step to %2").arg(version).arg(version + 1));
        if ((error = step.apply(db))) {
            error.message = QStringLiteral("upgrading %1 to store format %2 (%3) failed: %4")
                                .arg(QDir::toNativeSeparators(db.path()))
                                .arg(step.version)
                                .arg(QString::fromUtf8(step.description), error.message);
            return error;
        }
        const QByteArray pragma = "PRAGMA user_version = " + QByteArray::number(step.version);
        if ((error = db.exec(pragma.constData())))
            return error;
        if ((error = transaction.commit()))
            return error;
        version = step.version;
    }
    return {};
}

} // namespace Preflight
