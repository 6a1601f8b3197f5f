// Run failures are values (docs/architecture.md): every way a run cannot start names its kind and a
// fix, and the CLI turns the kind into the exit code of docs/cli.md in one function.
#include "cli/cli.h"
#include "plan/planparser.h"
#include "run/runcontroller.h"
#include "run/runfailure.h"
#include "testhttpserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Preflight;
using PreflightTest::TestHttpServer;

Q_DECLARE_METATYPE(Preflight::RunFailure::Kind)

namespace {

Plan planFor(const QString &baseUrl)
{
    PlanError error;
    auto plan = PlanParser::parse(QStringLiteral(R"({"target":{"base_url":"%1"},"endpoints":[{"path":"/"}],
                                                     "scenario":{"preset":"sustain","users":1,"duration_s":1}})")
                                      .arg(baseUrl)
                                      .toUtf8(),
                                  &error);
    if (!plan)
        qFatal("test plan does not parse");
    return *plan;
}

RunController::Options noStore()
{
    RunController::Options options;
    options.store = false;
    return options;
}

// Starts a run that must fail before any load, and returns its failure.
std::optional<RunFailure> failureOf(const Plan &plan, const RunController::Options &options = noStore())
{
    RunController controller;
    QSignalSpy failed(&controller, &RunController::runFailed);
    QSignalSpy started(&controller, &RunController::runStarted);
    controller.start(plan, options);
    if (!failed.wait(20000) || !started.isEmpty())
        return std::nullopt;
    return failed.at(0).at(0).value<RunFailure>();
}

QString refusedUrl()
{
    return QStringLiteral("http://127.0.0.1:%1").arg(TestHttpServer::refusedPort());
}

} // namespace

class TestRunFailure : public QObject
{
    Q_OBJECT

private slots:
    void everyKindHasTheExitCodeOfTheCliReference_data();
    void everyKindHasTheExitCodeOfTheCliReference();
    void anInvalidPlanValueIsAPlanErrorNamingTheField();
    void aNonLoopbackTargetNeedsConfirmationBeforeAnyTraffic();
    void aRefusedTargetIsUnreachableWithItsErrorClassAndFix();
    void anUnsetSecretIsMissingNotInvalid();
    void aLoginWithoutTokenIsALoginFailure();
    void aMissingDatabaseIsUnreachableAndABadPathIsInvalid();
    void aStoreThatCannotBeWrittenIsUnavailable();
    void aFinishedRunCarriesItsFailure();
    void textIsMessageThenFix();
};

void TestRunFailure::everyKindHasTheExitCodeOfTheCliReference_data()
{
    QTest::addColumn<RunFailure::Kind>("kind");
    QTest::addColumn<int>("exitCode");
    using K = RunFailure::Kind;
    QTest::newRow("plan-invalid") << K::PlanInvalid << 2;
    QTest::newRow("secret-missing") << K::SecretMissing << 2;
    QTest::newRow("target-not-confirmed") << K::TargetNotConfirmed << 2;
    QTest::newRow("request-not-sent") << K::RequestNotSent << 2;
    QTest::newRow("tls-failed") << K::TlsFailed << 2;
    QTest::newRow("tls-untrusted") << K::TlsUntrusted << 3;
    QTest::newRow("database-invalid") << K::DatabaseInvalid << 2;
    QTest::newRow("store-unavailable") << K::StoreUnavailable << 2;
    QTest::newRow("target-unreachable") << K::TargetUnreachable << 3;
    QTest::newRow("login-failed") << K::LoginFailed << 3;
    QTest::newRow("database-unreachable") << K::DatabaseUnreachable << 3;
    QTest::newRow("safety-guard") << K::SafetyGuard << 4;
    QTest::newRow("interrupted") << K::Interrupted << 130;
}

void TestRunFailure::everyKindHasTheExitCodeOfTheCliReference()
{
    QFETCH(RunFailure::Kind, kind);
    QFETCH(int, exitCode);
    QCOMPARE(int(Cli::exitCodeFor(kind)), exitCode);
    QCOMPARE(runFailureKindId(kind), QString::fromLatin1(QTest::currentDataTag()));
}

void TestRunFailure::anInvalidPlanValueIsAPlanErrorNamingTheField()
{
    Plan plan = planFor(refusedUrl());
    plan.endpoints[0].weight = -1;
    const auto failure = failureOf(plan);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::PlanInvalid);
    QVERIFY2(failure->message.contains(QLatin1String("endpoints[0].weight")), qPrintable(failure->message));
    QVERIFY(!failure->fix.isEmpty());
    QVERIFY(!failure->error_class);
}

void TestRunFailure::aNonLoopbackTargetNeedsConfirmationBeforeAnyTraffic()
{
    // TEST-NET-1: refused before any packet is sent, because it is not loopback and nobody confirmed it.
    const auto failure = failureOf(planFor(QStringLiteral("http://192.0.2.1:8080")));
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::TargetNotConfirmed);
    QVERIFY2(failure->message.contains(QLatin1String("192.0.2.1")), qPrintable(failure->message));
    QVERIFY2(failure->fix.contains(QLatin1String("--yes")), qPrintable(failure->fix));
}

void TestRunFailure::aRefusedTargetIsUnreachableWithItsErrorClassAndFix()
{
    const auto failure = failureOf(planFor(refusedUrl()));
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::TargetUnreachable);
    QCOMPARE(failure->error_class, std::optional<ErrorClass>(ErrorClass::Connect));
    QVERIFY2(failure->message.contains(QLatin1String("connection refused")), qPrintable(failure->message));
    QVERIFY2(failure->fix.contains(QLatin1String("start the backend")), qPrintable(failure->fix));
}

void TestRunFailure::anUnsetSecretIsMissingNotInvalid()
{
    qunsetenv("PREFLIGHT_TEST_UNSET_TOKEN");
    Plan plan = planFor(refusedUrl());
    plan.target.headers[QStringLiteral("Authorization")] = QStringLiteral("Bearer ${env:PREFLIGHT_TEST_UNSET_TOKEN}");
    const auto failure = failureOf(plan);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::SecretMissing);
    QVERIFY2(failure->message.contains(QLatin1String("PREFLIGHT_TEST_UNSET_TOKEN")), qPrintable(failure->message));
    QVERIFY(!failure->fix.isEmpty());
}

void TestRunFailure::aLoginWithoutTokenIsALoginFailure()
{
    TestHttpServer::Config config;
    config.login_token = "secret-token";
    TestHttpServer server(config);
    QVERIFY(server.start());
    Plan plan = planFor(QString::fromStdString(server.baseUrl()));
    plan.target.login.enabled = true;
    plan.target.login.method = QStringLiteral("POST");
    plan.target.login.path = QStringLiteral("/login");
    plan.target.login.token_pointer = QStringLiteral("/no_such_field");
    const auto failure = failureOf(plan);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::LoginFailed);
    QVERIFY2(failure->message.contains(QLatin1String("/no_such_field")), qPrintable(failure->message));
    QVERIFY2(failure->fix.contains(QLatin1String("token_pointer")), qPrintable(failure->fix));
    QVERIFY(!failure->text().contains(QLatin1String("secret-token")));
}

void TestRunFailure::aMissingDatabaseIsUnreachableAndABadPathIsInvalid()
{
    TestHttpServer server;
    QVERIFY(server.start());
    QTemporaryDir dir;
    Plan plan = planFor(QString::fromStdString(server.baseUrl()));
    plan.database.conninfo = QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("missing.db"));
    auto failure = failureOf(plan);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::DatabaseUnreachable);
    QVERIFY2(failure->message.contains(QLatin1String("missing.db")), qPrintable(failure->message));

    plan.database.conninfo = QStringLiteral("sqlite:") + dir.path(); // a directory, not a database file
    failure = failureOf(plan);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::DatabaseInvalid);
    QVERIFY2(failure->fix.contains(QLatin1String("database.conninfo")), qPrintable(failure->fix));
}

void TestRunFailure::aStoreThatCannotBeWrittenIsUnavailable()
{
    TestHttpServer server;
    QVERIFY(server.start());
    QTemporaryDir dir;
    RunController::Options options;
    options.store = true;
    options.storePath = dir.path(); // a directory
    const auto failure = failureOf(planFor(QString::fromStdString(server.baseUrl())), options);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::StoreUnavailable);
    QVERIFY2(failure->fix.contains(QLatin1String("--store")), qPrintable(failure->fix));
}

void TestRunFailure::aFinishedRunCarriesItsFailure()
{
    RunData run;
    run.info.status = RunStatus::Completed;
    IntervalSnapshot interval;
    interval.end_s = 1;
    EndpointStats stats;
    stats.requests = 10;
    stats.ok = 10;
    interval.endpoints.push_back(stats);
    run.intervals.push_back(interval);
    QVERIFY(!RunFailure::ofFinishedRun(run));

    run.info.status = RunStatus::Aborted;
    run.info.status_reason = QStringLiteral("aborted by a safety guard: error rate 60% over 10 s");
    auto failure = RunFailure::ofFinishedRun(run);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::SafetyGuard);
    QCOMPARE(failure->message, run.info.status_reason);

    // Every request failed inside libcurl: that comes before the guard it tripped (the plan caused both).
    EndpointStats refused;
    refused.requests = 10;
    refused.transport_errors[size_t(ErrorClass::Other)] = 10;
    run.intervals[0].endpoints[0] = refused;
    failure = RunFailure::ofFinishedRun(run);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::RequestNotSent);
    QCOMPARE(failure->error_class, std::optional<ErrorClass>(ErrorClass::Other));
    QVERIFY2(failure->message.contains(QLatin1String("all 10 requests failed inside Preflight")),
             qPrintable(failure->message));

    run.info.status = RunStatus::Interrupted;
    failure = RunFailure::ofFinishedRun(run);
    QVERIFY(failure);
    QCOMPARE(failure->kind, RunFailure::Kind::Interrupted);
}

void TestRunFailure::textIsMessageThenFix()
{
    const RunFailure failure = RunFailure::make(RunFailure::Kind::LoginFailed, QStringLiteral("login failed: 401"),
                                                QStringLiteral("check target.login"));
    QCOMPARE(failure.text(), QStringLiteral("login failed: 401; check target.login"));
}

QTEST_GUILESS_MAIN(TestRunFailure)
#include "tst_runfailure.moc"
