-- Run store schema 1 as released, with one small completed run (2 intervals, 3 requests, 1 error).
-- Loaded by tests/core/tst_runstore.cpp (migratesAVersion1File). Never edit: add a new fixture for a new schema.
BEGIN;
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
INSERT INTO runs (id, name, status, started_at, finished_at, duration_s, tool_version, machine, target, scenario, plan_json, verdict)
VALUES (1, 'fixture run', 'completed', '2024-03-01T10:00:00.000Z', '2024-03-01T10:00:00.500Z', 0.5, '0.1.0', 'fixture',
        'http://127.0.0.1:8000', 'sustain',
        '{"name":"fixture run","target":{"base_url":"http://127.0.0.1:8000"},"endpoints":[{"name":"home","method":"GET","path":"/"}],"scenario":{"preset":"sustain","users":1,"duration_s":1}}',
        'inconclusive');
INSERT INTO run_endpoints VALUES (1, 0, 'home', 'GET', '/');
INSERT INTO stages VALUES (1, 0, 0, 1, 0, 1, 1, '1 users');
INSERT INTO intervals VALUES (1, 0, 0, 0.25, 0, 1, 0, 1, 0, 2, 0);
INSERT INTO intervals VALUES (1, 1, 0.25, 0.5, 0, 1, 0, 0, 0, 1, 0);
INSERT INTO interval_endpoints VALUES (1, 0, 0, 2, 2, 0, 0, 512, '{"200":2}', '{}', X'0102a01fdc0bc413bc04016101', X'0102d81df80ae012b004016701');
INSERT INTO interval_endpoints VALUES (1, 1, 0, 1, 0, 1, 0, 20, '{"503":1}', '{}', X'010190bf0590bf0590bf05b00a01', X'0101889805889805889805a70a01');
PRAGMA application_id = 1346784340;
PRAGMA user_version = 1;
COMMIT;
