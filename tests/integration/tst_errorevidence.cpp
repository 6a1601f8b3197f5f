// Error evidence end to end (docs/errors.md): a loopback server answers the catalogue's real-world bodies under load
// through the real engine; each is recognised and counted, the findings gain the evidence, memory and the store
// stay bounded, and credentials echoed by the backend never reach the store.
#include "diagnosis/diagnoser.h"
#include "diagnosis/errorsignatures.h"
#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "load/failuresampler.h"
#include "load/loadengine.h"
#include "load/requestfactory.h"
#include "load/schedule.h"
#include "plan/planparser.h"
#include "report/jsonsummary.h"
#include "store/runstore.h"
#include "testhttpserver.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <mutex>

using namespace Preflight;
using PreflightTest::TestHttpServer;

namespace {

Plan makePlan(const std::string &baseUrl, const QString &scenarioJson, const QString &endpointsJson,
              const QString &extraTarget = {})
{
    const QString json = QStringLiteral(R"({"target":{"base_url":"%1","timeout_ms":10000%2},"endpoints":%3,
        "scenario":%4,"limits":{"max_users":64,"max_rate":2000,"max_duration_s":60}})")
                             .arg(QString::fromStdString(baseUrl), extraTarget, endpointsJson, scenarioJson);
    PlanError error;
    auto plan = PlanParser::parse(json.toUtf8(), &error);
    if (!plan)
        qFatal("test plan does not parse: %s", qPrintable(error.toString()));
    return *plan;
}

// Runs the plan through the real engine and returns what the run controller would store.
RunData runThroughEngine(const Plan &plan)
{
    QString error;
    auto factory = RequestFactory::create(plan, &error);
    if (!factory)
        qFatal("factory: %s", qPrintable(error));
    EngineOptions options;
    options.maxConnections = plan.limits.max_users;
    options.maxResponseBytes = plan.target.max_response_bytes;
    const Schedule schedule = Schedule::compile(plan.scenario);
    LoadEngine engine(std::make_shared<RequestFactory>(std::move(*factory)), schedule, options);
    RunData run;
    run.plan = plan;
    run.stages = schedule.stages();
    std::mutex mutex;
    engine.setSnapshotSink([&](IntervalSnapshotPtr s) {
        std::lock_guard<std::mutex> lock(mutex);
        run.intervals.push_back(*s);
    });
    engine.start();
    engine.waitFinished();
    run.error_samples = engine.errorSamples();
    run.info.status = RunStatus::Completed;
    run.info.duration_s = run.intervals.empty() ? 0 : run.intervals.back().end_s;
    return run;
}

int statusFor(const ErrorSignature &sig)
{
    const QString id = QLatin1String(sig.id);
    if (id.contains(QLatin1String("502")) || id == QLatin1String("envoy-upstream-reset"))
        return 502;
    if (id.contains(QLatin1String("504")) || id == QLatin1String("envoy-upstream-timeout"))
        return 504;
    if (QLatin1String(sig.supports) == QLatin1String("load-shedding"))
        return 503;
    return 500;
}

const Finding *findingById(const Diagnosis &d, const QString &id)
{
    for (const Finding &f : d.findings)
        if (f.id == id)
            return &f;
    return nullptr;
}

// The evidence line a signature added to a finding: (responses, note).
const Evidence *signatureEvidence(const Finding &f, const QString &needle)
{
    for (const Evidence &e : f.evidence)
        if ((e.metric == QLatin1String("error_signature") || e.note.contains(QLatin1String("error bodies"))) &&
            e.note.contains(needle))
            return &e;
    return nullptr;
}

QString describe(const Diagnosis &d)
{
    QStringList lines;
    for (const Finding &f : d.findings)
        lines << f.id + QStringLiteral(": ") + f.title;
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class TestErrorEvidence : public QObject
{
    Q_OBJECT
private slots:
    void everyCatalogueBodyIsRecognisedAndCounted()
    {
        TestHttpServer::Config config;
        config.error_share = 0.9;
        const auto &catalogue = errorSignatureCatalogue();
        for (const ErrorSignature &sig : catalogue)
            config.error_answers.push_back(
                {statusFor(sig), sig.example, sig.match == ErrorSignature::Match::RetryAfterHeader ? "5" : ""});
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":4,"duration_s":1.5})"),
                     QStringLiteral(R"([{"name":"orders","method":"GET","path":"/orders"}])"));
        const RunData run = runThroughEngine(plan);
        QVERIFY(run.total().requests > uint64_t(catalogue.size()) * 2);
        const std::vector<ErrorSignatureSummary> summary = summarizeErrors(run);
        for (size_t i = 0; i < catalogue.size(); ++i) {
            const QString id = QLatin1String(catalogue[i].id);
            uint64_t counted = 0;
            for (const ErrorSignatureSummary &s : summary)
                if (s.signature == id) {
                    counted += s.count;
                    QCOMPARE(s.supports, QString::fromLatin1(catalogue[i].supports));
                    QCOMPARE(s.endpoints, QStringList{QStringLiteral("orders")});
                }
            QVERIFY2(server.answeredError(i) > 0, qPrintable(id));
            QVERIFY2(
                counted == server.answeredError(i),
                qPrintable(
                    QStringLiteral("%1: counted %2, answered %3").arg(id).arg(counted).arg(server.answeredError(i))));
        }
        for (const ErrorSignatureSummary &s : summary)
            QVERIFY2(s.signature != QLatin1String("unrecognised"), qPrintable(s.normalized));
        // The JSON summary's errors block says the same.
        const QJsonArray errors =
            JsonSummary::build(run, summarizeLevels(run), nullptr).value(QLatin1String("errors")).toArray();
        QCOMPARE(errors.size(), qsizetype(summary.size()));
        const QJsonObject first = errors.first().toObject();
        for (const char *key :
             {"signature", "count", "endpoints", "example", "supports", "first_seen_s", "last_seen_s", "status"})
            QVERIFY2(first.contains(QLatin1String(key)), key);
    }

    void findingsGainTheEvidence()
    {
        TestHttpServer::Config config;
        config.error_share = 0.4;
        config.error_answers = {
            {500, "sqlite3.OperationalError: database is locked", ""},
            {500,
             "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, "
             "timeout 30.00",
             ""},
            {500, "FATAL:  remaining connection slots are reserved for non-replication superuser connections", ""},
            {503, "{\"error\":\"Service at capacity, please retry\"}", "3"},
        };
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sweep","levels":[1,4],"step_s":0.8})"),
                     QStringLiteral(R"([{"name":"create","method":"POST","path":"/orders","json":{"n":1}}])"));
        const RunData run = runThroughEngine(plan);
        const Diagnosis d = analyze(run, *GateSet::preset(QStringLiteral("launch")));
        struct Expect
        {
            const char *finding;
            const char *message;
            size_t answer;
        };
        const Expect expected[] = {
            {"lock-contention", "database is locked", 0},
            {"pool-exhaustion", "QueuePool limit of size <n> overflow <n> reached", 1},
            {"max-connections-near", "remaining connection slots are reserved", 2},
            {"load-shedding", "Service at capacity", 3},
        };
        for (const Expect &e : expected) {
            const Finding *f = findingById(d, QLatin1String(e.finding));
            QVERIFY2(f, qPrintable(QStringLiteral("%1 missing in\n%2").arg(QLatin1String(e.finding), describe(d))));
            const Evidence *ev = signatureEvidence(*f, QLatin1String(e.message));
            QVERIFY2(ev, qPrintable(QLatin1String(e.finding)));
            QCOMPARE(uint64_t(ev->value), server.answeredError(e.answer));
            QVERIFY(f->confidence >= 0.7);
        }
        QCOMPARE(findingById(d, QStringLiteral("pool-exhaustion"))->title,
                 QStringLiteral("Pool ceiling of 15 connections reached"));
    }

    void hundredThousandFailuresStayBoundedInMemoryAndStore()
    {
        // Feed the sampler the way workers do: 100k failures, every one with a fresh request id (folded) and a
        // long tail of distinct messages (overflow).
        FailureSampler sampler;
        for (int i = 0; i < 100000; ++i) {
            ErrorSample s;
            s.endpoint = i % 4;
            s.status = i % 5 ? 500 : 503;
            if (i % 10)
                s.body = QByteArray("database is locked, request ") + QByteArray::number(i);
            else
                s.body = QByteArray("error kind ") + QByteArray(i % 300 + 1, 'q') + QByteArray(4000, '.');
            s.first_seen_s = s.last_seen_s = i * 1e-4;
            sampler.offer(s);
        }
        const std::vector<ErrorSample> kept = sampler.samples();
        const size_t maxKept = 4 * 2 * FailureSampler::kMaxDistinctBodies;
        QVERIFY2(kept.size() <= maxKept, qPrintable(QString::number(kept.size())));
        QVERIFY(sampler.bytesHeld() < 1024 * 1024);
        uint64_t counted = sampler.overflow();
        for (const ErrorSample &s : kept)
            counted += s.count;
        QCOMPARE(counted, uint64_t(100000));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        RunData run;
        run.plan =
            makePlan("http://127.0.0.1:1", QStringLiteral(R"({"preset":"sustain","users":1,"duration_s":1})"),
                     QStringLiteral(R"([{"name":"a","path":"/a"},{"name":"b","path":"/b"},{"name":"c","path":"/c"},
                                               {"name":"d","path":"/d"}])"));
        run.info.status = RunStatus::Completed;
        run.error_samples = kept;
        qint64 fileBytes = 0;
        {
            RunStore store;
            QVERIFY(!store.open(path));
            const auto id = store.saveRun(run);
            QVERIFY(id);
            const auto loaded = store.loadRun(*id);
            QVERIFY(loaded);
            QCOMPARE(loaded->error_samples.size(), kept.size());
        }
        for (const QString &suffix : {QString(), QStringLiteral("-wal")})
            fileBytes += QFileInfo(path + suffix).size();
        qInfo("100k failures: %zu samples, %llu bytes in memory, store %lld bytes", kept.size(),
              (unsigned long long)sampler.bytesHeld(), (long long)fileBytes);
        QVERIFY2(fileBytes < 4 * 1024 * 1024, qPrintable(QString::number(fileBytes)));
    }

    void echoedCredentialsNeverReachTheStore()
    {
        const QByteArray canary = "pf-canary-7c1e55d0";
        const QByteArray token = "tok-9f8e7d6c5b4a";
        qputenv("PREFLIGHT_TEST_API_KEY", canary);
        qputenv("PREFLIGHT_TEST_TOKEN", token);
        TestHttpServer::Config config;
        config.error_share = 0.5;
        config.error_status = 500;
        config.error_body = "debug: password=hunter2-canary-pw; database is locked";
        config.echo_request_headers = true;
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":2,"duration_s":0.6})"),
                     QStringLiteral(R"([{"name":"me","path":"/me"}])"),
                     QStringLiteral(R"(,"headers":{"Authorization":"Bearer ${env:PREFLIGHT_TEST_TOKEN}",
                                                                 "X-Api-Key":"${env:PREFLIGHT_TEST_API_KEY}"})"));
        const RunData run = runThroughEngine(plan);
        QVERIFY(!run.error_samples.empty());
        for (const ErrorSample &s : run.error_samples) {
            QVERIFY2(!s.body.contains(canary) && !s.body.contains(token) && !s.body.contains("hunter2-canary-pw"),
                     s.body.constData());
            QVERIFY(s.body.contains("database is locked")); // the evidence itself survives
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        {
            RunStore store;
            QVERIFY(!store.open(path));
            QVERIFY(store.saveRun(run));
        }
        QByteArray bytes;
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(path + suffix);
            if (f.open(QIODevice::ReadOnly))
                bytes += f.readAll();
        }
        QVERIFY(bytes.contains("database is locked"));
        QVERIFY(!bytes.contains(canary));
        QVERIFY(!bytes.contains(token));
        QVERIFY(!bytes.contains("hunter2-canary-pw"));
        qunsetenv("PREFLIGHT_TEST_API_KEY");
        qunsetenv("PREFLIGHT_TEST_TOKEN");
    }
};

QTEST_GUILESS_MAIN(TestErrorEvidence)
#include "tst_errorevidence.moc"
