// One transport setup for every libcurl handle (docs/transport.md): the plan's target becomes one
// TransportOptions, and the load, the probes and the pool sampler all reach the target the same way.
#include "db/poolsampler.h"
#include "load/loadengine.h"
#include "load/requestfactory.h"
#include "load/targetprobe.h"
#include "load/transportoptions.h"
#include "plan/planparser.h"
#include "testhttpserver.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Preflight;
using PreflightTest::TestHttpServer;

namespace {

std::optional<Plan> parse(const QString &target, QString *error = nullptr)
{
    const QString json = QStringLiteral("{\"target\":%1,\"endpoints\":[{\"method\":\"GET\",\"path\":\"/x\"}],"
                                        "\"scenario\":{\"preset\":\"sustain\",\"users\":1,\"duration_s\":1}}")
                             .arg(target);
    PlanError e;
    auto plan = PlanParser::parse(json.toUtf8(), &e);
    if (error)
        *error = e.toString();
    return plan;
}

// Sets a variable for one test and puts the previous value back.
struct ScopedEnv
{
    QByteArray name, old;
    bool had;
    ScopedEnv(const char *n, const QByteArray &value) : name(n), old(qgetenv(n)), had(qEnvironmentVariableIsSet(n))
    {
        qputenv(n, value);
    }
    ~ScopedEnv()
    {
        if (had)
            qputenv(name.constData(), old);
        else
            qunsetenv(name.constData());
    }
};

bool sawAbsoluteForm(const TestHttpServer &proxy, const std::string &url)
{
    for (const std::string &p : proxy.paths())
        if (p == url)
            return true;
    return false;
}

} // namespace

class TestTransport : public QObject
{
    Q_OBJECT
private slots:
    void fromTargetCarriesThePlansTarget()
    {
        const auto plan = parse(QStringLiteral(
            "{\"base_url\":\"https://127.0.0.1:8443\",\"timeout_ms\":2500,\"http_version\":\"2\",\"multiplex\":8,"
            "\"tls\":{\"ca_file\":\"/tmp/ca.pem\",\"cert_file\":\"/tmp/c.pem\",\"key_file\":\"/tmp/"
            "k.pem\",\"insecure\":false}}"));
        QVERIFY(plan);
        const TransportOptions o = TransportOptions::fromTarget(plan->target);
        QCOMPARE(o.timeout_ms, 2500L);
        QCOMPARE(o.connect_timeout_ms, 2500L);
        QCOMPARE(o.ca_file, std::string("/tmp/ca.pem"));
        QCOMPARE(o.cert_file, std::string("/tmp/c.pem"));
        QCOMPARE(o.key_file, std::string("/tmp/k.pem"));
        QVERIFY(!o.insecure);
        QCOMPARE(o.http_version, HttpVersion::Http2);
        QCOMPARE(o.streams_per_connection, 8);
        // Saved and read back, the plan keeps every transport field.
        PlanError e;
        const auto again = PlanParser::parse(QJsonDocument(plan->toJson()).toJson(), &e);
        QVERIFY2(again, qPrintable(e.toString()));
        QCOMPARE(again->target.http_version, HttpVersion::Http2);
        QCOMPARE(again->target.multiplex, 8);
        QCOMPARE(again->target.cert_file, plan->target.cert_file);
        QCOMPARE(again->target.key_file, plan->target.key_file);
    }

    void defaultsAreOneConnectionPerUserAndLibcurlsVersion()
    {
        const auto plan = parse(QStringLiteral("{\"base_url\":\"http://127.0.0.1:9\"}"));
        QVERIFY(plan);
        const TransportOptions o = TransportOptions::fromTarget(plan->target);
        QCOMPARE(o.http_version, HttpVersion::Default);
        QCOMPARE(o.streams_per_connection, 1);
        QVERIFY(o.reuse_connections);
    }

    void planRefusesWhatCannotWork_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown version") << QStringLiteral(
                                                "{\"base_url\":\"http://127.0.0.1:9\",\"http_version\":\"3\"}")
                                         << QStringLiteral("target.http_version: must be \"1.1\", \"2\" or");
        QTest::newRow("multiplexed HTTP/1.1")
            << QStringLiteral("{\"base_url\":\"http://127.0.0.1:9\",\"http_version\":\"1.1\",\"multiplex\":4}")
            << QStringLiteral("target.multiplex: needs HTTP/2");
        QTest::newRow("key without certificate")
            << QStringLiteral("{\"base_url\":\"http://127.0.0.1:9\",\"tls\":{\"key_file\":\"/k.pem\"}}")
            << QStringLiteral("target.tls.key_file: needs target.tls.cert_file");
    }
    void planRefusesWhatCannotWork()
    {
        QFETCH(QString, target);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!parse(target, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    // The proxy from the environment is used by every handle, not only the load's (it was, before). The
    // "target" is a loopback address where nothing listens: only a request through the proxy can answer.
    void everyHandleGoesThroughTheProxy()
    {
        TestHttpServer::Config config;
        config.body = "{\"pool\":{\"checked_out\":3,\"checked_in\":2,\"max\":5,\"waiting\":0}}";
        TestHttpServer proxy(config);
        QVERIFY(proxy.start());
        ScopedEnv env("http_proxy", QByteArray::fromStdString(proxy.baseUrl()));
        ScopedEnv noProxy("no_proxy", QByteArray());
        const std::string target = "http://127.0.0.2:" + std::to_string(TestHttpServer::refusedPort());
        const auto plan =
            parse(QStringLiteral("{\"base_url\":\"%1\",\"timeout_ms\":3000}").arg(QString::fromStdString(target)));
        QVERIFY(plan);
        const TransportOptions transport = TransportOptions::fromTarget(plan->target);
        QCOMPARE(transport.proxy, proxy.baseUrl());

        TargetProbe::Request request;
        request.url = target + "/health";
        request.transport = transport;
        const ProbeResult probe = TargetProbe::fetch(request);
        QVERIFY2(probe.isSuccess(), qPrintable(probe.describe(QStringLiteral("probe"))));
        QVERIFY(sawAbsoluteForm(proxy, target + "/health"));

        PoolSampler::Options poolOptions;
        poolOptions.transport = transport;
        PoolSampler sampler(PoolSampler::preset(QStringLiteral("sqlalchemy")), target + "/pool",
                            std::chrono::steady_clock::now(), poolOptions);
        qRegisterMetaType<PoolSample>();
        QSignalSpy samples(&sampler, &PoolSampler::sampleAvailable);
        sampler.start();
        QTRY_VERIFY_WITH_TIMEOUT(samples.count() >= 1, 5000);
        sampler.stop();
        const auto sample = samples.first().first().value<PoolSample>();
        QVERIFY2(sample.ok, qPrintable(sample.error));
        QCOMPARE(sample.in_use, 3);
        QVERIFY(sawAbsoluteForm(proxy, target + "/pool"));

        QString error;
        auto factory = RequestFactory::create(*plan, &error);
        QVERIFY2(factory, qPrintable(error));
        EngineOptions engineOptions;
        engineOptions.workers = 1;
        engineOptions.transport = transport;
        ScenarioSpec scenario;
        scenario.preset = QStringLiteral("burst");
        scenario.users = 1;
        scenario.idle_s = 0;
        scenario.duration_s = 0.3;
        LoadEngine engine(std::make_shared<RequestFactory>(std::move(*factory)), Schedule::compile(scenario),
                          engineOptions);
        uint64_t ok = 0, requests = 0;
        engine.setSnapshotSink([&](IntervalSnapshotPtr s) {
            ok += s->total().ok;
            requests += s->total().requests;
        });
        engine.start();
        engine.waitFinished();
        QVERIFY(requests > 0);
        QCOMPARE(ok, requests);
        QVERIFY(sawAbsoluteForm(proxy, target + "/x"));
    }
};

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
