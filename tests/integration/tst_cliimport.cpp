// `preflight import FILE` as a user runs it: a plan on stdout or in a file, warnings on stderr, exit codes of
// docs/cli.md, and the written plan runs against a real loopback server.
#include "testhttpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using PreflightTest::TestHttpServer;

namespace {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

Result runPreflight(const QStringList &args, int timeout_ms = 60000)
{
    QProcess p;
    p.start(QStringLiteral(PREFLIGHT_BIN), args);
    if (!p.waitForStarted())
        qFatal("cannot start preflight");
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        p.waitForFinished();
        return {-2, QString::fromUtf8(p.readAllStandardOutput()),
                QStringLiteral("TIMED OUT: ") + QString::fromUtf8(p.readAllStandardError())};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString fixture(const QString &name)
{
    return QStringLiteral(PREFLIGHT_TEST_DATA_DIR "/import/") + name;
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

QStringList endpointLabels(const QJsonObject &plan)
{
    QStringList labels;
    for (const QJsonValue &v : plan.value(QLatin1String("endpoints")).toArray())
        labels.append(v.toObject().value(QLatin1String("method")).toString() + QLatin1Char(' ') +
                      v.toObject().value(QLatin1String("path")).toString());
    return labels;
}

} // namespace

// Slot bodies are defined outside the class: Qt 6.4's moc mis-lexes raw string literals in a class body.
class TestCliImport : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void helpNamesTheCommand();
    void openApiPlanOnStdoutWarningsOnStderr();
    void includeWritesAndOutputFile();
    void harPlanRunsAgainstALoopbackServer();
    void badInputGivesOneLineErrorAndExitTwo_data();
    void badInputGivesOneLineErrorAndExitTwo();
    void repeatedWarningsAreGroupedAndTheSpecsHealthPathIsUsed();
};

void TestCliImport::helpNamesTheCommand()
{
    const Result top = runPreflight({QStringLiteral("--help")});
    QCOMPARE(top.exitCode, 0);
    QVERIFY(top.out.contains(QStringLiteral("import FILE")));
    const Result help = runPreflight({QStringLiteral("import"), QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.startsWith(QStringLiteral("Usage: preflight import FILE")));
    QVERIFY(help.out.contains(QStringLiteral("--include-writes")));
}

void TestCliImport::openApiPlanOnStdoutWarningsOnStderr()
{
    const Result r = runPreflight({QStringLiteral("import"), fixture(QStringLiteral("clinic-openapi-3.0.json"))});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QJsonParseError parseError;
    const QJsonObject plan = QJsonDocument::fromJson(r.out.toUtf8(), &parseError).object();
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(r.out)); // stdout is the plan and nothing else
    QCOMPARE(plan.value(QLatin1String("target")).toObject().value(QLatin1String("base_url")).toString(),
             QStringLiteral("https://staging.clinic.example.com"));
    QCOMPARE(plan.value(QLatin1String("health")).toObject().value(QLatin1String("path")).toString(),
             QStringLiteral("/api/v1/health"));
    const QStringList labels = endpointLabels(plan);
    QCOMPARE(labels.size(), 8);
    QVERIFY(labels.contains(QStringLiteral("GET /api/v1/customers/{customerId}?include=appointments&include=orders")));
    QVERIFY(!labels.contains(QStringLiteral("POST /api/v1/orders")));
    QVERIFY2(r.err.contains(QStringLiteral("preflight import: warning: POST /orders skipped: it writes data")),
             qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("preflight import: 8 endpoints for https://staging.clinic.example.com")),
             qPrintable(r.err));
}

void TestCliImport::includeWritesAndOutputFile()
{
    const QString out = m_dir.filePath(QStringLiteral("inventory.preflight.json"));
    const Result r = runPreflight({QStringLiteral("import"), fixture(QStringLiteral("inventory-openapi-3.1.json")),
                                   QStringLiteral("--include-writes"), QStringLiteral("--base-url"),
                                   QStringLiteral("http://127.0.0.1:8080/"), QStringLiteral("-o"), out});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.startsWith(QStringLiteral("wrote ") + out), qPrintable(r.out));
    const QJsonObject plan = readJson(out);
    QCOMPARE(plan.value(QLatin1String("target")).toObject().value(QLatin1String("base_url")).toString(),
             QStringLiteral("http://127.0.0.1:8080"));
    QVERIFY(endpointLabels(plan).contains(QStringLiteral("POST /inventory/v2/skus")));
    QVERIFY(!r.err.contains(QStringLiteral("--include-writes")));
    // The written plan is a plan `run` accepts: a bad flag fails as usage, not as a plan error.
    const Result check = runPreflight({QStringLiteral("run"), out, QStringLiteral("--levels"), QStringLiteral("x")});
    QCOMPARE(check.exitCode, 2);
    QVERIFY2(check.err.contains(QStringLiteral("--levels")), qPrintable(check.err));
}

void TestCliImport::harPlanRunsAgainstALoopbackServer()
{
    TestHttpServer server;
    QVERIFY(server.start());
    const QString plan = m_dir.filePath(QStringLiteral("session.preflight.json"));
    const Result imported = runPreflight({QStringLiteral("import"), fixture(QStringLiteral("clinic-session.har")),
                                          QStringLiteral("--base-url"), QString::fromStdString(server.baseUrl()),
                                          QStringLiteral("--output"), plan});
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    QVERIFY2(imported.err.contains(QStringLiteral("Authorization header dropped from 9 requests")),
             qPrintable(imported.err));
    QFile file(plan);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    for (const char *secret :
         {"s3cr3t-cookie-value", "eyJhbGciOiJIUzI1NiJ9", "AKIA-query-secret-123", "sk_live_header_secret_456"}) {
        QVERIFY2(!text.contains(secret), secret);
        QVERIFY2(!imported.err.contains(QLatin1String(secret)), secret);
    }

    const QString summary = m_dir.filePath(QStringLiteral("session-summary.json"));
    const Result run = runPreflight({QStringLiteral("run"), plan, QStringLiteral("--users"), QStringLiteral("2"),
                                     QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--quiet"),
                                     QStringLiteral("--json"), summary, QStringLiteral("--store"),
                                     m_dir.filePath(QStringLiteral("runs.sqlite"))},
                                    120000);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject totals = readJson(summary).value(QLatin1String("totals")).toObject();
    QVERIFY(totals.value(QLatin1String("requests")).toDouble() > 0);
    QStringList paths;
    for (const QJsonValue &e : readJson(summary).value(QLatin1String("endpoints")).toArray())
        paths.append(e.toObject().value(QLatin1String("path")).toString());
    QVERIFY2(paths.contains(QStringLiteral("/api/customers/{id}")), qPrintable(paths.join(QLatin1Char(','))));
}

void TestCliImport::badInputGivesOneLineErrorAndExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString import = QStringLiteral("import");
    QTest::newRow("no file") << QStringList{import} << QStringLiteral("which file?");
    QTest::newRow("two files") << QStringList{import, fixture(QStringLiteral("neither.json")),
                                              fixture(QStringLiteral("malformed.json"))}
                               << QStringLiteral("unexpected argument");
    QTest::newRow("unknown flag") << QStringList{import, fixture(QStringLiteral("clinic-session.har")),
                                                 QStringLiteral("--bogus")}
                                  << QStringLiteral("unexpected argument \"--bogus\"");
    QTest::newRow("-o without a value") << QStringList{import, fixture(QStringLiteral("clinic-session.har")),
                                                       QStringLiteral("-o")}
                                        << QStringLiteral("-o needs a value");
    QTest::newRow("bad base URL") << QStringList{import, fixture(QStringLiteral("clinic-session.har")),
                                                 QStringLiteral("--base-url"), QStringLiteral("ftp://x")}
                                  << QStringLiteral("--base-url: \"ftp://x\" is not an http:// or https:// URL");
    QTest::newRow("missing file") << QStringList{import, QStringLiteral("/nonexistent/spec.json")}
                                  << QStringLiteral("cannot read /nonexistent/spec.json");
    QTest::newRow("malformed JSON") << QStringList{import, fixture(QStringLiteral("malformed.json"))}
                                    << QStringLiteral("line 6, column");
    QTest::newRow("YAML") << QStringList{import, fixture(QStringLiteral("clinic-openapi.yaml"))}
                          << QStringLiteral("yq -o json");
    QTest::newRow("neither format") << QStringList{import, fixture(QStringLiteral("neither.json"))}
                                    << QStringLiteral("neither an OpenAPI 3 document");
    QTest::newRow("relative server, no --base-url")
        << QStringList{import, fixture(QStringLiteral("inventory-openapi-3.1.json"))}
        << QStringLiteral("give the backend with --base-url");
    QTest::newRow("unwritable output") << QStringList{import, fixture(QStringLiteral("clinic-session.har")),
                                                      QStringLiteral("-o"),
                                                      QStringLiteral("/nonexistent/dir/plan.json")}
                                       << QStringLiteral("cannot write /nonexistent/dir/plan.json");
    // The tidied export/report parsers keep their messages and exit codes.
    QTest::newRow("export: unknown flag")
        << QStringList{QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--bogus")}
        << QStringLiteral("preflight export: unexpected argument \"--bogus\"");
    QTest::newRow("export: two ids") << QStringList{QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("2"),
                                                    QStringLiteral("--csv"), m_dir.path()}
                                     << QStringLiteral("preflight export: unexpected argument \"2\"");
    QTest::newRow("export: not an id") << QStringList{QStringLiteral("export"), QStringLiteral("abc"),
                                                      QStringLiteral("--json"), QStringLiteral("x.json")}
                                       << QStringLiteral("\"abc\" is not a run id");
    QTest::newRow("report: value missing")
        << QStringList{QStringLiteral("report"), QStringLiteral("1"), QStringLiteral("--title")}
        << QStringLiteral("preflight report: --title needs a value");
    QTest::newRow("report: no output") << QStringList{QStringLiteral("report"), QStringLiteral("1")}
                                       << QStringLiteral("give --html FILE, --pdf FILE or both");
}

void TestCliImport::badInputGivesOneLineErrorAndExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r = runPreflight(args);
    QVERIFY2(r.exitCode == 2, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY2(r.err.count(QLatin1Char('\n')) == 1, qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

// A large spec's warnings that say the same thing of many operations come once, with the count;
// the health check is the one the spec declares (here /api/v2/healthcheck), not an invented /health.
void TestCliImport::repeatedWarningsAreGroupedAndTheSpecsHealthPathIsUsed()
{
    QJsonObject paths;
    const QJsonObject ok{{QStringLiteral("200"), QJsonObject{{QStringLiteral("description"), QStringLiteral("ok")}}}};
    for (int i = 0; i < 12; ++i) {
        const QJsonObject param{
            {QStringLiteral("name"), QStringLiteral("owner")},
            {QStringLiteral("in"), QStringLiteral("path")},
            {QStringLiteral("required"), true},
            {QStringLiteral("schema"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}};
        paths.insert(QStringLiteral("/api/v2/r%1/{owner}").arg(i),
                     QJsonObject{{QStringLiteral("get"), QJsonObject{{QStringLiteral("parameters"), QJsonArray{param}},
                                                                     {QStringLiteral("responses"), ok}}}});
    }
    paths.insert(QStringLiteral("/api/v2/healthcheck"),
                 QJsonObject{{QStringLiteral("get"), QJsonObject{{QStringLiteral("responses"), ok}}}});
    const QJsonObject spec{{QStringLiteral("openapi"), QStringLiteral("3.0.3")},
                           {QStringLiteral("servers"),
                            QJsonArray{QJsonObject{{QStringLiteral("url"), QStringLiteral("http://127.0.0.1:8000")}}}},
                           {QStringLiteral("paths"), paths}};
    const QString file = m_dir.filePath(QStringLiteral("many.json"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(spec).toJson());
    f.close();
    const Result r = runPreflight({QStringLiteral("import"), file});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    const auto owner = std::count_if(lines.begin(), lines.end(), [](const QString &l) {
        return l.contains(QLatin1String("{owner} has no example"));
    });
    QCOMPARE(int(owner), 1);
    QVERIFY2(r.err.contains(QStringLiteral("12 operations (GET /api/v2/r")), qPrintable(r.err));
    const QJsonObject plan = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(plan.value(QLatin1String("health")).toObject().value(QLatin1String("path")).toString(),
             QStringLiteral("/api/v2/healthcheck"));
}

QTEST_GUILESS_MAIN(TestCliImport)
#include "tst_cliimport.moc"
