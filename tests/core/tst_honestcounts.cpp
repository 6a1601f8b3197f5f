// What Preflight reports is what the server saw (docs/cli.md): resets libcurl hid by resending a
// request, HEAD sent as GET, {seq} repeated across workers and the profiling pass, open-model arrivals that
// never got a connection, and the target check that called a large or broken answer "unreachable". Every test
// runs on both load paths (global data rows "curl" and "raw", docs/engine.md).
#include "faultserver.h"

#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "load/loadengine.h"
#include "load/requestfactory.h"
#include "load/schedule.h"
#include "load/targetprobe.h"
#include "plan/planparser.h"

#include <QTest>

#include <mutex>
#include <set>

using namespace Preflight;
using PreflightTest::FaultServer;

namespace {

struct Outcome
{
    std::vector<IntervalSnapshot> intervals;
    EndpointStats total;
    std::vector<ErrorSample> errorSamples;
    uint64_t started = 0;
    uint64_t dropped = 0;
};

Plan makePlan(const std::string &baseUrl, const QString &scenarioJson, const QString &endpointsJson,
              int timeout_ms = 10000)
{
    const QString json = QStringLiteral(R"({"target":{"base_url":"%1","timeout_ms":%2},"endpoints":%3,"scenario":%4,
        "limits":{"max_users":256,"max_rate":2000,"max_duration_s":60}})")
                             .arg(QString::fromStdString(baseUrl))
                             .arg(timeout_ms)
                             .arg(endpointsJson, scenarioJson);
    PlanError error;
    auto plan = PlanParser::parse(json.toUtf8(), &error);
    if (!plan)
        qFatal("test plan does not parse: %s", qPrintable(error.toString()));
    return *plan;
}

Outcome runToEnd(const Plan &plan, std::shared_ptr<RequestFactory> *factoryOut = nullptr, int workers = 0)
{
    QString error;
    auto factory = RequestFactory::create(plan, &error);
    if (!factory)
        qFatal("factory: %s", qPrintable(error));
    auto shared = std::make_shared<RequestFactory>(std::move(*factory));
    if (factoryOut)
        *factoryOut = shared;
    EngineOptions options;
    options.workers = workers;
    options.engine = [] { // the global data row: "curl" or "raw"
        QFETCH_GLOBAL(QString, engine);
        return engine;
    }();
    options.maxConnections = plan.limits.max_users;
    options.maxResponseBytes = plan.target.max_response_bytes;
    LoadEngine engine(shared, Schedule::compile(plan.scenario), options);
    Outcome outcome;
    std::mutex mutex;
    engine.setSnapshotSink([&](IntervalSnapshotPtr s) {
        std::lock_guard<std::mutex> lock(mutex);
        outcome.intervals.push_back(*s);
    });
    engine.start();
    engine.waitFinished();
    for (const auto &i : outcome.intervals) {
        outcome.started += i.started;
        outcome.dropped += i.dropped;
        for (const auto &e : i.endpoints)
            outcome.total.merge(e);
    }
    outcome.errorSamples = engine.errorSamples();
    return outcome;
}

uint64_t resets(const EndpointStats &s)
{
    return s.transport_errors[size_t(ErrorClass::Reset)];
}

} // namespace

class TestHonestCounts : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data();
    void resetsAreCountedAsTheServerSawThem_data();
    void resetsAreCountedAsTheServerSawThem();
    void headIsSentAsHead();
    void sequenceIsUniqueAcrossWorkers();
    void openModelArrivalsThatNeverGotAConnectionAreTimeouts();
    void targetCheckCallsOnlyAConnectFailureUnreachable_data();
    void targetCheckCallsOnlyAConnectFailureUnreachable();
};

void TestHonestCounts::initTestCase_data()
{
    QTest::addColumn<QString>("engine");
    QTest::newRow("curl") << QStringLiteral("curl");
    QTest::newRow("raw") << QStringLiteral("raw");
}

void TestHonestCounts::resetsAreCountedAsTheServerSawThem_data()
{
    QTest::addColumn<int>("every");
    QTest::addColumn<int>("users");
    QTest::newRow("every 3rd, 4 users") << 3 << 4;
    QTest::newRow("every 2nd, 1 user") << 2 << 1;
    QTest::newRow("every request, 2 users") << 1 << 2;
}

// The server resets every n-th request it reads. On a kept-alive connection libcurl then resends the request
// on a new connection without telling anyone (Curl_retry_request): the server saw both, and so must the run.
void TestHonestCounts::resetsAreCountedAsTheServerSawThem()
{
    QFETCH(int, every);
    QFETCH(int, users);
    FaultServer server(FaultServer::resetEvery(uint64_t(every)));
    QVERIFY(server.start());
    const Plan plan =
        makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":%1,"duration_s":1.5})").arg(users),
                 QStringLiteral(R"([{"path":"/r"}])"));
    const Outcome o = runToEnd(plan, nullptr, 2);
    qInfo("server saw %llu requests and reset %llu; Preflight reported %llu requests, %llu resets, %llu ok",
          (unsigned long long)server.requestsSeen(), (unsigned long long)server.resetsDone(),
          (unsigned long long)o.total.requests, (unsigned long long)resets(o.total), (unsigned long long)o.total.ok);
    QVERIFY(server.requestsSeen() > 20);
    QCOMPARE(o.total.requests, server.requestsSeen());
    QCOMPARE(resets(o.total), server.resetsDone());
    QCOMPARE(o.total.ok, server.answersDone());
    QCOMPARE(o.started, server.requestsSeen());
    QCOMPARE(o.total.latency.count(), o.total.requests);
}

void TestHonestCounts::headIsSentAsHead()
{
    FaultServer server([](const FaultServer::Request &) {
        FaultServer::Answer a;
        a.body_bytes = 5000; // announced by HEAD, never sent
        return a;
    });
    QVERIFY(server.start());
    // HEAD beside GET and POST on the same slots: options left by one method must not leak into the next.
    const Plan plan = makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":2,"duration_s":0.6})"),
                               QStringLiteral(R"([{"method":"HEAD","path":"/h"},{"method":"GET","path":"/g"},
                                                  {"method":"POST","path":"/p","json":{"a":1}}])"),
                               3000);
    const Outcome o = runToEnd(plan);
    QVERIFY(o.total.requests > 10);
    QCOMPARE(o.total.errors(), uint64_t(0));
    int heads = 0;
    for (const auto &r : server.requests()) {
        if (r.path == "/h") {
            QCOMPARE(QString::fromStdString(r.method), QStringLiteral("HEAD"));
            ++heads;
        } else if (r.path == "/g") {
            QCOMPARE(QString::fromStdString(r.method), QStringLiteral("GET"));
        } else if (r.path == "/p") {
            QCOMPARE(QString::fromStdString(r.method), QStringLiteral("POST"));
            QCOMPARE(QString::fromStdString(r.body), QStringLiteral(R"({"a":1})"));
        }
    }
    QVERIFY(heads > 0);
}

// {seq} names a resource a POST creates: two requests with one value collide (a unique index, a 409).
void TestHonestCounts::sequenceIsUniqueAcrossWorkers()
{
    FaultServer server;
    QVERIFY(server.start());
    const Plan plan =
        makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":8,"duration_s":0.8})"),
                 QStringLiteral(R"([{"method":"POST","path":"/items/{seq}","json":{"name":"item-{seq}"}}])"));
    std::shared_ptr<RequestFactory> factory;
    const Outcome o = runToEnd(plan, &factory, 4);
    std::set<std::string> paths, bodies;
    const auto seen = server.requests();
    for (const auto &r : seen) {
        QVERIFY2(paths.insert(r.path).second, r.path.c_str());
        QVERIFY2(bodies.insert(r.body).second, r.body.c_str());
        const std::string n = r.path.substr(std::string("/items/").size());
        QCOMPARE(QString::fromStdString(r.body),
                 QStringLiteral(R"({"name":"item-%1"})").arg(QString::fromStdString(n)));
    }
    QVERIFY(seen.size() > 50);
    QCOMPARE(uint64_t(seen.size()), o.total.requests);
    // What comes after the load (the profiling pass) continues past every value the load used.
    uint64_t highest = 0;
    for (const auto &p : paths)
        highest = std::max<uint64_t>(highest, std::stoull(p.substr(std::string("/items/").size())));
    QVERIFY(factory->reserveSequence(20) > highest);
}

// Open model at 100 arrivals/s on 2 connections to a backend that needs 50 ms per answer (40/s at most): most
// arrivals wait for a connection longer than the 300 ms timeout and are never sent. Each is a timeout with the
// time it waited (at least the timeout) in the corrected histogram, so the error rate and the corrected P99
// show the saturation instead of hiding its worst requests (HdrHistogram's coordinated-omission rule).
void TestHonestCounts::openModelArrivalsThatNeverGotAConnectionAreTimeouts()
{
    FaultServer server([](const FaultServer::Request &) {
        FaultServer::Answer a;
        a.delay_ms = 50;
        return a;
    });
    QVERIFY(server.start());
    Plan plan = makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","rate":100,"duration_s":1.5})"),
                         QStringLiteral(R"([{"path":"/slow"}])"), 300);
    plan.limits.max_users = 2;
    const Outcome o = runToEnd(plan, nullptr, 1);
    qInfo("arrivals never sent %llu, sent %llu (server saw %llu), requests %llu, timeouts %llu, corrected p99 %.0f ms, "
          "uncorrected p99 %.0f ms",
          (unsigned long long)o.dropped, (unsigned long long)o.started, (unsigned long long)server.requestsSeen(),
          (unsigned long long)o.total.requests, (unsigned long long)o.total.timeouts(),
          o.total.latency.percentile_ms(99), o.total.latency_uncorrected.percentile_ms(99));
    QVERIFY(o.dropped > 20);
    QCOMPARE(o.started, server.requestsSeen());
    // Every arrival is a request: answered, or failed without being sent.
    QCOMPARE(o.total.requests, server.requestsSeen() + o.dropped);
    QVERIFY(o.total.timeouts() >= o.dropped);
    QCOMPARE(o.total.latency.count(), o.total.requests);
    QVERIFY(o.total.errorRate() >= double(o.dropped) / double(o.total.requests));
    QVERIFY(o.total.latency.percentile_ms(99) >= 300);
    bool explained = false;
    for (const ErrorSample &e : o.errorSamples)
        explained |= e.body.contains("never sent") && e.body.contains("limits.max_users");
    QVERIFY(explained);

    // The level counts them once (what the CLI, JSON, report read), and the error-rate gate includes them.
    RunData run;
    run.plan = plan;
    run.stages = Schedule::compile(plan.scenario).stages();
    run.intervals = o.intervals;
    const std::vector<LevelSummary> levels = summarizeLevels(run);
    QCOMPARE(levels.size(), size_t(1));
    uint64_t inDrain = 0;
    for (const IntervalSnapshot &i : o.intervals)
        if (i.stage_index < 0)
            inDrain += i.dropped;
    QCOMPARE(levels.front().never_sent + inDrain, o.dropped);
    QVERIFY(levels.front().never_sent > 20);
    QVERIFY(levels.front().timeouts >= levels.front().never_sent);
    QString gateError;
    const std::optional<GateSet> gates =
        GateSet::fromJson(QJsonObject{{QStringLiteral("error_rate"), 0.001}}, &gateError);
    QVERIFY2(gates, qPrintable(gateError));
    const std::vector<GateCheck> checks = gates->evaluate(run, levels, {});
    QCOMPARE(checks.size(), size_t(1));
    QVERIFY(checks.front().measured && !checks.front().pass);
    QVERIFY(checks.front().value >= double(levels.front().never_sent) / double(levels.front().requests));
}

void TestHonestCounts::targetCheckCallsOnlyAConnectFailureUnreachable_data()
{
    QTest::addColumn<int>("action");
    QTest::addColumn<qint64>("bodyBytes");
    QTest::addColumn<bool>("connected");
    QTest::addColumn<bool>("answered");
    QTest::addColumn<int>("status");
    QTest::newRow("2 MB body") << int(FaultServer::Action::Answer) << qint64(2 << 20) << true << true << 200;
    QTest::newRow("reset") << int(FaultServer::Action::Reset) << qint64(0) << true << false << 0;
    QTest::newRow("closed without an answer") << int(FaultServer::Action::Close) << qint64(0) << true << false << 0;
    QTest::newRow("malformed") << int(FaultServer::Action::Malformed) << qint64(0) << true << false << 0;
    QTest::newRow("closed mid-body") << int(FaultServer::Action::CloseMidBody) << qint64(100000) << true << false << 0;
    QTest::newRow("404") << int(FaultServer::Action::Answer) << qint64(10) << true << true << 404;
}

void TestHonestCounts::targetCheckCallsOnlyAConnectFailureUnreachable()
{
    QFETCH(int, action);
    QFETCH(qint64, bodyBytes);
    QFETCH(bool, connected);
    QFETCH(bool, answered);
    QFETCH(int, status);
    FaultServer server([&](const FaultServer::Request &) {
        FaultServer::Answer a;
        a.action = FaultServer::Action(action);
        a.body_bytes = uint64_t(bodyBytes);
        a.status = status ? status : 200;
        return a;
    });
    QVERIFY(server.start());
    TargetProbe::Request request;
    request.url = server.baseUrl() + "/list";
    request.timeout_ms = 5000;
    const ProbeResult r = TargetProbe::fetch(request);
    QCOMPARE(r.connected, connected);
    QCOMPARE(r.answered, answered);
    if (answered)
        QCOMPARE(r.status, status);
    QVERIFY(r.body.size() <= (1 << 20)); // what is kept stays bounded, whatever the server sends

    // Nothing listens: the one case that is "unreachable".
    TargetProbe::Request refused;
    const int port = [] {
        FaultServer s;
        s.start();
        const int p = s.port();
        s.kill();
        return p;
    }();
    refused.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    const ProbeResult nobody = TargetProbe::fetch(refused);
    QVERIFY(!nobody.connected);
    QCOMPARE(nobody.error_class, ErrorClass::Connect);
}

QTEST_GUILESS_MAIN(TestHonestCounts)
#include "tst_honestcounts.moc"
