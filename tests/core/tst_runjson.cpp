#include "format4fields.h"
#include "reportfixture.h"

#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "store/runjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <functional>

using namespace Preflight;

namespace {

// The first place two JSON values differ ("findings[2].refs.level: 1 vs 2"), empty when equal: a whole-run
// comparison that fails must say where.
QString firstDifference(const QJsonValue &a, const QJsonValue &b, const QString &path = QStringLiteral("$"))
{
    if (a.type() != b.type())
        return QStringLiteral("%1: type %2 vs %3").arg(path).arg(int(a.type())).arg(int(b.type()));
    if (a.isObject()) {
        const QJsonObject oa = a.toObject(), ob = b.toObject();
        for (auto it = oa.begin(); it != oa.end(); ++it) {
            if (!ob.contains(it.key()))
                return QStringLiteral("%1.%2: missing after the round trip").arg(path, it.key());
            const QString d = firstDifference(it.value(), ob.value(it.key()), path + QLatin1Char('.') + it.key());
            if (!d.isEmpty())
                return d;
        }
        for (auto it = ob.begin(); it != ob.end(); ++it)
            if (!oa.contains(it.key()))
                return QStringLiteral("%1.%2: added by the round trip").arg(path, it.key());
        return QString();
    }
    if (a.isArray()) {
        const QJsonArray aa = a.toArray(), ab = b.toArray();
        if (aa.size() != ab.size())
            return QStringLiteral("%1: %2 vs %3 elements").arg(path).arg(aa.size()).arg(ab.size());
        for (int i = 0; i < aa.size(); ++i) {
            const QString d = firstDifference(aa.at(i), ab.at(i), QStringLiteral("%1[%2]").arg(path).arg(i));
            if (!d.isEmpty())
                return d;
        }
        return QString();
    }
    if (a != b)
        return QStringLiteral("%1: %2 vs %3")
            .arg(path, QString::fromUtf8(QJsonDocument(QJsonArray{a}).toJson(QJsonDocument::Compact)),
                 QString::fromUtf8(QJsonDocument(QJsonArray{b}).toJson(QJsonDocument::Compact)));
    return QString();
}

// What `preflight export ID --json F` writes and the corpus reads: the document as text.
std::optional<RunData> throughText(const RunData &run, QString *error)
{
    const QByteArray text = QJsonDocument(RunJson::run(run)).toJson(QJsonDocument::Indented);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = parseError.errorString();
        return std::nullopt;
    }
    return RunJson::runFrom(document.object(), error);
}

RunData singleConnection()
{
    RunData run = ReportFixture::singleConnectionRun();
    Format4Fields::fill(run);
    return run;
}

RunData healthy()
{
    RunData run = ReportFixture::healthyRun();
    Format4Fields::fill(run);
    return run;
}

RunData planOnly()
{
    RunData run;
    run.plan.target.base_url = QStringLiteral("http://127.0.0.1:8000");
    run.plan.endpoints.push_back({});
    run.plan.endpoints.back().name = QStringLiteral("list");
    run.plan.endpoints.back().path = QStringLiteral("/items");
    return run;
}

RunData withBinaryBodyAndNoDatabase()
{
    RunData run = ReportFixture::longRun(30, 2, 20);
    run.info.id = 42;
    run.info.status = RunStatus::Aborted;
    run.info.status_reason = QStringLiteral("error rate 35% over 10 s");
    ErrorSample binary;
    binary.endpoint = 1;
    binary.status = 502;
    binary.body = QByteArray("\x89PNG\r\n\x1a\n\x00\xff bad gateway", 22);
    binary.count = 3;
    run.error_samples.push_back(binary);
    ErrorSample transport;
    transport.endpoint = 0;
    transport.error_class = ErrorClass::Reset;
    run.error_samples.push_back(transport);
    QueryStat stage;
    stage.phase = QueryPhase::Stage;
    stage.text = QStringLiteral("SELECT 1");
    stage.stage = 0;
    run.stage_queries.push_back(stage);
    return run;
}

using RunFactory = std::function<RunData()>;

GateSet launchGates()
{
    return *GateSet::preset(QStringLiteral("launch"));
}

} // namespace

Q_DECLARE_METATYPE(RunFactory)

class TestRunJson : public QObject
{
    Q_OBJECT
private slots:
    void runReadBackWritesTheSameJson_data()
    {
        QTest::addColumn<RunFactory>("make");
        QTest::newRow("diagnosed sweep, one shared connection, format-4 fields") << RunFactory(&singleConnection);
        QTest::newRow("diagnosed healthy sweep, format-4 fields") << RunFactory(&healthy);
        QTest::newRow("aborted open-model run, binary error body, no database")
            << RunFactory(&withBinaryBodyAndNoDatabase);
        QTest::newRow("a plan and nothing measured") << RunFactory(&planOnly);
        QTest::newRow("empty run (a plan the parser would not validate)") << RunFactory([] { return RunData(); });
    }

    void runReadBackWritesTheSameJson()
    {
        QFETCH(RunFactory, make);
        const RunData original = make();
        const QJsonObject written = RunJson::run(original);
        QString error;
        const std::optional<RunData> readBack = throughText(original, &error);
        QVERIFY2(readBack, qPrintable(error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QJsonObject rewritten = RunJson::run(*readBack);
        QVERIFY2(rewritten == written, qPrintable(firstDifference(written, rewritten)));
    }

    void readBackKeepsTheValuesTheRulesRead()
    {
        const RunData original = singleConnection();
        QString error;
        const std::optional<RunData> run = throughText(original, &error);
        QVERIFY2(run, qPrintable(error));

        QCOMPARE(run->info.name, original.info.name);
        QCOMPARE(run->info.started_at, original.info.started_at);
        QCOMPARE(run->info.status, original.info.status);
        QCOMPARE(run->plan.endpoints.size(), original.plan.endpoints.size());
        QCOMPARE(run->plan.target.insecure, original.plan.target.insecure);
        QCOMPARE(run->plan.database.conninfo, original.plan.database.conninfo);
        QCOMPARE(run->stages.size(), original.stages.size());
        QCOMPARE(run->intervals.size(), original.intervals.size());
        for (size_t i = 0; i < original.intervals.size(); ++i) {
            const IntervalSnapshot &a = original.intervals[i], &b = run->intervals[i];
            QCOMPARE(b.client_cpu_s, a.client_cpu_s);
            QCOMPARE(b.load_threads, a.load_threads);
            QCOMPARE(b.send_lag_ms, a.send_lag_ms);
            QCOMPARE(b.host_cpu_busy, a.host_cpu_busy);
            QCOMPARE(b.host_cpus, a.host_cpus);
            QCOMPARE(b.endpoints.size(), a.endpoints.size());
            for (size_t e = 0; e < a.endpoints.size(); ++e)
                QVERIFY2(b.endpoints[e] == a.endpoints[e],
                         qPrintable(QStringLiteral("interval %1 endpoint %2").arg(i).arg(e)));
        }
        QVERIFY(run->total() == original.total());

        QCOMPARE(run->db_samples.size(), original.db_samples.size());
        QVERIFY(!original.db_samples.empty());
        const DbSample &a = original.db_samples[3], &b = run->db_samples[3];
        QCOMPARE(b.active_running, a.active_running);
        QCOMPARE(b.idle_in_transaction_s, a.idle_in_transaction_s);
        QCOMPARE(b.by_user, a.by_user);
        QCOMPARE(b.excluded, a.excluded);
        QCOMPARE(b.other_databases, a.other_databases);
        QCOMPARE(b.lock_waits.size(), size_t(2));
        QCOMPARE(b.lock_waits[0].blocking_query, a.lock_waits[0].blocking_query);
        QCOMPARE(b.lock_waits[0].blocking_state, QStringLiteral("idle in transaction"));
        QCOMPARE(b.lock_waits[1].lock_type, QStringLiteral("tuple"));
        QCOMPARE(b.lock_waits[0].blockers, a.lock_waits[0].blockers);
        QCOMPARE(b.lock_waits[0].wait_s, a.lock_waits[0].wait_s);

        QCOMPARE(run->error_samples.size(), original.error_samples.size());
        for (size_t i = 0; i < original.error_samples.size(); ++i)
            QCOMPARE(run->error_samples[i].body, original.error_samples[i].body);
        QCOMPARE(run->findings.size(), original.findings.size());
        QVERIFY(!original.findings.empty());
        const FindingRefs &ra = original.findings[0].refs, &rb = run->findings[0].refs;
        QCOMPARE(rb.endpoint, ra.endpoint);
        QCOMPARE(rb.level, ra.level);
        QCOMPARE(rb.relation, ra.relation);
        QCOMPARE(rb.columns, ra.columns);
        QCOMPARE(rb.statements.size(), size_t(2));
        QCOMPARE(rb.statements[1].role, QStringLiteral("child"));
        QCOMPARE(rb.statements[1].text, ra.statements[1].text);
        QCOMPARE(rb.statements[0].fingerprint, ra.statements[0].fingerprint);
        QCOMPARE(run->gates.size(), original.gates.size());
        QCOMPARE(run->verdict, original.verdict);
        QCOMPARE(run->verdict_reason, original.verdict_reason);
        QCOMPARE(run->diagnosis_notes, original.diagnosis_notes);
        QCOMPARE(run->warnings, original.warnings);
    }

    void readBackGivesTheSameDiagnosis_data()
    {
        QTest::addColumn<RunFactory>("make");
        QTest::newRow("one shared connection") << RunFactory(&ReportFixture::singleConnectionRun);
        QTest::newRow("healthy") << RunFactory(&ReportFixture::healthyRun);
    }

    void readBackGivesTheSameDiagnosis()
    {
        // What the diagnosis corpus relies on: a recorded run exported and read back is diagnosed as it was.
        QFETCH(RunFactory, make);
        RunData original = make();
        QString error;
        std::optional<RunData> readBack = throughText(original, &error);
        QVERIFY2(readBack, qPrintable(error));
        applyDiagnosis(analyze(original, launchGates()), &original);
        applyDiagnosis(analyze(*readBack, launchGates()), &*readBack);
        QVERIFY(!original.gates.empty());
        const QJsonObject a = RunJson::run(original), b = RunJson::run(*readBack);
        QVERIFY2(a == b, qPrintable(firstDifference(a, b)));
    }

    void refusesAnotherSchema_data()
    {
        QTest::addColumn<QJsonObject>("document");
        QTest::addColumn<QString>("named");
        QTest::newRow("no schema") << QJsonObject{{QStringLiteral("run"), QJsonObject()}}
                                   << QStringLiteral("preflight.run/1");
        QTest::newRow("a later version") << QJsonObject{{QStringLiteral("schema"), QStringLiteral("preflight.run/2")}}
                                         << QStringLiteral("preflight.run/2");
        QTest::newRow("the CLI summary") << QJsonObject{{QStringLiteral("schema"),
                                                         QStringLiteral("preflight.summary/1")}}
                                         << QStringLiteral("preflight.summary/1");
    }

    void refusesAnotherSchema()
    {
        QFETCH(QJsonObject, document);
        QFETCH(QString, named);
        QString error;
        QVERIFY(!RunJson::runFrom(document, &error));
        QVERIFY2(error.contains(named), qPrintable(error));
    }

    // A statement's endpoint is an index in memory and a name in the file (the documented preflight.run/1 key),
    // mapped through the run's own plan both ways: the search endpoint's statements (index 1) are written under
    // "search" and read back at index 1; a name the plan does not hold reads back at no endpoint (-1), kept.
    void statementEndpointsTravelByName()
    {
        using namespace ReportFixture::SingleConnection;
        const RunData original = ReportFixture::singleConnectionRun();
        QJsonObject document = RunJson::run(original);
        QJsonArray queries = document.value(QStringLiteral("queries")).toArray();
        QCOMPARE(queries.size(), qsizetype(original.queries.size()));
        int onSearch = 0;
        for (int i = 0; i < queries.size(); ++i) {
            const QueryStat &q = original.queries[size_t(i)];
            const QString written = queries.at(i).toObject().value(QStringLiteral("endpoint")).toString();
            QCOMPARE(written, q.endpoint == kSearchIndex ? kSearchEndpoint : kCustomerEndpoint);
            onSearch += q.endpoint == kSearchIndex ? 1 : 0;
        }
        QCOMPARE(onSearch, 1);
        QString error;
        std::optional<RunData> run = RunJson::runFrom(document, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->queries.size(), original.queries.size());
        for (size_t i = 0; i < original.queries.size(); ++i)
            QCOMPARE(run->queries[i].endpoint, original.queries[i].endpoint);

        QJsonObject renamed = queries.at(0).toObject();
        renamed.insert(QStringLiteral("endpoint"), QStringLiteral("an endpoint renamed since"));
        queries.replace(0, renamed);
        document.insert(QStringLiteral("queries"), queries);
        run = RunJson::runFrom(document, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->queries.size(), original.queries.size());
        QCOMPARE(run->queries[0].endpoint, -1);
        QCOMPARE(run->queries[0].phase, QueryPhase::Profile);
        QCOMPARE(run->queries[0].text, original.queries[0].text);
        QCOMPARE(run->plan.endpointDisplayName(run->queries[0].endpoint), QStringLiteral("(unknown endpoint)"));
    }

    void anUnreadablePlanKeepsItsEndpoints()
    {
        QJsonObject document = RunJson::run(ReportFixture::longRun(2, 2, 10));
        QJsonObject plan = document.value(QStringLiteral("plan")).toObject();
        plan.insert(QStringLiteral("a_key_from_a_later_preflight"), true);
        document.insert(QStringLiteral("plan"), plan);
        QString error;
        const std::optional<RunData> run = RunJson::runFrom(document, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->plan.endpoints.size(), size_t(2));
        QCOMPARE(run->plan.name, plan.value(QStringLiteral("name")).toString());
        QCOMPARE(run->intervals.at(0).endpoints.size(), size_t(2));
        QVERIFY(run->total() == ReportFixture::longRun(2, 2, 10).total());
        QVERIFY2(!run->warnings.isEmpty() &&
                     run->warnings.constLast().contains(QLatin1String("a_key_from_a_later_preflight")),
                 qPrintable(run->warnings.join(QLatin1Char('\n'))));
    }

    void missingKeysReadAsDefaults()
    {
        // A hand-trimmed corpus file, or one exported before format 4: absent keys are "not measured".
        const QJsonObject document{
            {QStringLiteral("schema"), QStringLiteral("preflight.run/1")},
            {QStringLiteral("intervals"),
             QJsonArray{QJsonObject{
                 {QStringLiteral("index"), 0},
                 {QStringLiteral("end_s"), 0.25},
                 {QStringLiteral("endpoints"),
                  QJsonArray{QJsonObject{{QStringLiteral("endpoint"), 0}, {QStringLiteral("requests"), 3}}}}}}},
            {QStringLiteral("db_samples"),
             QJsonArray{QJsonObject{{QStringLiteral("t_s"), 1}, {QStringLiteral("active"), 2}}}},
            {QStringLiteral("findings"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("capacity-knee")}}}}};
        QString error;
        const std::optional<RunData> run = RunJson::runFrom(document, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->intervals.size(), size_t(1));
        const IntervalSnapshot &iv = run->intervals[0];
        QCOMPARE(iv.client_cpu_s, -1.0);
        QCOMPARE(iv.load_threads, 0);
        QCOMPARE(iv.send_lag_ms, -1.0);
        QCOMPARE(iv.host_cpu_busy, -1.0);
        QCOMPARE(iv.host_cpus, 0);
        QCOMPARE(iv.endpoints.size(), size_t(1));
        QCOMPARE(iv.endpoints[0].requests, uint64_t(3));
        QVERIFY(iv.endpoints[0].latency.isEmpty());
        QCOMPARE(run->db_samples.size(), size_t(1));
        const DbSample &s = run->db_samples[0];
        QCOMPARE(s.active, 2);
        QCOMPARE(s.max_connections, -1);
        QCOMPARE(s.wal_bytes, qint64(-1));
        QCOMPARE(s.active_running, -1);
        QCOMPARE(s.other_databases, -1);
        QVERIFY(s.lock_waits.empty());
        QVERIFY(s.idle_in_transaction_s.empty());
        QCOMPARE(run->findings.size(), size_t(1));
        QCOMPARE(run->findings[0].refs.endpoint, -1);
        QCOMPARE(run->findings[0].refs.level, -1);
        QCOMPARE(run->database.kind, QStringLiteral("none"));
        QCOMPARE(run->database.pg_stat_statements, QStringLiteral("n/a"));
        QVERIFY(run->verdict_reason.isEmpty());
        QVERIFY(run->diagnosis_notes.isEmpty());
    }

    void aDamagedIntervalIsAnError_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("named");
        QTest::newRow("undecodable histogram")
            << QStringLiteral("latency_hist") << QJsonValue(QStringLiteral("bm90IGEgaGlzdG9ncmFt"))
            << QStringLiteral("histogram");
        QTest::newRow("endpoint beyond the plan")
            << QStringLiteral("endpoint") << QJsonValue(1000000000) << QStringLiteral("endpoint 1000000000");
        QTest::newRow("negative endpoint")
            << QStringLiteral("endpoint") << QJsonValue(-1) << QStringLiteral("endpoint -1");
    }

    void aDamagedIntervalIsAnError()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, named);
        QJsonObject document = RunJson::run(ReportFixture::longRun(2, 1, 10));
        QJsonArray intervals = document.value(QStringLiteral("intervals")).toArray();
        QJsonObject interval = intervals.at(1).toObject();
        QJsonArray endpoints = interval.value(QStringLiteral("endpoints")).toArray();
        QJsonObject endpoint = endpoints.at(0).toObject();
        endpoint.insert(key, value);
        endpoints.replace(0, endpoint);
        interval.insert(QStringLiteral("endpoints"), endpoints);
        intervals.replace(1, interval);
        document.insert(QStringLiteral("intervals"), intervals);
        QString error;
        QVERIFY(!RunJson::runFrom(document, &error));
        QVERIFY2(error.contains(QLatin1String("interval 1")) && error.contains(named), qPrintable(error));
    }

    void numbersOutOfRangeReadAsDefaults()
    {
        const QJsonObject document{
            {QStringLiteral("schema"), QStringLiteral("preflight.run/1")},
            {QStringLiteral("run"), QJsonObject{{QStringLiteral("workers"), 1e300}, {QStringLiteral("id"), -1e30}}},
            {QStringLiteral("error_samples"), QJsonArray{QJsonObject{{QStringLiteral("count"), -5}}}}};
        QString error;
        const std::optional<RunData> run = RunJson::runFrom(document, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->info.workers, 0);
        QCOMPARE(run->info.id, qint64(-1));
        QCOMPARE(run->error_samples.at(0).count, uint64_t(1));
    }
};

QTEST_GUILESS_MAIN(TestRunJson)
#include "tst_runjson.moc"
