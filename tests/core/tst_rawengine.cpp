// The raw HTTP/1.1 load path (docs/engine.md) against answers libcurl has long handled: chunked bodies, Connection:
// close, interim 1xx answers, bodies above the limit, resets in the middle of a body, a server slower than
// the timeout, keep-alive reuse. Every case runs on both paths (global rows "curl" and "raw") and must count
// the same way; which path "auto" picks is checked at the end.
#include "enginerun.h"
#include "faultserver.h"

#include "load/loadengine.h"
#include "load/loadpath.h"
#include "load/transportoptions.h"
#include "plan/planparser.h"

#include <QJsonObject>
#include <QTest>

using namespace Preflight;
using PreflightTest::FaultServer;

namespace {

using Outcome = PreflightTest::EngineOutcome;

Plan makePlan(const std::string &baseUrl, int users, double duration_s, int timeout_ms = 5000,
              qint64 maxResponseBytes = 16 << 20, const QString &method = QStringLiteral("GET"))
{
    const QString json = QStringLiteral(R"({"target":{"base_url":"%1","timeout_ms":%2,"max_response_bytes":%3},
        "endpoints":[{"method":"%4","path":"/t"}],"scenario":{"preset":"sustain","users":%5,"duration_s":%6},
        "limits":{"max_users":64,"max_rate":2000,"max_duration_s":60}})")
                             .arg(QString::fromStdString(baseUrl))
                             .arg(timeout_ms)
                             .arg(maxResponseBytes)
                             .arg(method)
                             .arg(users)
                             .arg(duration_s);
    PlanError error;
    auto plan = PlanParser::parse(json.toUtf8(), &error);
    if (!plan)
        qFatal("test plan does not parse: %s", qPrintable(error.toString()));
    return *plan;
}

// A run on the load path of the current global data row ("curl" or "raw"), one load thread.
Outcome runToEnd(const Plan &plan)
{
    QFETCH_GLOBAL(QString, engine);
    EngineOptions options;
    options.workers = 1;
    return PreflightTest::runEngineToEnd(plan, engine, options);
}

FaultServer::Decide answerWith(FaultServer::Answer answer)
{
    return [answer](const FaultServer::Request &) { return answer; };
}

} // namespace

class TestRawEngine : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("engine");
        QTest::newRow("curl") << QStringLiteral("curl");
        QTest::newRow("raw") << QStringLiteral("raw");
    }

    void answersOfEveryShapeAreCountedAlike_data()
    {
        QTest::addColumn<bool>("chunked");
        QTest::addColumn<bool>("close");
        QTest::addColumn<int>("interim");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("bodyBytes");
        QTest::newRow("chunked") << true << false << 0 << 200 << qint64(5000);
        QTest::newRow("content-length") << false << false << 0 << 200 << qint64(3000);
        QTest::newRow("Connection: close") << false << true << 0 << 200 << qint64(10);
        QTest::newRow("chunked, Connection: close") << true << true << 0 << 200 << qint64(2500);
        QTest::newRow("100 Continue first") << false << false << 100 << 201 << qint64(2);
        QTest::newRow("103 Early Hints first") << false << false << 103 << 200 << qint64(2);
        QTest::newRow("chunked 503") << true << false << 0 << 503 << qint64(1500);
    }

    void answersOfEveryShapeAreCountedAlike()
    {
        QFETCH(bool, chunked);
        QFETCH(bool, close);
        QFETCH(int, interim);
        QFETCH(int, status);
        QFETCH(qint64, bodyBytes);
        FaultServer::Answer a;
        a.chunked = chunked;
        a.close = close;
        a.interim_status = interim;
        a.status = status;
        a.body_bytes = uint64_t(bodyBytes);
        FaultServer server(answerWith(a));
        QVERIFY(server.start());
        const Outcome o = runToEnd(makePlan(server.baseUrl(), 3, 0.5));
        QVERIFY(o.total.requests >= 3); // a count, not a rate: the machine may be busy
        QCOMPARE(o.total.requests, server.requestsSeen());
        QCOMPARE(o.total.transportErrorTotal(), uint64_t(0));
        QCOMPARE(o.total.status_counts.at(status), o.total.requests);
        QCOMPARE(o.total.bytes_received, o.total.requests * uint64_t(bodyBytes));
        QCOMPARE(o.total.latency.count(), o.total.requests);
        if (close)
            QCOMPARE(server.connectionsAccepted(), server.requestsSeen()); // one connection per answer
        else
            QVERIFY2(server.connectionsAccepted() <= 3, qPrintable(QString::number(server.connectionsAccepted())));
        if (status >= 400) {
            QCOMPARE(int(o.errorSamples.size()), 1);
            QCOMPARE(o.errorSamples[0].count, o.total.requests);
            QCOMPARE(o.errorSamples[0].content_type, QStringLiteral("text/plain"));
            QVERIFY(o.errorSamples[0].body.startsWith("xxxx"));
        }
    }

    void failuresAreClassifiedAlike_data()
    {
        QTest::addColumn<int>("action");
        QTest::addColumn<bool>("chunked");
        QTest::addColumn<qint64>("bodyBytes");
        QTest::addColumn<int>("delay_ms");
        QTest::addColumn<int>("errorClass");
        QTest::newRow("announced body above the limit")
            << int(FaultServer::Action::Answer) << false << qint64(2 << 20) << 0 << int(ErrorClass::TooLarge);
        QTest::newRow("chunked body above the limit")
            << int(FaultServer::Action::Answer) << true << qint64(2 << 20) << 0 << int(ErrorClass::TooLarge);
        QTest::newRow("reset mid-body") << int(FaultServer::Action::ResetMidBody) << false << qint64(200000) << 0
                                        << int(ErrorClass::Reset);
        QTest::newRow("closed mid-body") << int(FaultServer::Action::CloseMidBody) << false << qint64(200000) << 0
                                         << int(ErrorClass::Reset);
        QTest::newRow("malformed") << int(FaultServer::Action::Malformed) << false << qint64(0) << 0
                                   << int(ErrorClass::Reset);
        QTest::newRow("slower than the timeout")
            << int(FaultServer::Action::Answer) << false << qint64(2) << 400 << int(ErrorClass::Timeout);
    }

    void failuresAreClassifiedAlike()
    {
        QFETCH(int, action);
        QFETCH(bool, chunked);
        QFETCH(qint64, bodyBytes);
        QFETCH(int, delay_ms);
        QFETCH(int, errorClass);
        FaultServer::Answer a;
        a.action = FaultServer::Action(action);
        a.chunked = chunked;
        a.body_bytes = uint64_t(bodyBytes);
        a.delay_ms = delay_ms;
        FaultServer server(answerWith(a));
        QVERIFY(server.start());
        const Outcome o = runToEnd(makePlan(server.baseUrl(), 2, 0.6, 150, 1 << 20));
        QVERIFY(o.total.requests > 0);
        QCOMPARE(o.total.transport_errors[size_t(errorClass)], o.total.requests);
        QCOMPARE(o.total.ok, uint64_t(0));
        QCOMPARE(o.total.requests, o.started);
        QVERIFY(!o.errorSamples.empty());
        QCOMPARE(int(o.errorSamples[0].error_class), errorClass);
        QVERIFY(!o.errorSamples[0].body.isEmpty()); // says what happened
    }

    // A run of 4 users makes many requests on 4 connections (how many depends on the machine; at least 2 each).
    void keepAliveReusesOneConnectionPerUser()
    {
        FaultServer server;
        QVERIFY(server.start());
        const Outcome o = runToEnd(makePlan(server.baseUrl(), 4, 0.5));
        QVERIFY2(o.total.ok >= 8, qPrintable(QString::number(o.total.ok)));
        QCOMPARE(o.total.ok, o.total.requests);
        QCOMPARE(server.connectionsAccepted(), uint64_t(4));
    }

    void headHasNoBody()
    {
        FaultServer::Answer a;
        a.body_bytes = 100000; // announced, never sent
        FaultServer server(answerWith(a));
        QVERIFY(server.start());
        const Outcome o = runToEnd(makePlan(server.baseUrl(), 2, 0.4, 2000, 16 << 20, QStringLiteral("HEAD")));
        QVERIFY(o.total.requests >= 3); // a count, not a rate: the machine may be busy
        QCOMPARE(o.total.ok, o.total.requests);
        QCOMPARE(o.total.bytes_received, uint64_t(0));
        QCOMPARE(server.connectionsAccepted(), uint64_t(2));
    }

    void autoChoosesThePath_data()
    {
        QTest::addColumn<QString>("requested");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QString>("chosen");
        QTest::addColumn<QString>("http"); // target.http_version; "" = libcurl's default
        QTest::newRow("plain http") << QStringLiteral("auto") << QStringLiteral("http://127.0.0.1:8000")
                                    << QStringLiteral("") << QStringLiteral("raw") << QString();
        QTest::newRow("https") << QStringLiteral("auto") << QStringLiteral("https://api.example") << QStringLiteral("")
                               << QStringLiteral("curl") << QString();
        QTest::newRow("a proxy") << QStringLiteral("auto") << QStringLiteral("http://127.0.0.1:8000")
                                 << QStringLiteral("http://p:3128") << QStringLiteral("curl") << QString();
        QTest::newRow("credentials in the URL") << QStringLiteral("auto") << QStringLiteral("http://u:p@127.0.0.1/api")
                                                << QStringLiteral("") << QStringLiteral("curl") << QString();
        QTest::newRow("@ in the path only") << QStringLiteral("auto") << QStringLiteral("http://127.0.0.1/@me")
                                            << QStringLiteral("") << QStringLiteral("raw") << QString();
        QTest::newRow("curl asked for") << QStringLiteral("curl") << QStringLiteral("http://127.0.0.1:8000")
                                        << QStringLiteral("") << QStringLiteral("curl") << QString();
        QTest::newRow("raw asked for, proxy ignored")
            << QStringLiteral("raw") << QStringLiteral("http://127.0.0.1") << QStringLiteral("http://p:3128")
            << QStringLiteral("raw") << QString();
        QTest::newRow("HTTP/1.1 asked for") << QStringLiteral("auto") << QStringLiteral("http://127.0.0.1:8000")
                                            << QStringLiteral("") << QStringLiteral("raw") << QStringLiteral("1.1");
        QTest::newRow("h2c asked for") << QStringLiteral("auto") << QStringLiteral("http://127.0.0.1:8000")
                                       << QStringLiteral("") << QStringLiteral("curl")
                                       << QStringLiteral("2-prior-knowledge");
    }

    void autoChoosesThePath()
    {
        QFETCH(QString, requested);
        QFETCH(QString, url);
        QFETCH(QString, proxy);
        QFETCH(QString, chosen);
        QFETCH(QString, http);
        TransportOptions transport;
        transport.proxy = proxy.toStdString();
        QVERIFY(parseHttpVersion(http, &transport.http_version));
        const LoadPathChoice c = chooseLoadPath(requested, url.toStdString(), transport);
        QCOMPARE(loadPathId(c.path), chosen);
        QCOMPARE(c.reason.isEmpty(), chosen == QLatin1String("raw") || requested != QLatin1String("auto"));
    }

    void planRefusesWhatThePathCannotDo();
};

// A plan asking for `engine` on `baseUrl` (plain strings: moc cannot read raw string literals).
static QByteArray planAsking(const char *baseUrl, const char *engine)
{
    return QByteArray("{\"target\":{\"base_url\":\"") + baseUrl + "\",\"engine\":\"" + engine +
           "\"},\"endpoints\":[{\"path\":\"/\"}],\"scenario\":{\"preset\":\"sustain\",\"users\":1,"
           "\"duration_s\":1}}";
}

void TestRawEngine::planRefusesWhatThePathCannotDo()
{
    PlanError error;
    QVERIFY(!PlanParser::parse(planAsking("https://a.example", "raw"), &error));
    QVERIFY2(error.message.contains(QLatin1String("target.engine")) &&
                 error.message.contains(QLatin1String("\"curl\"")),
             qPrintable(error.message));
    QByteArray h2 = planAsking("http://a", "raw");
    h2.replace("\"engine\":\"raw\"", "\"engine\":\"raw\",\"http_version\":\"2-prior-knowledge\"");
    QVERIFY(!PlanParser::parse(h2, &error));
    QVERIFY2(error.message.contains(QLatin1String("HTTP/1.1 only")), qPrintable(error.message));
    QVERIFY(!PlanParser::parse(planAsking("http://a", "fast"), &error));
    QVERIFY2(error.message.contains(QLatin1String("unknown engine")), qPrintable(error.message));
    auto plan = PlanParser::parse(planAsking("http://a", "curl"), &error);
    QVERIFY2(plan, qPrintable(error.message));
    QCOMPARE(plan->target.engine, QStringLiteral("curl"));
    // The plan a run keeps says what was asked for.
    QCOMPARE(plan->toJson().value(QStringLiteral("target")).toObject().value(QStringLiteral("engine")).toString(),
             QStringLiteral("curl"));
}

QTEST_GUILESS_MAIN(TestRawEngine)
#include "tst_rawengine.moc"
