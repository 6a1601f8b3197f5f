// Specification of the run store (docs/store.md): round trip, schema migrations, refusal of newer, foreign and
// damaged files, secrets never in the file, rename/delete, and the live recorder.
#include "format4fields.h"
#include "storefixture.h"

#include "plan/planparser.h"
#include "store/runjson.h"
#include "store/runoutcome.h"
#include "store/runrecorder.h"
#include "store/runstore.h"
#include "store/sqlitedatabase.h"
#include "store/sqlitestatement.h"
#include "store/storeschema.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <random>

using namespace Preflight;
using StoreFixture::makeRun;

namespace {

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void execRaw(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
    char *message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    const QByteArray text = message ? QByteArray(message) : QByteArray();
    sqlite3_free(message);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, text.constData());
}
} // namespace

class TestRunStore : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qputenv("PREFLIGHT_CANARY", "CANARYENV789"); }

    void roundTripKeepsCountsHistogramsAndPercentiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        const RunData original = makeRun();
        qint64 id = -1;
        {
            RunStore store;
            QVERIFY2(!store.open(path), "open");
            StoreError error;
            const auto saved = store.saveRun(original, &error);
            QVERIFY2(saved, qPrintable(error.message));
            id = *saved;
        }
        RunStore store;
        const StoreError openError = store.open(path);
        QVERIFY2(!openError, qPrintable(openError.message));
        StoreError error;
        const std::optional<RunData> loaded = store.loadRun(id, &error);
        QVERIFY2(loaded, qPrintable(error.message));

        QCOMPARE(loaded->info.id, id);
        QCOMPARE(loaded->info.name, original.info.name);
        QCOMPARE(loaded->info.started_at, original.info.started_at);
        QCOMPARE(loaded->info.status, RunStatus::Completed);
        QCOMPARE(loaded->info.machine, original.info.machine);
        QCOMPARE(loaded->info.engine, QStringLiteral("raw")); // the load path that measured it
        QCOMPARE(loaded->plan.endpoints.size(), original.plan.endpoints.size());
        QCOMPARE(loaded->plan.endpoints[1].name, QStringLiteral("search"));
        QCOMPARE(loaded->stages.size(), original.stages.size());
        QCOMPARE(loaded->stages[2].label, original.stages[2].label);

        QCOMPARE(loaded->intervals.size(), original.intervals.size());
        for (size_t i = 0; i < original.intervals.size(); ++i) {
            const IntervalSnapshot &a = original.intervals[i], &b = loaded->intervals[i];
            QCOMPARE(b.index, a.index);
            QCOMPARE(b.end_s, a.end_s);
            QCOMPARE(b.stage_index, a.stage_index);
            QCOMPARE(b.in_flight, a.in_flight);
            QCOMPARE(b.started, a.started);
            QCOMPARE(b.endpoints.size(), a.endpoints.size());
            for (size_t e = 0; e < a.endpoints.size(); ++e)
                QVERIFY2(b.endpoints[e] == a.endpoints[e],
                         qPrintable(QStringLiteral("interval %1 endpoint %2").arg(i).arg(e)));
        }
        const EndpointStats ta = original.total(), tb = loaded->total();
        QCOMPARE(tb.requests, ta.requests);
        QCOMPARE(tb.errors(), ta.errors());
        QCOMPARE(tb.status_counts, ta.status_counts);
        for (double p : {50.0, 90.0, 95.0, 99.0, 99.9})
            QCOMPARE(tb.latency.percentile_ms(p), ta.latency.percentile_ms(p));
        QCOMPARE(tb.latency_uncorrected.percentile_ms(95), ta.latency_uncorrected.percentile_ms(95));
        for (int stage = 0; stage < 3; ++stage)
            QCOMPARE(loaded->stageTotal(stage).latency.percentile_ms(99),
                     original.stageTotal(stage).latency.percentile_ms(99));

        QCOMPARE(loaded->db_samples.size(), original.db_samples.size());
        QCOMPARE(loaded->db_samples[7].backends, original.db_samples[7].backends);
        QCOMPARE(loaded->db_samples[7].by_application, original.db_samples[7].by_application);
        QCOMPARE(loaded->pool_samples.size(), original.pool_samples.size());
        QCOMPARE(loaded->pool_samples[3].ok, false);
        QCOMPARE(loaded->pool_samples[12].waiting, 3);
        QCOMPARE(loaded->database.server_version, original.database.server_version);
        QCOMPARE(loaded->database.warnings, original.database.warnings);
        QCOMPARE(loaded->health.latency_ms, 1.5);
        QCOMPARE(loaded->queries.size(), size_t(1));
        QCOMPARE(loaded->queries[0].calls_per_request, 30.0);
        QCOMPARE(loaded->queries[0].stage, -1);
        QCOMPARE(loaded->stage_queries.size(), size_t(1)); // kept apart from the run's queries
        QCOMPARE(loaded->stage_queries[0].stage, 1);
        QCOMPARE(loaded->stage_queries[0].phase, QueryPhase::Stage);
        QCOMPARE(loaded->plans.size(), size_t(1));
        QCOMPARE(loaded->plans[0].root.children.size(), size_t(1));
        QCOMPARE(loaded->plans[0].root.children[0].filter_columns, QStringList{QStringLiteral("customer_id")});
        QVERIFY(loaded->plans[0].root.children[0].flagged);
        QCOMPARE(loaded->error_samples.size(), size_t(1));
        QCOMPARE(loaded->error_samples[0].body, original.error_samples[0].body);
        QCOMPARE(loaded->error_samples[0].count, uint64_t(41));
        QCOMPARE(loaded->findings.size(), size_t(2));
        QCOMPARE(loaded->findings[0].id, QStringLiteral("n-plus-one"));
        QCOMPARE(loaded->findings[0].severity, Severity::High);
        QCOMPARE(loaded->findings[0].evidence.size(), size_t(1));
        QCOMPARE(loaded->findings[0].evidence[0].value, 30.0);
        QCOMPARE(loaded->gates.size(), size_t(2));
        QCOMPARE(loaded->gates[1].pass, false);
        QCOMPARE(loaded->gates[0].note, QStringLiteral("at 10 users"));
        QCOMPARE(loaded->verdict, QStringLiteral("not-ready"));
        QCOMPARE(loaded->warnings, original.warnings);

        const std::vector<RunListEntry> list = store.listRuns(&error);
        QVERIFY(!error);
        QCOMPARE(list.size(), size_t(1));
        QCOMPARE(list[0].requests, ta.requests);
        QCOMPARE(list[0].errors, ta.errors());
        QCOMPARE(list[0].p95_ms, ta.latency.percentile_ms(95));
        QCOMPARE(list[0].duration_s, original.intervals.back().end_s);
    }

    void recorderStreamsARunAndFinishesIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        RunData original = makeRun(40);
        Format4Fields::fill(original);
        qint64 id = -1;
        {
            RunRecorder recorder;
            QSignalSpy finished(&recorder, &RunRecorder::runFinished);
            StoreError error;
            const auto begun = recorder.beginRun(path, original.info, original.plan, original.stages, &error);
            QVERIFY2(begun, qPrintable(error.message));
            id = *begun;
            {
                // While recording, another connection sees a live writer: not interrupted, not deletable.
                RunStore other;
                QVERIFY(!other.open(path));
                QVERIFY(other.recoveredRuns().empty());
                QCOMPARE(other.deleteRun(id).kind, StoreError::Kind::Busy);
            }
            for (const IntervalSnapshot &iv : original.intervals)
                recorder.appendInterval(iv);
            for (const DbSample &s : original.db_samples)
                recorder.appendDbSample(s);
            for (const PoolSample &s : original.pool_samples)
                recorder.appendPoolSample(s);
            recorder.setDatabaseCapabilities(original.database);
            recorder.finishRun(RunOutcome::fromRunData(original));
            const StoreError finishError = recorder.waitForFinished();
            QVERIFY2(!finishError, qPrintable(finishError.message));
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
            QCOMPARE(finished.at(0).at(0).toLongLong(), id);
            QVERIFY(recorder.stats().commits >= 1);
        }
        RunStore store;
        QVERIFY(!store.open(path));
        QVERIFY(store.recoveredRuns().empty());
        const std::optional<RunData> loaded = store.loadRun(id);
        QVERIFY(loaded);
        QCOMPARE(loaded->info.status, RunStatus::Completed);
        QCOMPARE(loaded->intervals.size(), original.intervals.size());
        QVERIFY(loaded->total() == original.total());
        QCOMPARE(loaded->db_samples.size(), original.db_samples.size());
        QCOMPARE(loaded->findings.size(), original.findings.size());
        // Format 4 through the recorder's queue and outcome: the export of the stored run is the original's.
        QCOMPARE(loaded->intervals[5].client_cpu_s, original.intervals[5].client_cpu_s);
        QCOMPARE(loaded->db_samples[3].lock_waits.size(), size_t(2));
        QCOMPARE(loaded->findings[0].refs.statements.size(), size_t(2));
        QCOMPARE(loaded->verdict_reason, original.verdict_reason);
        QCOMPARE(loaded->diagnosis_notes, original.diagnosis_notes);
        QVERIFY(!QFile::exists(path + QStringLiteral("-run-")));
        QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("*.lock")}, QDir::Files).size(), 0);
    }

    void recorderDestroyedMidRunLeavesAnInterruptedRun()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        const RunData original = makeRun(8);
        qint64 id = -1;
        {
            RunRecorder recorder;
            id = *recorder.beginRun(path, original.info, original.plan, original.stages);
            for (const IntervalSnapshot &iv : original.intervals)
                recorder.appendInterval(iv);
        }
        RunStore store;
        QVERIFY(!store.open(path));
        const auto loaded = store.loadRun(id);
        QVERIFY(loaded);
        QCOMPARE(loaded->info.status, RunStatus::Interrupted);
        QCOMPARE(loaded->intervals.size(), size_t(8));
    }

    void renameAndDelete()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        RunStore store;
        QVERIFY(!store.open(path));
        const qint64 a = *store.saveRun(makeRun(4));
        const qint64 b = *store.saveRun(makeRun(4));
        QVERIFY(!store.renameRun(a, QStringLiteral("Monday, before the fix")));
        QCOMPARE(store.loadRun(a)->info.name, QStringLiteral("Monday, before the fix"));
        QCOMPARE(store.renameRun(999, QStringLiteral("x")).kind, StoreError::Kind::NotFound);
        QVERIFY(!store.deleteRun(a));
        StoreError error;
        QVERIFY(!store.loadRun(a, &error));
        QCOMPARE(error.kind, StoreError::Kind::NotFound);
        QCOMPARE(store.listRuns().size(), size_t(1));
        QCOMPARE(store.loadRun(b)->intervals.size(), size_t(4));
        SqliteDatabase raw;
        QVERIFY(!raw.open(path, false));
        SqliteStatement orphans(raw, "SELECT (SELECT count(*) FROM intervals WHERE run_id = 1) + "
                                     "(SELECT count(*) FROM interval_endpoints WHERE run_id = 1) + "
                                     "(SELECT count(*) FROM findings WHERE run_id = 1)");
        QVERIFY(orphans.next());
        QCOMPARE(orphans.int64(0), qint64(0));
    }

    void migratesAVersion1File()
    {
        // The fixture is schema 1 as released, written as SQL so that a change to migration 1 shows in review.
        const QString fixture = QStringLiteral(PREFLIGHT_TEST_DATA_DIR "/store/v1.sql");
        QVERIFY2(QFile::exists(fixture), qPrintable(fixture));
        QFile sql(fixture);
        QVERIFY(sql.open(QIODevice::ReadOnly));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v1.sqlite"));
        execRaw(path, sql.readAll().constData());
        {
            SqliteDatabase raw;
            QVERIFY(!raw.open(path, false));
            QCOMPARE(raw.userVersion(nullptr), 1);
        }
        RunStore store;
        const StoreError error = store.open(path);
        QVERIFY2(!error, qPrintable(error.message));
        {
            SqliteDatabase raw;
            QVERIFY(!raw.open(path, false));
            QCOMPARE(raw.userVersion(nullptr), StoreSchema::kCurrentVersion);
        }
        const std::vector<RunListEntry> runs = store.listRuns();
        QCOMPARE(runs.size(), size_t(1));
        // Backfilled by migration 2 from the stored histograms.
        QCOMPARE(runs[0].requests, uint64_t(3));
        QCOMPARE(runs[0].errors, uint64_t(1));
        const std::optional<RunData> run = store.loadRun(runs[0].id);
        QVERIFY(run);
        QCOMPARE(runs[0].p95_ms, run->total().latency.percentile_ms(95));
        QVERIFY(runs[0].p95_ms > 0);
        QCOMPARE(run->intervals.size(), size_t(2));
        QCOMPARE(run->info.status, RunStatus::Completed);
    }

    void roundTripKeepsFormat4Fields()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        RunData original = makeRun(12);
        Format4Fields::fill(original);
        RunStore store;
        QVERIFY(!store.open(path));
        StoreError error;
        const std::optional<qint64> id = store.saveRun(original, &error);
        QVERIFY2(id, qPrintable(error.message));
        const std::optional<RunData> loaded = store.loadRun(*id, &error);
        QVERIFY2(loaded, qPrintable(error.message));

        QCOMPARE(loaded->intervals.size(), original.intervals.size());
        for (size_t i = 0; i < original.intervals.size(); ++i) {
            QCOMPARE(loaded->intervals[i].client_cpu_s, original.intervals[i].client_cpu_s);
            QCOMPARE(loaded->intervals[i].load_threads, original.intervals[i].load_threads);
            QCOMPARE(loaded->intervals[i].send_lag_ms, original.intervals[i].send_lag_ms);
            QCOMPARE(loaded->intervals[i].host_cpu_busy, original.intervals[i].host_cpu_busy);
            QCOMPARE(loaded->intervals[i].host_cpus, original.intervals[i].host_cpus);
        }
        QCOMPARE(loaded->db_samples.size(), original.db_samples.size());
        for (size_t i = 0; i < original.db_samples.size(); ++i) {
            const DbSample &a = original.db_samples[i], &b = loaded->db_samples[i];
            QCOMPARE(b.active_running, a.active_running);
            QCOMPARE(b.idle_in_transaction_s, a.idle_in_transaction_s);
            QCOMPARE(b.by_user, a.by_user);
            QCOMPARE(b.excluded, a.excluded);
            QCOMPARE(b.other_databases, a.other_databases);
            QCOMPARE(b.lock_waits.size(), a.lock_waits.size());
            for (size_t w = 0; w < a.lock_waits.size(); ++w) {
                QCOMPARE(b.lock_waits[w].wait_s, a.lock_waits[w].wait_s);
                QCOMPARE(b.lock_waits[w].query, a.lock_waits[w].query);
                QCOMPARE(b.lock_waits[w].relation, a.lock_waits[w].relation);
                QCOMPARE(b.lock_waits[w].lock_type, a.lock_waits[w].lock_type);
                QCOMPARE(b.lock_waits[w].blocking_query, a.lock_waits[w].blocking_query);
                QCOMPARE(b.lock_waits[w].blocking_state, a.lock_waits[w].blocking_state);
                QCOMPARE(b.lock_waits[w].blockers, a.lock_waits[w].blockers);
            }
        }
        QCOMPARE(loaded->findings.size(), original.findings.size());
        for (size_t i = 0; i < original.findings.size(); ++i) {
            const FindingRefs &a = original.findings[i].refs, &b = loaded->findings[i].refs;
            QCOMPARE(b.endpoint, a.endpoint);
            QCOMPARE(b.level, a.level);
            QCOMPARE(b.relation, a.relation);
            QCOMPARE(b.columns, a.columns);
            QCOMPARE(b.statements.size(), a.statements.size());
            for (size_t k = 0; k < a.statements.size(); ++k) {
                QCOMPARE(b.statements[k].fingerprint, a.statements[k].fingerprint);
                QCOMPARE(b.statements[k].role, a.statements[k].role);
                QCOMPARE(b.statements[k].text, a.statements[k].text);
            }
        }
        QCOMPARE(loaded->verdict_reason, original.verdict_reason);
        QCOMPARE(loaded->diagnosis_notes, original.diagnosis_notes);

        // Everything else as well: the stored run exports as the original does, but for the id and duration the
        // store gave it and the plan, which is stored with its conninfo password redacted.
        RunData expected = original;
        expected.info.id = *id;
        expected.info.duration_s = original.intervals.back().end_s; // not given: the end of the last interval
        const QJsonObject a = RunJson::run(expected), b = RunJson::run(*loaded);
        for (auto it = a.begin(); it != a.end(); ++it)
            if (it.key() != QLatin1String("plan"))
                QVERIFY2(b.value(it.key()) == it.value(),
                         qPrintable(it.key() + QLatin1Char(' ') +
                                    QString::fromUtf8(QJsonDocument(b.value(it.key()).toObject()).toJson())));
    }

    // QueryStat::endpoint is an index into the plan's endpoints; query_stats.endpoint keeps the endpoint's name, as
    // every store before it did, mapped through the run's stored endpoints on the way in and out. A profiled
    // statement of the second and third endpoint must come back attributed to them, written whole (saveRun) or
    // as the recorder writes it (the run row first, the statements with the outcome).
    void profiledStatementsKeepTheirEndpoint()
    {
        QTemporaryDir dir;
        RunStore store;
        QVERIFY(!store.open(dir.filePath(QStringLiteral("runs.sqlite"))));
        RunData run = makeRun(4); // endpoints "profile", "search", "create"
        run.queries.clear();
        run.stage_queries.clear();
        QueryStat q;
        q.phase = QueryPhase::Profile;
        q.requests = 20;
        for (const int endpoint : {2, 1}) {
            q.endpoint = endpoint;
            q.text = QStringLiteral("SELECT * FROM t%1 WHERE id = $1").arg(endpoint);
            q.fingerprint = QStringLiteral("fp%1").arg(endpoint);
            q.calls = 20.0 * (endpoint + 1);
            q.calls_per_request = endpoint + 1;
            run.queries.push_back(q);
        }
        QueryStat whole = q;
        whole.phase = QueryPhase::Run;
        whole.endpoint = -1;
        run.queries.push_back(whole);

        StoreError error;
        const std::optional<qint64> saved = store.saveRun(run, &error);
        QVERIFY2(saved, qPrintable(error.message));
        const std::optional<qint64> live = store.insertRun(run.info, run.plan, run.stages, QString(), &error);
        QVERIFY2(live, qPrintable(error.message));
        error = store.finishRun(*live, RunOutcome::fromRunData(run));
        QVERIFY2(!error, qPrintable(error.message));
        for (const qint64 id : {*saved, *live}) {
            const std::optional<RunData> loaded = store.loadRun(id, &error);
            QVERIFY2(loaded, qPrintable(error.message));
            QCOMPARE(loaded->queries.size(), size_t(3));
            QCOMPARE(loaded->queries[0].endpoint, 2);
            QCOMPARE(loaded->queries[0].text, run.queries[0].text);
            QCOMPARE(loaded->queries[1].endpoint, 1);
            QCOMPARE(loaded->queries[1].text, run.queries[1].text);
            QCOMPARE(loaded->queries[2].endpoint, -1);
            QCOMPARE(loaded->queries[2].phase, QueryPhase::Run);
        }
        // On disk: names, as stores written before the value held an index have them.
        SqliteDatabase raw;
        QVERIFY(!raw.open(dir.filePath(QStringLiteral("runs.sqlite")), false));
        SqliteStatement names(raw, "SELECT endpoint FROM query_stats WHERE run_id = ? ORDER BY id");
        names.bind(1, *saved);
        QStringList stored;
        while (names.next())
            stored << names.text(0);
        QCOMPARE(stored, (QStringList{QStringLiteral("create"), QStringLiteral("search"), QString()}));
    }

    void upgradesAFormat3StoreInPlace()
    {
        // A store written by the previous release: the schema steps as released up to format 3, and a run in it.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("v3.sqlite"));
        {
            SqliteDatabase db;
            QVERIFY(!db.open(path, true));
            QVERIFY(!db.exec("PRAGMA application_id = 1346784340")); // 'PFLT', as RunStore stamps it
            QVERIFY(!StoreSchema::migrate(db, 3));
            QCOMPARE(db.userVersion(nullptr), 3);
        }
        execRaw(path, R"SQL(
            INSERT INTO runs (id, name, status, started_at, duration_s, plan_json, verdict, warnings_json)
                VALUES (1, 'friday', 'completed', '2026-11-27T10:00:00.000Z', 0.5, '{}', 'not-ready', '["w"]');
            INSERT INTO run_endpoints (run_id, idx, name, method, path) VALUES (1, 0, 'list', 'GET', '/items');
            INSERT INTO run_endpoints (run_id, idx, name, method, path) VALUES (1, 1, 'search', 'GET', '/search');
            INSERT INTO intervals (run_id, idx, start_s, end_s, stage_index, target_users, target_rate, in_flight,
                                   queued, started, dropped) VALUES (1, 0, 0, 0.25, 0, 5, 0, 5, 0, 10, 0);
            INSERT INTO db_samples (run_id, t_s, backends, active, idle, idle_in_transaction, waiting_on_lock,
                                    new_backends, longest_transaction_s, max_connections, total_connections,
                                    by_wait_event_type, by_application, wal_bytes)
                VALUES (1, 1, 6, 4, 2, 0, 1, 0, 0.5, 100, 9, '{"Lock":1}', '{"app":6}', -1);
            INSERT INTO findings (run_id, finding_id, severity, title, evidence_json)
                VALUES (1, 'capacity-knee', 'medium', 'Throughput peaks at 5 users', '[]');
            INSERT INTO query_stats (run_id, phase, calls, requests, calls_per_request, rows, rows_per_call, mean_ms,
                                     total_ms, stage) VALUES (1, 'stage', 10, 5, 2, 10, 1, 0.1, 1, 0);
            INSERT INTO query_stats (run_id, phase, endpoint, text, calls, requests, calls_per_request, rows,
                                     rows_per_call, mean_ms, total_ms)
                VALUES (1, 'profile', 'search', 'SELECT 2', 20, 20, 1, 20, 1, 0.1, 2),
                       (1, 'profile', 'list', 'SELECT 1', 40, 20, 2, 40, 1, 0.1, 4),
                       (1, 'profile', 'renamed since', 'SELECT 3', 20, 20, 1, 20, 1, 0.1, 2),
                       (1, 'run', '', 'SELECT 1', 400, 200, 2, 400, 1, 0.1, 40);
        )SQL");

        RunStore store;
        const StoreError openError = store.open(path);
        QVERIFY2(!openError, qPrintable(openError.message));
        {
            SqliteDatabase raw;
            QVERIFY(!raw.open(path, false));
            QCOMPARE(raw.userVersion(nullptr), StoreSchema::kCurrentVersion);
        }
        StoreError error;
        const std::optional<RunData> run = store.loadRun(1, &error);
        QVERIFY2(run, qPrintable(error.message));
        QCOMPARE(run->info.name, QStringLiteral("friday"));
        QCOMPARE(run->verdict, QStringLiteral("not-ready"));
        QCOMPARE(run->stage_queries.size(), size_t(1));
        QCOMPARE(run->stage_queries[0].endpoint, -1);
        // Statements stored by endpoint name are attributed to the endpoint of that name in the run's own plan;
        // a name it does not hold keeps the statement, at no endpoint.
        QCOMPARE(run->queries.size(), size_t(4));
        QCOMPARE(run->queries[0].endpoint, 1);
        QCOMPARE(run->queries[1].endpoint, 0);
        QCOMPARE(run->queries[2].endpoint, -1);
        QCOMPARE(run->queries[2].phase, QueryPhase::Profile);
        QCOMPARE(run->plan.endpointDisplayName(run->queries[2].endpoint), QStringLiteral("(unknown endpoint)"));
        QCOMPARE(run->queries[3].endpoint, -1);
        // Older rows read back as "not measured".
        QCOMPARE(run->intervals.size(), size_t(1));
        QCOMPARE(run->intervals[0].started, uint64_t(10));
        QCOMPARE(run->intervals[0].client_cpu_s, -1.0);
        QCOMPARE(run->intervals[0].load_threads, 0);
        QCOMPARE(run->intervals[0].send_lag_ms, -1.0);
        QCOMPARE(run->intervals[0].host_cpu_busy, -1.0);
        QCOMPARE(run->intervals[0].host_cpus, 0);
        QCOMPARE(run->db_samples.size(), size_t(1));
        const DbSample &s = run->db_samples[0];
        QCOMPARE(s.waiting_on_lock, 1);
        QCOMPARE(s.by_application.at(QStringLiteral("app")), 6);
        QCOMPARE(s.active_running, -1);
        QCOMPARE(s.other_databases, -1);
        QVERIFY(s.idle_in_transaction_s.empty());
        QVERIFY(s.lock_waits.empty());
        QVERIFY(s.by_user.empty());
        QVERIFY(s.excluded.empty());
        QCOMPARE(run->findings.size(), size_t(1));
        QCOMPARE(run->findings[0].refs.endpoint, -1);
        QCOMPARE(run->findings[0].refs.level, -1);
        QVERIFY(run->findings[0].refs.statements.empty());
        QVERIFY(run->verdict_reason.isEmpty());
        QVERIFY(run->diagnosis_notes.isEmpty());

        // The upgraded file takes format-4 runs beside the old one.
        RunData fresh = makeRun(4);
        Format4Fields::fill(fresh);
        const std::optional<qint64> id = store.saveRun(fresh, &error);
        QVERIFY2(id, qPrintable(error.message));
        QCOMPARE(store.loadRun(*id)->db_samples[0].lock_waits.size(), size_t(2));
        QCOMPARE(store.listRuns().size(), size_t(2));
    }

    void aFailedMigrationStepLeavesThePreviousVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        SqliteDatabase db;
        QVERIFY(!db.open(path, true));
        std::vector<StoreMigration> steps = StoreSchema::migrations();
        QVERIFY(!StoreSchema::migrate(db, steps, StoreSchema::kCurrentVersion));
        steps.push_back({StoreSchema::kCurrentVersion + 1, "fake step that fails half way", [](SqliteDatabase &d) {
                             if (StoreError e = d.exec("CREATE TABLE half_done (x)"))
                                 return e;
                             return d.exec("THIS IS NOT SQL");
                         }});
        const StoreError error = StoreSchema::migrate(db, steps, StoreSchema::kCurrentVersion + 1);
        QVERIFY(error);
        QVERIFY2(error.message.contains(QLatin1String("fake step")), qPrintable(error.message));
        QCOMPARE(db.userVersion(nullptr), StoreSchema::kCurrentVersion);
        SqliteStatement q(db, "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'");
        QVERIFY(q.next());
        QCOMPARE(q.int64(0), qint64(0));
        // And a working fake step N+1 applies on top of N.
        steps.back().apply = [](SqliteDatabase &d) { return d.exec("CREATE TABLE later_issue (x)"); };
        QVERIFY(!StoreSchema::migrate(db, steps, StoreSchema::kCurrentVersion + 1));
        QCOMPARE(db.userVersion(nullptr), StoreSchema::kCurrentVersion + 1);
    }

    void refusesAFileFromANewerPreflight()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        {
            RunStore store;
            QVERIFY(!store.open(path));
            QVERIFY(store.saveRun(makeRun(2)));
        }
        execRaw(path, "PRAGMA user_version = 99");
        RunStore store;
        const StoreError error = store.open(path);
        QCOMPARE(error.kind, StoreError::Kind::TooNew);
        QVERIFY2(error.message.contains(QLatin1String("newer Preflight")), qPrintable(error.message));
        QVERIFY(error.message.contains(QLatin1String("99")));
        QVERIFY(!store.isOpen());
    }

    void refusesBadFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<int>("expected");
        QTest::addColumn<QString>("words");
        QTest::newRow("text file") << QStringLiteral("text") << int(StoreError::Kind::NotAStore)
                                   << QStringLiteral("not a Preflight run store");
        QTest::newRow("sqlite header, garbage")
            << QStringLiteral("header") << int(StoreError::Kind::NotAStore) << QStringLiteral("run store");
        QTest::newRow("foreign sqlite database") << QStringLiteral("foreign") << int(StoreError::Kind::NotAStore)
                                                 << QStringLiteral("not a Preflight run store");
        QTest::newRow("damaged store") << QStringLiteral("damaged") << int(StoreError::Kind::Corrupt)
                                       << QStringLiteral("damaged");
        QTest::newRow("directory") << QStringLiteral("directory") << int(StoreError::Kind::NotAStore)
                                   << QStringLiteral("directory");
    }
    void refusesBadFiles()
    {
        QFETCH(QString, kind);
        QFETCH(int, expected);
        QFETCH(QString, words);
        QTemporaryDir dir;
        QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        if (kind == QLatin1String("text")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray("this is a plan, not a database\n").repeated(200));
        } else if (kind == QLatin1String("header")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray bytes("SQLite format 3", 16);
            bytes += QByteArray(8192, '\x5a');
            f.write(bytes);
        } else if (kind == QLatin1String("foreign")) {
            execRaw(
                path,
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a')");
        } else if (kind == QLatin1String("damaged")) {
            {
                RunStore store;
                QVERIFY(!store.open(path));
                for (int i = 0; i < 3; ++i)
                    QVERIFY(store.saveRun(makeRun(60)));
            }
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.size() > 16 * 4096);
            // Scribble over b-tree pages in the middle of the file (not the header: that would be "not a database").
            f.seek(4 * 4096 + 100);
            f.write(QByteArray(6 * 4096, '\x7f'));
        } else if (kind == QLatin1String("directory")) {
            QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("runs.sqlite")));
        }
        const QByteArray before = fileBytes(path);
        RunStore store;
        const StoreError error = store.open(path);
        QVERIFY2(error, "bad file accepted");
        QVERIFY2(int(error.kind) == expected ||
                     (kind == QLatin1String("header") && error.kind == StoreError::Kind::Corrupt),
                 qPrintable(error.message));
        QVERIFY2(error.message.contains(words), qPrintable(error.message));
        QVERIFY(!store.isOpen());
        if (kind != QLatin1String("directory"))
            QCOMPARE(fileBytes(path), before); // refused files are not touched
    }

    void secretsNeverReachTheFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        RunData uri = makeRun(4);
        uri.plan.target.base_url = QStringLiteral("http://admin:CANARY321@127.0.0.1:8000");
        uri.info.target = uri.plan.target.base_url;
        uri.plan.target.headers[QStringLiteral("Authorization")] = QStringLiteral("Bearer CANARY654");
        // Texts that echo resolved input must be scrubbed too.
        uri.warnings.append(QStringLiteral("login as admin with password CANARYENV789 failed"));
        uri.info.status_reason = QStringLiteral("database unreachable: postgresql://u:CANARY123@127.0.0.1/db");
        RunData keyValue = makeRun(4);
        keyValue.plan.database.conninfo = QStringLiteral("host=127.0.0.1 dbname=db user=u password=CANARY456");
        keyValue.database.warnings.append(QStringLiteral("could not connect with host=127.0.0.1 password=CANARY456"));

        RunStore store;
        QVERIFY(!store.open(path));
        QVERIFY(store.saveRun(uri));
        QVERIFY(store.saveRun(keyValue));
        RunRecorder recorder;
        QVERIFY(recorder.beginRun(path, uri.info, uri.plan, uri.stages));
        PoolSample pool;
        pool.error = QStringLiteral("GET http://admin:CANARY321@127.0.0.1:8000/health: token CANARYENV789 refused");
        recorder.appendPoolSample(pool);
        recorder.appendInterval(uri.intervals[0]);
        recorder.finishRun(RunOutcome::fromRunData(uri));
        QVERIFY(!recorder.waitForFinished());

        const QStringList canaries{QStringLiteral("CANARYENV789"), QStringLiteral("CANARY123"),
                                   QStringLiteral("CANARY456"), QStringLiteral("CANARY321"),
                                   QStringLiteral("CANARY654")};
        auto check = [&](const QString &file) {
            const QByteArray bytes = fileBytes(file);
            for (const QString &canary : canaries) {
                QVERIFY2(!bytes.contains(canary.toUtf8()), qPrintable(file + QStringLiteral(" holds ") + canary));
                QVERIFY2(!bytes.contains(canary.toUtf8().toBase64()),
                         qPrintable(file + QStringLiteral(" holds base64 ") + canary));
            }
        };
        QVERIFY(QFile::exists(path + QStringLiteral("-wal")));
        check(path);
        check(path + QStringLiteral("-wal"));
        // Placeholders are kept so the plan can run again.
        const std::optional<RunData> loaded = store.loadRun(1);
        QVERIFY(loaded);
        QCOMPARE(loaded->plan.target.headers.at(QStringLiteral("X-Api-Key")),
                 QStringLiteral("${env:PREFLIGHT_CANARY}"));
        QCOMPARE(loaded->plan.target.headers.at(QStringLiteral("Authorization")), QStringLiteral("***"));
        QVERIFY(loaded->plan.database.conninfo.contains(QLatin1String("***")));
        QVERIFY(!loaded->info.target.contains(QLatin1String("admin")));
        store.close();
        check(path);
    }

    void cliListsAndExportsRuns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        const RunData run = makeRun(12);
        dir.setAutoRemove(qEnvironmentVariableIsEmpty("PREFLIGHT_KEEP_TEST_DIR"));
        {
            RunStore store;
            QVERIFY(!store.open(path));
            QVERIFY(store.saveRun(run));
        }
        auto preflight = [](const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr) {
            QProcess p;
            p.start(QStringLiteral(PREFLIGHT_BIN), args);
            if (!p.waitForFinished(60000))
                return -1;
            if (out)
                *out = p.readAllStandardOutput();
            if (err)
                *err = p.readAllStandardError();
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        };
        QByteArray out, err;
        QCOMPARE(preflight({QStringLiteral("runs"), QStringLiteral("--store"), path}, &out), 0);
        QVERIFY2(out.contains("synthetic") && out.contains("completed") && out.contains("P95"), out.constData());

        const QString json = dir.filePath(QStringLiteral("run.json"));
        QCOMPARE(preflight({QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--store"), path,
                            QStringLiteral("--json"), json}),
                 0);
        QFile jsonFile(json);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject root = QJsonDocument::fromJson(jsonFile.readAll()).object();
        QCOMPARE(root.value(QLatin1String("schema")).toString(), QStringLiteral("preflight.run/1"));
        QCOMPARE(root.value(QLatin1String("intervals")).toArray().size(), 12);
        QCOMPARE(root.value(QLatin1String("findings")).toArray().size(), 2);

        const QString csv = dir.filePath(QStringLiteral("csv"));
        QCOMPARE(preflight({QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--store"), path,
                            QStringLiteral("--csv"), csv}),
                 0);
        QFile intervals(csv + QStringLiteral("/intervals.csv"));
        QVERIFY(intervals.open(QIODevice::ReadOnly));
        QCOMPARE(intervals.readAll().count('\n'), qsizetype(1 + 12 * 3));
        QVERIFY(QFile::exists(csv + QStringLiteral("/db_samples.csv")));
        QVERIFY(QFile::exists(csv + QStringLiteral("/pool_samples.csv")));

        QCOMPARE(
            preflight({QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--store"), path}, nullptr, &err),
            2);
        QVERIFY(err.contains("exactly one of"));
        QCOMPARE(preflight({QStringLiteral("export"), QStringLiteral("abc"), QStringLiteral("--store"), path,
                            QStringLiteral("--json"), json}),
                 2);
        QCOMPARE(preflight({QStringLiteral("export"), QStringLiteral("42"), QStringLiteral("--store"), path,
                            QStringLiteral("--json"), json},
                           nullptr, &err),
                 2);
        QVERIFY2(err.contains("no run 42"), err.constData());
        QCOMPARE(preflight({QStringLiteral("runs"), QStringLiteral("--store"),
                            dir.filePath(QStringLiteral("missing.sqlite"))},
                           nullptr, &err),
                 2);
        QCOMPARE(preflight({QStringLiteral("runs"), QStringLiteral("--store"), json}, nullptr, &err), 2);
        QVERIFY2(err.contains("not a Preflight run store"), err.constData());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("missing.sqlite"))));
    }

    void defaultPathIsUnderAppData() { QVERIFY(RunStore::defaultPath().endsWith(QLatin1String("/runs.sqlite"))); }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "tst_runstore.moc"
