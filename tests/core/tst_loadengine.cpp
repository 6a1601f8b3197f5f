// The load engine against loopback servers that misbehave on purpose (docs/benchmarks.md), on both load
// paths: every test runs once on libcurl ("curl") and once on the raw HTTP/1.1 path ("raw", docs/engine.md).
#include "enginerun.h"
#include "load/loadengine.h"
#include "load/proxysettings.h"
#include "load/schedule.h"
#include "plan/planparser.h"
#include "testhttpserver.h"

#include <QFile>
#include <QTest>

#include <unistd.h>

using namespace Preflight;
using PreflightTest::TestHttpServer;

namespace {

using Outcome = PreflightTest::EngineOutcome;

// Resident set size of this process (Linux: /proc/self/statm, second field, in pages); -1 when unreadable.
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * ::sysconf(_SC_PAGESIZE) : -1;
}

Plan makePlan(const std::string &baseUrl, const QString &scenarioJson, const QString &endpointsJson = {},
              int timeout_ms = 10000, const QString &extraTarget = {})
{
    const QString endpoints =
        endpointsJson.isEmpty() ? QStringLiteral(R"([{"method":"GET","path":"/x"}])") : endpointsJson;
    const QString json = QStringLiteral(R"({"target":{"base_url":"%1","timeout_ms":%2%3},"endpoints":%4,"scenario":%5,
        "limits":{"max_users":256,"max_rate":2000,"max_duration_s":60}})")
                             .arg(QString::fromStdString(baseUrl))
                             .arg(timeout_ms)
                             .arg(extraTarget, endpoints, scenarioJson);
    PlanError error;
    auto plan = PlanParser::parse(json.toUtf8(), &error);
    if (!plan)
        qFatal("test plan does not parse: %s", qPrintable(error.toString()));
    return *plan;
}

// The load path of the current global data row.
QString currentEngine()
{
    QFETCH_GLOBAL(QString, engine);
    return engine;
}

Outcome runToEnd(const Plan &plan, EngineOptions options = {},
                 std::function<void(LoadEngine &, const IntervalSnapshot &)> onTick = {})
{
    return PreflightTest::runEngineToEnd(plan, currentEngine(), options, std::move(onTick));
}

} // namespace

class TestLoadEngine : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::newRow("curl") << QStringLiteral("curl");
        QTest::newRow("raw") << QStringLiteral("raw");
    }

    void scheduleCompilesPresets()
    {
        ScenarioSpec sweep;
        sweep.levels = {1, 5, 10};
        sweep.step_s = 2;
        const Schedule s = Schedule::compile(sweep);
        QCOMPARE(int(s.stages().size()), 3);
        QCOMPARE(s.duration_s(), 6.0);
        QCOMPARE(s.targetAt(3.0), 5.0);
        QCOMPARE(s.stageAt(5.9), 2);
        QCOMPARE(s.stageAt(6.0), -1);
        QVERIFY(!s.isOpenModel());

        ScenarioSpec ramp;
        ramp.preset = QStringLiteral("stages");
        ramp.stages = {{10, -1, 100}, {10, -1, 100}};
        const Schedule r = Schedule::compile(ramp);
        QVERIFY(r.isOpenModel());
        QCOMPARE(r.targetAt(5.0), 50.0); // linear ramp 0 -> 100 over the first stage
        QCOMPARE(r.targetAt(15.0), 100.0);

        ScenarioSpec burst;
        burst.preset = QStringLiteral("burst");
        burst.users = 40;
        burst.duration_s = 3;
        burst.idle_s = 1;
        const Schedule b = Schedule::compile(burst);
        QCOMPARE(b.targetAt(0.5), 0.0);
        QCOMPARE(b.targetAt(1.5), 40.0);
    }

    // Little's law on a server with a fixed delay bounds a closed model from above: X <= N / R, and never more
    // than N requests in flight. (How close it comes to the bound depends on the machine, so it is not asserted
    // here: bench/ measures throughput side by side with peers.)
    void closedModelIsBoundedByUsersOverDelay()
    {
        TestHttpServer::Config config;
        config.delay_ms = 20;
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":50,"duration_s":4})"));
        const Outcome o = runToEnd(plan);
        const double bound = 50.0 / 0.020;
        const double measured = o.rps(1.0, 4.0);
        qInfo("closed model: %.0f req/s measured, %.0f req/s bound (x%.2f)", measured, bound, measured / bound);
        QVERIFY(measured > 0);
        // One interval's requests may include some that started in the previous one: allow one batch of N.
        for (const IntervalSnapshot &i : o.intervals) {
            QVERIFY2(i.in_flight <= 50, qPrintable(QString::number(i.in_flight)));
            QVERIFY2(double(i.total().requests) <= bound * i.duration_s() + 50,
                     qPrintable(QStringLiteral("%1 requests in %2 s").arg(i.total().requests).arg(i.duration_s())));
        }
        QCOMPARE(o.total.errors(), uint64_t(0));
        QCOMPARE(o.total.requests, server.requestsSeen());
        QVERIFY(o.total.latency.percentile_ms(50) >= 20.0);
        // keep-alive: one connection per user, not per request
        QVERIFY2(server.connectionsAccepted() <= 60, qPrintable(QString::number(server.connectionsAccepted())));
    }

    void errorStatusesAreCountedExactly()
    {
        TestHttpServer::Config config;
        config.error_share = 0.25;
        config.error_status = 503;
        config.retry_after = "2";
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":8,"duration_s":1.5})"));
        const Outcome o = runToEnd(plan);
        QVERIFY(o.total.requests > 100);
        QCOMPARE(o.total.requests, server.requestsSeen());
        QCOMPARE(o.total.status_counts.at(503), server.answered(503));
        QCOMPARE(o.total.status_counts.at(200), server.answered(200));
        QCOMPARE(o.total.http_errors, server.answered(503));
        QCOMPARE(o.total.ok, server.answered(200));
        QCOMPARE(o.total.transportErrorTotal(), uint64_t(0));
        // The failing body is kept as evidence, once, with its count and headers.
        QCOMPARE(int(o.errorSamples.size()), 1);
        QCOMPARE(o.errorSamples[0].status, 503);
        QCOMPARE(o.errorSamples[0].count, server.answered(503));
        QCOMPARE(o.errorSamples[0].retry_after, QStringLiteral("2"));
        QVERIFY(o.errorSamples[0].body.contains("Service at capacity"));
    }

    void silentServerGivesTimeouts()
    {
        TestHttpServer::Config config;
        config.mode = TestHttpServer::Mode::NeverAnswer;
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":4,"duration_s":1})"), {}, 300);
        const Outcome o = runToEnd(plan);
        QVERIFY(o.total.requests >= 4);
        QCOMPARE(o.total.timeouts(), o.total.requests);
        QCOMPARE(o.total.ok, uint64_t(0));
    }

    void closingServerGivesResets()
    {
        TestHttpServer::Config config;
        config.mode = TestHttpServer::Mode::CloseAtOnce;
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":4,"duration_s":0.5})"));
        const Outcome o = runToEnd(plan);
        QVERIFY(o.total.requests > 10);
        QCOMPARE(o.total.transport_errors[int(ErrorClass::Reset)], o.total.requests);
    }

    void refusedPortGivesConnectErrors()
    {
        const std::string url = "http://127.0.0.1:" + std::to_string(TestHttpServer::refusedPort());
        const Plan plan = makePlan(url, QStringLiteral(R"({"preset":"sustain","users":2,"duration_s":0.5})"));
        const Outcome o = runToEnd(plan);
        QVERIFY(o.total.requests > 0);
        QCOMPARE(o.total.transport_errors[int(ErrorClass::Connect)], o.total.requests);
    }

    // The proxy is resolved from the environment once per run, with libcurl's own rules (ProxySettings).
    void proxyRulesFollowLibcurl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("environment"); // NAME=VALUE
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QString>("noProxy");
        QTest::newRow("none") << QStringLiteral("http://a/") << QStringList{} << QString() << QString();
        QTest::newRow("http_proxy") << QStringLiteral("http://a/")
                                    << QStringList{QStringLiteral("http_proxy=http://p:1")}
                                    << QStringLiteral("http://p:1") << QString();
        QTest::newRow("HTTP_PROXY is ignored for http")
            << QStringLiteral("http://a/") << QStringList{QStringLiteral("HTTP_PROXY=http://p:1")} << QString()
            << QString();
        QTest::newRow("HTTPS_PROXY for https")
            << QStringLiteral("https://a/") << QStringList{QStringLiteral("HTTPS_PROXY=http://p:2")}
            << QStringLiteral("http://p:2") << QString();
        QTest::newRow("all_proxy before ALL_PROXY")
            << QStringLiteral("http://a/")
            << QStringList{QStringLiteral("ALL_PROXY=http://p:4"), QStringLiteral("all_proxy=http://p:3")}
            << QStringLiteral("http://p:3") << QString();
        QTest::newRow("scheme proxy before all_proxy")
            << QStringLiteral("http://a/")
            << QStringList{QStringLiteral("all_proxy=http://p:3"), QStringLiteral("http_proxy=http://p:1")}
            << QStringLiteral("http://p:1") << QString();
        QTest::newRow("no_proxy before NO_PROXY")
            << QStringLiteral("http://a/") << QStringList{QStringLiteral("NO_PROXY=b"), QStringLiteral("no_proxy=a,c")}
            << QString() << QStringLiteral("a,c");
    }

    void proxyRulesFollowLibcurl()
    {
        QFETCH(QString, url);
        QFETCH(QStringList, environment);
        QFETCH(QString, proxy);
        QFETCH(QString, noProxy);
        const char *names[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                               "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};
        for (const char *name : names)
            qunsetenv(name);
        for (const QString &pair : environment)
            qputenv(pair.section(QLatin1Char('='), 0, 0).toLatin1().constData(),
                    pair.section(QLatin1Char('='), 1).toLatin1());
        const ProxySettings s = ProxySettings::fromEnvironment(url.toStdString());
        for (const char *name : names)
            qunsetenv(name);
        QCOMPARE(QString::fromStdString(s.proxy), proxy);
        QCOMPARE(QString::fromStdString(s.noProxy), noProxy);
    }

    // End to end: with http_proxy set, requests for a port nobody listens on reach the proxy (absolute-form
    // request target); with the target in no_proxy they go direct and are refused.
    void requestsGoThroughTheEnvironmentsProxy()
    {
        if (currentEngine() == QLatin1String("raw"))
            QSKIP("the raw path uses no proxy: auto picks libcurl when one is set (TestRawEngine::autoChoosesThePath)");
        TestHttpServer proxy;
        QVERIFY(proxy.start());
        const std::string target = "http://127.0.0.1:" + std::to_string(TestHttpServer::refusedPort());
        const Plan plan = makePlan(target, QStringLiteral(R"({"preset":"sustain","users":2,"duration_s":0.5})"));
        qputenv("http_proxy", QByteArray::fromStdString(proxy.baseUrl()));
        const Outcome through = runToEnd(plan);
        qputenv("no_proxy", "127.0.0.1");
        const Outcome direct = runToEnd(plan);
        qunsetenv("http_proxy");
        qunsetenv("no_proxy");
        QVERIFY(through.total.requests > 0);
        QCOMPARE(through.total.ok, through.total.requests);
        const std::vector<std::string> paths = proxy.paths();
        QVERIFY(!paths.empty());
        QCOMPARE(QString::fromStdString(paths.front()), QString::fromStdString(target + "/x"));
        QVERIFY(direct.total.requests > 0);
        QCOMPARE(direct.total.transport_errors[int(ErrorClass::Connect)], direct.total.requests);
    }

    void oversizedResponsesAreAbortedAndClassified()
    {
        TestHttpServer::Config config;
        config.body_bytes = 4 << 20;
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":2,"duration_s":0.5})"), {}, 10000,
                     QStringLiteral(R"(,"max_response_bytes":1048576)"));
        const Outcome o = runToEnd(plan);
        QVERIFY(o.total.requests > 0);
        QCOMPARE(o.total.transport_errors[int(ErrorClass::TooLarge)], o.total.requests);
    }

    // Coordinated omission: with 4 connections at 200 req/s, a 1 s stall makes ~200 arrivals wait. Their
    // latency from the intended send time shows the stall; latency from the actual send does not.
    void openModelCorrectsCoordinatedOmission()
    {
        TestHttpServer::Config config;
        config.stall_from_ms = 2000;
        config.stall_ms = 1000;
        TestHttpServer server(config);
        QVERIFY(server.start());
        Plan plan = makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","rate":200,"duration_s":5})"));
        plan.limits.max_users = 4;
        EngineOptions options;
        options.workers = 1;
        const Outcome o = runToEnd(plan, options);
        const double corrected = o.total.latency.percentile_ms(99);
        const double uncorrected = o.total.latency_uncorrected.percentile_ms(99);
        QVERIFY2(corrected >= 300, qPrintable(QStringLiteral("corrected P99 %1 ms").arg(corrected)));
        QVERIFY2(
            uncorrected < corrected / 3,
            qPrintable(QStringLiteral("uncorrected P99 %1 ms vs corrected %2 ms").arg(uncorrected).arg(corrected)));
        // The arrival rate was kept: ~1000 requests in 5 s, queued during the stall rather than skipped.
        QVERIFY2(o.total.requests + o.dropped >= 900, qPrintable(QString::number(o.total.requests)));
        bool sawQueue = false;
        for (const auto &i : o.intervals)
            sawQueue |= i.queued > 0;
        QVERIFY(sawQueue);
    }

    void openModelHoldsTheRate()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","rate":300,"duration_s":3})"));
        const Outcome o = runToEnd(plan);
        QVERIFY2(std::abs(double(o.total.requests) - 900.0) <= 45.0, qPrintable(QString::number(o.total.requests)));
        QCOMPARE(o.dropped, uint64_t(0));
    }

    void weightsVariablesAndSequenceShapeTheRequests()
    {
        TestHttpServer server;
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":4,"duration_s":1})"),
                     QStringLiteral(R"([{"method":"GET","path":"/a/{id}","weight":3,"vars":{"id":{"range":[10,20]}}},
                                                     {"method":"GET","path":"/b/{kind}/{seq}","weight":1,"vars":{"kind":{"list":["x","y"]}}}])"));
        const Outcome o = runToEnd(plan);
        int a = 0, b = 0;
        for (const std::string &path : server.paths()) {
            if (path.rfind("/a/", 0) == 0) {
                ++a;
                const int id = std::stoi(path.substr(3));
                QVERIFY(id >= 10 && id <= 20);
            } else {
                ++b;
                QVERIFY2(path.rfind("/b/x/", 0) == 0 || path.rfind("/b/y/", 0) == 0, path.c_str());
            }
        }
        QVERIFY(a + b > 200);
        const double share = double(a) / double(a + b);
        QVERIFY2(share > 0.68 && share < 0.82, qPrintable(QString::number(share)));
        QCOMPARE(o.perEndpoint[0].requests, uint64_t(a));
        QCOMPARE(o.perEndpoint[1].requests, uint64_t(b));
    }

    void stopHaltsNewRequestsAndSecondStopAborts()
    {
        TestHttpServer::Config config;
        config.delay_ms = 5;
        TestHttpServer server(config);
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":10,"duration_s":30})"));
        std::atomic<int> ticks{0};
        const Outcome o = runToEnd(plan, {}, [&](LoadEngine &engine, const IntervalSnapshot &) {
            if (++ticks == 4)
                engine.stop();
        });
        // The run ended long before its 30 s, and after the stop no interval started new requests
        // beyond the one in which the stop landed.
        QVERIFY(o.intervals.back().end_s < 10);
        int after = 0;
        for (size_t i = 5; i < o.intervals.size(); ++i)
            after += int(o.intervals[i].started);
        QCOMPARE(after, 0);
        QCOMPARE(o.total.requests, o.started); // in-flight requests were allowed to finish

        TestHttpServer::Config silentConfig;
        silentConfig.mode = TestHttpServer::Mode::NeverAnswer;
        TestHttpServer silent(silentConfig);
        QVERIFY(silent.start());
        const Plan hanging =
            makePlan(silent.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":5,"duration_s":30})"), {}, 60000);
        ticks = 0;
        const Outcome aborted = runToEnd(hanging, {}, [&](LoadEngine &engine, const IntervalSnapshot &) {
            ++ticks;
            if (ticks == 2 || ticks == 3)
                engine.stop(); // second stop abandons requests that would wait a minute
        });
        QVERIFY(aborted.intervals.back().end_s < 10);
    }

    void memoryStaysFlatAcrossIntervals()
    {
        // Per-interval histograms are swapped, never accumulated in the engine: the process's resident memory
        // after the third tick and at the end of the run differ by far less than keeping every sample would
        // cost. The bound is generous (allocator noise, the test's own copy of each snapshot); the counts are exact.
        TestHttpServer server;
        QVERIFY(server.start());
        const Plan plan =
            makePlan(server.baseUrl(), QStringLiteral(R"({"preset":"sustain","users":4,"duration_s":3})"));
        int ticks = 0;
        qint64 rssAtThirdTick = -1, rssAtEnd = -1;
        const Outcome o = runToEnd(plan, {}, [&](LoadEngine &, const IntervalSnapshot &) {
            ++ticks;
            if (ticks == 3)
                rssAtThirdTick = residentBytes();
            rssAtEnd = residentBytes();
        });
        QVERIFY(o.intervals.size() >= 11);
        QVERIFY(rssAtThirdTick > 0);
        const qint64 growth = rssAtEnd - rssAtThirdTick;
        qInfo("resident memory: %lld KiB after tick 3, %lld KiB at the end (%+lld KiB) for %llu requests",
              rssAtThirdTick / 1024, rssAtEnd / 1024, growth / 1024, qulonglong(o.total.requests));
        QVERIFY2(growth < 32LL * 1024 * 1024, qPrintable(QString::number(growth)));
        uint64_t sum = 0;
        for (const auto &i : o.intervals)
            sum += i.total().requests;
        QCOMPARE(sum, o.total.requests);
        QCOMPARE(sum, server.requestsSeen());
    }
};

QTEST_GUILESS_MAIN(TestLoadEngine)
#include "tst_loadengine.moc"
