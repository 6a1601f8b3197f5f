// `preflight` as CI uses it: exit codes, one-line errors, and the JSON summary of a real run (docs/cli.md).
#include "testhttpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using PreflightTest::TestHttpServer;

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result runPreflight(const QStringList &args, int timeout_ms = 120000,
                    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                    std::function<void(QProcess &)> whileRunning = {})
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(PREFLIGHT_BIN), args);
    if (!p.waitForStarted())
        qFatal("cannot start preflight");
    if (whileRunning)
        whileRunning(p);
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return {-2, QString::fromUtf8(p.readAllStandardOutput()),
                QStringLiteral("TIMED OUT: ") + QString::fromUtf8(p.readAllStandardError())};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString write(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return path;
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

// Slot bodies are defined outside the class: Qt 6.4's moc mis-lexes raw string literals in a class body.
class TestCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void helpAndVersion();
    void badInputGivesOneLineErrorAndExitCode_data();
    void badInputGivesOneLineErrorAndExitCode();
    void completedRunWritesTheSummaryAndStoresTheRun();
    void failedGateExitsOne();
    void engineFlagChoosesThePathTheRunRecords_data();
    void engineFlagChoosesThePathTheRunRecords();
    void inconclusiveExitsOneOnlyForAnExplicitGateNotMeasured_data();
    void inconclusiveExitsOneOnlyForAnExplicitGateNotMeasured();
    void loginTokenIsSentWithEveryRequest();
    void interruptStopsAndKeepsTheRun();
    void safetyGuardAbortsWithExitFour();
};

void TestCli::helpAndVersion()
{
    const Result help = runPreflight({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains(QStringLiteral("run [PLAN.json]")));
    const Result runHelp = runPreflight({QStringLiteral("run"), QStringLiteral("--help")});
    QCOMPARE(runHelp.exitCode, 0);
    QVERIFY(runHelp.out.contains(QStringLiteral("--levels")));
    const Result version = runPreflight({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith(QStringLiteral("preflight ")));
}

void TestCli::badInputGivesOneLineErrorAndExitCode_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString refused = QStringLiteral("http://127.0.0.1:%1").arg(TestHttpServer::refusedPort());
    const QString malformed =
        write(m_dir, QStringLiteral("malformed.json"),
              "{\n  \"target\": {\"base_url\": \"http://127.0.0.1:1\"},\n  \"endpoints\": [ {\"path\": \"/\"}, ]\n}\n");
    const QString badWeight =
        write(m_dir, QStringLiteral("weight.json"),
              R"({"target":{"base_url":"http://127.0.0.1:1"},"endpoints":[{"path":"/","weight":-1}]})");
    const QString unsetSecret =
        write(m_dir, QStringLiteral("secret.json"),
              QStringLiteral(
                  R"({"target":{"base_url":"%1","headers":{"Authorization":"Bearer ${env:PREFLIGHT_TEST_UNSET_TOKEN}"}},
                                      "endpoints":[{"path":"/"}],"scenario":{"preset":"sustain","users":1,"duration_s":1}})")
                  .arg(refused)
                  .toUtf8());
    const QString badGates = write(m_dir, QStringLiteral("gates.json"), R"({"p96_ms": 100})");
    QTest::newRow("malformed plan") << QStringList{QStringLiteral("run"), malformed} << 2
                                    << QStringLiteral("line 3, column");
    QTest::newRow("invalid plan value") << QStringList{QStringLiteral("run"), badWeight} << 2
                                        << QStringLiteral("endpoints[0].weight");
    QTest::newRow("missing plan file") << QStringList{QStringLiteral("run"),
                                                      m_dir.filePath(QStringLiteral("nope.json"))}
                                       << 2 << QStringLiteral("cannot read plan");
    QTest::newRow("bad URL") << QStringList{QStringLiteral("run"), QStringLiteral("--target"), QStringLiteral("htp:/x")}
                             << 2 << QStringLiteral("not an http");
    QTest::newRow("URL without host") << QStringList{QStringLiteral("run"), QStringLiteral("--target"),
                                                     QStringLiteral("http://")}
                                      << 2 << QStringLiteral("");
    QTest::newRow("unknown flag") << QStringList{QStringLiteral("run"), QStringLiteral("--target"), refused,
                                                 QStringLiteral("--bogus")}
                                  << 2 << QStringLiteral("bogus");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 2
                                     << QStringLiteral("unknown command");
    QTest::newRow("no target") << QStringList{QStringLiteral("run")} << 2 << QStringLiteral("--target");
    QTest::newRow("bad endpoint") << QStringList{QStringLiteral("run"), QStringLiteral("--target"), refused,
                                                 QStringLiteral("--endpoint"), QStringLiteral("FETCH /x")}
                                  << 2 << QStringLiteral("unknown method");
    QTest::newRow("users above the limit") << QStringList{QStringLiteral("run"), QStringLiteral("--target"), refused,
                                                          QStringLiteral("--users"), QStringLiteral("1000")}
                                           << 2 << QStringLiteral("limits.max_users");
    QTest::newRow("zero rate") << QStringList{QStringLiteral("run"), QStringLiteral("--target"), refused,
                                              QStringLiteral("--rate"), QStringLiteral("0")}
                               << 2 << QStringLiteral("--rate");
    QTest::newRow("unset secret") << QStringList{QStringLiteral("run"), unsetSecret} << 2
                                  << QStringLiteral("PREFLIGHT_TEST_UNSET_TOKEN");
    QTest::newRow("bad gates file") << QStringList{QStringLiteral("run"), QStringLiteral("--target"), refused,
                                                   QStringLiteral("--gates"), badGates}
                                    << 2 << QStringLiteral("p96_ms");
    // TEST-NET-1 address: refused before any traffic, because it is not loopback and --yes is absent.
    QTest::newRow("non-loopback target") << QStringList{QStringLiteral("run"), QStringLiteral("--target"),
                                                        QStringLiteral("http://192.0.2.1:8080")}
                                         << 2 << QStringLiteral("--yes");
    QTest::newRow("refused port") << QStringList{QStringLiteral("run"),
                                                 QStringLiteral("--target"),
                                                 refused,
                                                 QStringLiteral("--duration"),
                                                 QStringLiteral("1"),
                                                 QStringLiteral("--store"),
                                                 m_dir.filePath(QStringLiteral("refused.sqlite"))}
                                  << 3 << QStringLiteral("connection refused");
    QTest::newRow("database unreachable")
        << QStringList{QStringLiteral("run"), QStringLiteral("--target"), refused, QStringLiteral("--db"),
                       QStringLiteral("sqlite:/nonexistent/dir/app.db")}
        << 3 << QStringLiteral("");
}

void TestCli::badInputGivesOneLineErrorAndExitCode()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const Result r = runPreflight(args, 30000);
    QVERIFY2(r.exitCode == exitCode, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY2(!r.err.contains(QStringLiteral("Segmentation")) && !r.err.contains(QStringLiteral("terminate")),
             qPrintable(r.err));
}

void TestCli::completedRunWritesTheSummaryAndStoresTheRun()
{
    TestHttpServer::Config config;
    config.error_share = 0.1;
    config.error_status = 500;
    TestHttpServer server(config);
    QVERIFY(server.start());
    const QString json = m_dir.filePath(QStringLiteral("summary.json"));
    const QString junit = m_dir.filePath(QStringLiteral("junit.xml"));
    const QString store = m_dir.filePath(QStringLiteral("runs.sqlite"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PREFLIGHT_CANARY_TOKEN"), QStringLiteral("canary-7f3a9b"));
    const QString plan = write(m_dir, QStringLiteral("plan.json"),
                               QStringLiteral(R"({"name":"cli test",
        "target":{"base_url":"%1","headers":{"Authorization":"Bearer ${env:PREFLIGHT_CANARY_TOKEN}"}},
        "endpoints":[{"name":"a","path":"/a","weight":2},{"name":"b","method":"POST","path":"/b/{seq}","json":{"n":"{seq}"}}],
        "health":{"path":"/health"},
        "scenario":{"preset":"sweep","levels":[1,3],"step_s":1}})")
                                   .arg(QString::fromStdString(server.baseUrl()))
                                   .toUtf8());
    const Result r = runPreflight({QStringLiteral("run"), plan, QStringLiteral("--json"), json,
                                   QStringLiteral("--junit"), junit, QStringLiteral("--store"), store},
                                  60000, env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err)); // no explicit gates: a completed run exits 0
    QVERIFY(r.out.contains(QStringLiteral("By load level")));
    const QJsonObject s = readJson(json);
    QCOMPARE(s.value(QStringLiteral("schema")).toString(), QStringLiteral("preflight.summary/1"));
    for (const char *key : {"tool", "run", "totals", "endpoints", "levels", "capacity", "database", "queries", "gates",
                            "findings", "verdict", "verdict_reason", "notes"})
        QVERIFY2(s.contains(QLatin1String(key)), key);
    const QJsonObject totals = s.value(QStringLiteral("totals")).toObject();
    // The server also answered the reachability check (health), which is not part of the load.
    QCOMPARE(qint64(totals.value(QStringLiteral("requests")).toDouble()) + 1, qint64(server.requestsSeen()));
    // Request 0 (the health check) is answered 200 with a 10% share, so every 500 belongs to the load.
    QCOMPARE(qint64(totals.value(QStringLiteral("errors")).toDouble()), qint64(server.answered(500)));
    QCOMPARE(s.value(QStringLiteral("endpoints")).toArray().size(), 2);
    QCOMPARE(s.value(QStringLiteral("levels")).toArray().size(), 2);
    QCOMPARE(s.value(QStringLiteral("run")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("completed"));
    QVERIFY(s.value(QStringLiteral("gates")).toObject().value(QStringLiteral("checks")).toArray().size() >= 4);
    const QString verdict = s.value(QStringLiteral("verdict")).toString();
    QVERIFY2(verdict == QLatin1String("not-ready") || verdict == QLatin1String("inconclusive"),
             qPrintable(verdict)); // 10% errors
    for (const QString &path : {json, junit, store}) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains("canary-7f3a9b"), qPrintable(path));
    }
    QVERIFY(QFile(junit).size() > 0);

    const Result runs = runPreflight({QStringLiteral("runs"), QStringLiteral("--store"), store});
    QCOMPARE(runs.exitCode, 0);
    QVERIFY2(runs.out.contains(QStringLiteral("cli test")), qPrintable(runs.out));
}

void TestCli::inconclusiveExitsOneOnlyForAnExplicitGateNotMeasured_data()
{
    QTest::addColumn<QString>("gates"); // a gates file's content; empty: no --gates
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("err"); // in standard error; empty: nothing about the verdict
    // No database: queries per request cannot be measured; the run is also too short to conclude.
    QTest::newRow("explicit gate not measured")
        << R"({"p95_ms":500,"queries_per_request":5})" << 1
        << "not passed: queries per request ≤ 5 (not measured: no profiling pass";
    // Every explicit check measured and passed; inconclusive only because 1 s of load is too short.
    QTest::newRow("explicit gates measured, run too short") << R"({"p95_ms":500})" << 0 << "";
    QTest::newRow("no explicit gates") << "" << 0 << "";
}

// DESIGN.md §5 and docs/cli.md "Inconclusive": with gates set explicitly, an inconclusive verdict exits 1 when a
// check was not shown to pass (not measured, or failed while the verdict blames Preflight), 0 when every check was
// measured and passed.
void TestCli::inconclusiveExitsOneOnlyForAnExplicitGateNotMeasured()
{
    QFETCH(QString, gates);
    QFETCH(int, exitCode);
    QFETCH(QString, err);
    TestHttpServer server;
    QVERIFY(server.start());
    QStringList args{
        QStringLiteral("run"),     QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
        QStringLiteral("--users"), QStringLiteral("2"),        QStringLiteral("--duration"),
        QStringLiteral("1"),       QStringLiteral("--store"),  m_dir.filePath(QStringLiteral("inc.sqlite"))};
    if (!gates.isEmpty())
        args << QStringLiteral("--gates") << write(m_dir, QStringLiteral("inc-gates.json"), gates.toUtf8());
    const Result r = runPreflight(args, 60000);
    QVERIFY2(r.exitCode == exitCode, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY2(r.out.contains(QStringLiteral("Verdict: INCONCLUSIVE")), qPrintable(r.out));
    if (err.isEmpty()) {
        QVERIFY2(!r.err.contains(QStringLiteral("inconclusive")), qPrintable(r.err));
    } else {
        QVERIFY2(r.err.contains(err), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("remove the check from the gates")), qPrintable(r.err));
    }
}

void TestCli::loginTokenIsSentWithEveryRequest()
{
    TestHttpServer::Config config;
    config.login_token = "tok-4711";
    TestHttpServer server(config);
    QVERIFY(server.start());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PREFLIGHT_TEST_PASSWORD"), QStringLiteral("pw-canary-93"));
    const QString json = m_dir.filePath(QStringLiteral("login.json"));
    const QString plan = write(m_dir, QStringLiteral("login-plan.json"),
                               QStringLiteral(R"({
        "target":{"base_url":"%1","login":{"path":"/login","json":{"user":"admin","password":"${env:PREFLIGHT_TEST_PASSWORD}"},
                  "token_pointer":"/access_token"}},
        "endpoints":[{"path":"/private"}],"health":{"path":"/health"},
        "scenario":{"preset":"sustain","users":2,"duration_s":1}})")
                                   .arg(QString::fromStdString(server.baseUrl()))
                                   .toUtf8());
    const Result r = runPreflight({QStringLiteral("run"), plan, QStringLiteral("--json"), json,
                                   QStringLiteral("--store"), m_dir.filePath(QStringLiteral("login.sqlite"))},
                                  30000, env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto paths = server.paths();
    const auto auth = server.authorizations();
    int load = 0;
    for (size_t i = 0; i < paths.size(); ++i) {
        if (paths[i] != "/private")
            continue;
        ++load;
        QCOMPARE(QString::fromStdString(auth[i]), QStringLiteral("Bearer tok-4711"));
    }
    QVERIFY(load > 10);
    QFile summary(json);
    QVERIFY(summary.open(QIODevice::ReadOnly));
    const QByteArray bytes = summary.readAll();
    QVERIFY(!bytes.contains("tok-4711") && !bytes.contains("pw-canary-93"));
}

void TestCli::failedGateExitsOne()
{
    TestHttpServer::Config config;
    config.delay_ms = 150; // P95 above the launch gate's 120 ms; 6 s of load is long enough to be conclusive
    TestHttpServer server(config);
    QVERIFY(server.start());
    const Result r =
        runPreflight({QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
                      QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"), QStringLiteral("6"),
                      QStringLiteral("--gates"), QStringLiteral("launch"), QStringLiteral("--store"),
                      m_dir.filePath(QStringLiteral("gates.sqlite"))});
    QVERIFY2(r.exitCode == 1, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY(r.out.contains(QStringLiteral("FAIL")));
}

void TestCli::engineFlagChoosesThePathTheRunRecords_data()
{
    QTest::addColumn<QString>("flag");     // --engine value; empty: not given
    QTest::addColumn<QString>("recorded"); // run.engine in the JSON summary
    QTest::newRow("default on http") << QString() << QStringLiteral("raw");
    QTest::newRow("curl asked for") << QStringLiteral("curl") << QStringLiteral("curl");
    QTest::newRow("raw asked for") << QStringLiteral("RAW") << QStringLiteral("raw");
}

// The flag reaches the engine (it was once parsed into nothing and every run went raw), and the run says which
// path measured it.
void TestCli::engineFlagChoosesThePathTheRunRecords()
{
    QFETCH(QString, flag);
    QFETCH(QString, recorded);
    TestHttpServer server;
    QVERIFY(server.start());
    const QString json = m_dir.filePath(QStringLiteral("engine-%1.json").arg(recorded + flag));
    QStringList args{QStringLiteral("run"),
                     QStringLiteral("--target"),
                     QString::fromStdString(server.baseUrl()),
                     QStringLiteral("--users"),
                     QStringLiteral("1"),
                     QStringLiteral("--duration"),
                     QStringLiteral("1"),
                     QStringLiteral("--json"),
                     json,
                     QStringLiteral("--store"),
                     m_dir.filePath(QStringLiteral("engine.sqlite"))};
    if (!flag.isEmpty())
        args << QStringLiteral("--engine") << flag;
    const Result r = runPreflight(args);
    QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject run = QJsonDocument::fromJson(f.readAll()).object().value(QLatin1String("run")).toObject();
    QCOMPARE(run.value(QLatin1String("engine")).toString(), recorded);
    QVERIFY2(r.out.contains(QStringLiteral("%1 engine").arg(recorded)), qPrintable(r.out));

    const Result bad =
        runPreflight({QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
                      QStringLiteral("--engine"), QStringLiteral("fast")});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains(QStringLiteral("--engine fast: expected auto, curl or raw")), qPrintable(bad.err));
}

void TestCli::interruptStopsAndKeepsTheRun()
{
    TestHttpServer server;
    QVERIFY(server.start());
    const QString json = m_dir.filePath(QStringLiteral("interrupted.json"));
    const Result r = runPreflight(
        {QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
         QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"), QStringLiteral("60"),
         QStringLiteral("--json"), json, QStringLiteral("--store"), m_dir.filePath(QStringLiteral("int.sqlite"))},
        60000, QProcessEnvironment::systemEnvironment(), [&](QProcess &p) {
            QTRY_VERIFY_WITH_TIMEOUT(server.requestsSeen() > 50, 20000);
            ::kill(pid_t(p.processId()), SIGINT);
        });
    QCOMPARE(r.exitCode, 130);
    const QJsonObject s = readJson(json);
    QCOMPARE(s.value(QStringLiteral("run")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("interrupted"));
    QVERIFY(s.value(QStringLiteral("totals")).toObject().value(QStringLiteral("requests")).toDouble() > 0);
    QVERIFY(s.value(QStringLiteral("run")).toObject().value(QStringLiteral("duration_s")).toDouble() < 30);
}

void TestCli::safetyGuardAbortsWithExitFour()
{
    TestHttpServer::Config config;
    config.error_share = 1.0; // every request fails: the error-rate guard trips after its warm-up
    TestHttpServer server(config);
    QVERIFY(server.start());
    const QString json = m_dir.filePath(QStringLiteral("aborted.json"));
    const Result r = runPreflight(
        {QStringLiteral("run"), QStringLiteral("--target"), QString::fromStdString(server.baseUrl()),
         QStringLiteral("--users"), QStringLiteral("2"), QStringLiteral("--duration"), QStringLiteral("120"),
         QStringLiteral("--json"), json, QStringLiteral("--store"), m_dir.filePath(QStringLiteral("abort.sqlite"))},
        100000);
    QVERIFY2(r.exitCode == 4, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
    const QJsonObject s = readJson(json);
    QCOMPARE(s.value(QStringLiteral("run")).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("aborted"));
    QVERIFY(s.value(QStringLiteral("run"))
                .toObject()
                .value(QStringLiteral("status_reason"))
                .toString()
                .contains(QStringLiteral("safety")));
    QVERIFY(s.value(QStringLiteral("run")).toObject().value(QStringLiteral("duration_s")).toDouble() < 60);
    QVERIFY(!s.value(QStringLiteral("findings")).toArray().isEmpty()); // the run and its findings are kept
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
