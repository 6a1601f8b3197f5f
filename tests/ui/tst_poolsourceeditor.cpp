// The Target panel's pool source editor: presets from core, the spec it writes into the plan, and the live probe
// ("Test") against a loopback server that serves pool figures, with inline errors that name the fix when the
// endpoint is missing, broken or not there at all.
#include "poolsourceeditor.h"
#include "testhttpserver.h"
#include "uiwiring.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Preflight;
using PreflightTest::TestHttpServer;

namespace {

constexpr int kTimeout_ms = 15000;

TargetSpec targetAt(const std::string &baseUrl)
{
    TargetSpec t;
    t.base_url = QString::fromStdString(baseUrl);
    t.timeout_ms = 3000;
    return t;
}

std::unique_ptr<TestHttpServer> startServer(TestHttpServer::Config config)
{
    auto server = std::make_unique<TestHttpServer>(std::move(config));
    if (!server->start())
        qFatal("the loopback test server did not start");
    return server;
}

TestHttpServer::Config serving(const std::string &body)
{
    TestHttpServer::Config c;
    c.body = body;
    return c;
}

// Presses Test and waits until the probe has answered: the button reads "Test" again and the result is no longer
// "Reading …" (both are set at once when the press is handled, and changed when the answer arrives).
void pressTest(PoolSourceEditor &editor)
{
    QTest::mouseClick(editor.testButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(editor.testButton()->text() == QStringLiteral("Test") &&
                                 !editor.testResultText().startsWith(QLatin1String("Reading")),
                             kTimeout_ms);
    QVERIFY(editor.testButton()->isEnabled());
}

PoolSpec jsonSpec(const QString &url, std::map<QString, QString> pointers = {})
{
    PoolSpec s;
    s.kind = QStringLiteral("json");
    s.url = url;
    s.pointers = std::move(pointers);
    return s;
}

} // namespace

class TestPoolSourceEditor : public QObject
{
    Q_OBJECT
private slots:
    void presetsFillTheFields_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("inUse");
        QTest::addColumn<QString>("waiting");
        QTest::newRow("sqlalchemy") << QStringLiteral("sqlalchemy") << QStringLiteral("json")
                                    << QStringLiteral("/health") << QStringLiteral("/pool/checked_out")
                                    << QStringLiteral("/pool/waiting");
        QTest::newRow("hikaricp") << QStringLiteral("hikaricp") << QStringLiteral("prometheus")
                                  << QStringLiteral("/actuator/prometheus")
                                  << QStringLiteral("hikaricp_connections_active")
                                  << QStringLiteral("hikaricp_connections_pending");
        QTest::newRow("demo") << QStringLiteral("demo") << QStringLiteral("json") << QStringLiteral("/health")
                              << QStringLiteral("/pool/in_use") << QStringLiteral("/pool/waiting");
    }
    void presetsFillTheFields()
    {
        QFETCH(QString, preset);
        QFETCH(QString, kind);
        QFETCH(QString, url);
        QFETCH(QString, inUse);
        QFETCH(QString, waiting);
        QVERIFY(PoolSourceEditor::presetIds().contains(preset));
        PoolSourceEditor editor;
        QSignalSpy changed(&editor, &PoolSourceEditor::changed);
        editor.applyPreset(preset);
        QVERIFY(changed.count() >= 1);
        QCOMPARE(editor.kindCombo()->currentData().toString(), kind);
        QCOMPARE(editor.urlEdit()->text(), url);
        QCOMPARE(editor.keyEdit(PoolSourceEditor::InUse)->text(), inUse);
        QCOMPARE(editor.keyEdit(PoolSourceEditor::Waiting)->text(), waiting);
        const PoolSpec spec = editor.spec();
        QCOMPARE(spec.kind, kind);
        QCOMPARE(spec.url, url);
        const std::map<QString, QString> &names = kind == QLatin1String("json") ? spec.pointers : spec.metrics;
        QCOMPARE(names.at(QStringLiteral("in_use")), inUse);
        QCOMPARE(int(names.size()), 4);
    }

    void aPresetKeepsATypedUrl()
    {
        PoolSourceEditor editor;
        editor.setSpec(jsonSpec(QStringLiteral("/internal/pool")));
        editor.applyPreset(QStringLiteral("sqlalchemy"));
        QCOMPARE(editor.spec().url, QStringLiteral("/internal/pool"));
    }

    void specRoundTripsAndEachKindKeepsItsNames()
    {
        PoolSourceEditor editor;
        PoolSpec in = jsonSpec(QStringLiteral("/status"), {{QStringLiteral("in_use"), QStringLiteral("/db/busy")},
                                                           {QStringLiteral("max"), QStringLiteral("/db/size")}});
        in.metrics = {{QStringLiteral("in_use"), QStringLiteral("app_pool_busy")}};
        QSignalSpy changed(&editor, &PoolSourceEditor::changed);
        editor.setSpec(in);
        QCOMPARE(changed.count(), 0); // loading is not an edit
        QCOMPARE(editor.keyEdit(PoolSourceEditor::InUse)->text(), QStringLiteral("/db/busy"));
        QCOMPARE(editor.keyEdit(PoolSourceEditor::Idle)->text(), QString());
        QCOMPARE(editor.keyEdit(PoolSourceEditor::Idle)->placeholderText(), QStringLiteral("/pool/checked_in"));
        PoolSpec out = editor.spec();
        QCOMPARE(out.pointers, in.pointers);
        QCOMPARE(out.metrics, in.metrics);

        // To Prometheus and back: each kind's names survive the switch.
        QComboBox *kind = editor.kindCombo();
        kind->setCurrentIndex(kind->findData(QStringLiteral("prometheus")));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(editor.keyEdit(PoolSourceEditor::InUse)->text(), QStringLiteral("app_pool_busy"));
        QCOMPARE(editor.keyEdit(PoolSourceEditor::Max)->placeholderText(), QStringLiteral("hikaricp_connections_max"));
        kind->setCurrentIndex(kind->findData(QStringLiteral("json")));
        out = editor.spec();
        QCOMPARE(out.pointers, in.pointers);
        QCOMPARE(out.metrics, in.metrics);

        // None: an empty spec, and nothing to test.
        kind->setCurrentIndex(kind->findData(QString()));
        QVERIFY(editor.spec().kind.isEmpty());
        QVERIFY(!editor.testButton()->isEnabled());
        QVERIFY(!editor.urlEdit()->isEnabled());
    }

    void liveProbe_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QStringList>("names"); // in_use, idle, max, waiting; empty: the kind's default preset
        QTest::addColumn<QString>("shown");
        QTest::newRow("SQLAlchemy-style JSON, default pointers")
            << QStringLiteral("json")
            << QByteArray(R"({"status":"ok","pool":{"checked_out":3,"checked_in":5,"max":10,"waiting":1}})")
            << QStringLiteral("/pool/status") << QStringList()
            << QStringLiteral("in use 3 · idle 5 · max 10 · waiting 1");
        QTest::newRow("own pointers, one absent")
            << QStringLiteral("json") << QByteArray(R"({"db":{"busy":7,"free":1,"size":8}})")
            << QStringLiteral("health")
            << QStringList{QStringLiteral("/db/busy"), QStringLiteral("/db/free"), QStringLiteral("/db/size"),
                           QStringLiteral("/db/queue")}
            << QStringLiteral("in use 7 · idle 1 · max 8 · waiting – (not found: /db/queue)");
        QTest::newRow("Prometheus, HikariCP names summed over pools")
            << QStringLiteral("prometheus")
            << QByteArray("# HELP hikaricp_connections_active Active connections\n"
                          "hikaricp_connections_active{pool=\"a\"} 2\nhikaricp_connections_active{pool=\"b\"} 3\n"
                          "hikaricp_connections_idle{pool=\"a\"} 4\nhikaricp_connections_max{pool=\"a\"} 10\n"
                          "hikaricp_connections_pending{pool=\"a\"} 0\n")
            << QStringLiteral("/actuator/prometheus") << QStringList()
            << QStringLiteral("in use 5 · idle 4 · max 10 · waiting 0");
    }
    void liveProbe()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, body);
        QFETCH(QString, url);
        QFETCH(QStringList, names);
        QFETCH(QString, shown);
        const auto server = startServer(serving(body.toStdString()));
        PoolSourceEditor editor;
        editor.setTargetProvider([&server] { return targetAt(server->baseUrl()); });
        PoolSpec spec;
        spec.kind = kind;
        spec.url = url;
        static const QStringList keys{QStringLiteral("in_use"), QStringLiteral("idle"), QStringLiteral("max"),
                                      QStringLiteral("waiting")};
        for (int k = 0; k < names.size(); ++k)
            (kind == QLatin1String("json") ? spec.pointers : spec.metrics)[keys[k]] = names[k];
        editor.setSpec(spec);
        editor.show();
        pressTest(editor);
        QCOMPARE(editor.testResultText(), shown);
        // The request went where the URL says, relative to the base URL, and nowhere else.
        QCOMPARE(server->requestsSeen(), uint64_t(1));
        const QString path = url.startsWith(QLatin1Char('/')) ? url : QLatin1Char('/') + url;
        QCOMPARE(QString::fromStdString(server->paths().at(0)), path);
        QVERIFY(QApplication::activeModalWidget() == nullptr);
    }

    void anAbsoluteUrlIsReadAsIs()
    {
        const auto server = startServer(serving(R"({"pool":{"checked_out":1,"checked_in":1,"max":2,"waiting":0}})"));
        PoolSourceEditor editor;
        // The target's base URL is unusable; an absolute pool URL does not need it.
        editor.setTargetProvider([] { return targetAt(""); });
        editor.setSpec(jsonSpec(QString::fromStdString(server->baseUrl()) + QStringLiteral("/metrics/pool")));
        pressTest(editor);
        QCOMPARE(editor.testResultText(), QStringLiteral("in use 1 · idle 1 · max 2 · waiting 0"));
        QCOMPARE(server->paths().at(0), std::string("/metrics/pool"));
    }

    void brokenSourcesShowAnInlineErrorNamingTheFix_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("mustContain");
        QTest::newRow("missing endpoint (404)")
            << QStringLiteral("404") << QStringLiteral("json")
            << QStringList{QStringLiteral("answered HTTP 404"), QStringLiteral("check the pool URL")};
        QTest::newRow("not JSON") << QStringLiteral("html") << QStringLiteral("json")
                                  << QStringList{QStringLiteral("did not answer JSON"),
                                                 QStringLiteral("point the URL at the document that reports the pool")};
        QTest::newRow("JSON without pool figures")
            << QStringLiteral("other-json") << QStringLiteral("json")
            << QStringList{QStringLiteral("has none of"), QStringLiteral("/pool/checked_out"),
                           QStringLiteral("JSON pointers")};
        QTest::newRow("no such metrics") << QStringLiteral("html") << QStringLiteral("prometheus")
                                         << QStringList{QStringLiteral("exposes none of"),
                                                        QStringLiteral("hikaricp_connections_active"),
                                                        QStringLiteral("set the metric names")};
        QTest::newRow("nothing listens") << QStringLiteral("refused") << QStringLiteral("json")
                                         << QStringList{QStringLiteral("connection refused"),
                                                        QStringLiteral(
                                                            "check the pool URL and that the application is running")};
        QTest::newRow("relative URL, no base URL")
            << QStringLiteral("no-base") << QStringLiteral("json")
            << QStringList{QStringLiteral("base URL is not usable"), QStringLiteral("set the target's base URL")};
        QTest::newRow("unset ${env:} in the URL")
            << QStringLiteral("env") << QStringLiteral("json")
            << QStringList{QStringLiteral("PREFLIGHT_TST_POOL_UNSET"), QStringLiteral("export it")};
    }
    void brokenSourcesShowAnInlineErrorNamingTheFix()
    {
        QFETCH(QString, what);
        QFETCH(QString, kind);
        QFETCH(QStringList, mustContain);
        TestHttpServer::Config config = serving(what == QLatin1String("html") ? "<html><body>It works!</body></html>"
                                                                              : R"({"status":"ok","uptime_s":12})");
        if (what == QLatin1String("404")) {
            config.error_share = 1;
            config.error_status = 404;
            config.error_body = "Not Found";
        }
        const auto server = startServer(config);
        qunsetenv("PREFLIGHT_TST_POOL_UNSET");
        std::string base = server->baseUrl();
        if (what == QLatin1String("refused"))
            base = "http://127.0.0.1:" + std::to_string(TestHttpServer::refusedPort());
        else if (what == QLatin1String("no-base"))
            base.clear();
        PoolSourceEditor editor;
        editor.setTargetProvider([base] { return targetAt(base); });
        PoolSpec spec;
        spec.kind = kind;
        spec.url = what == QLatin1String("env") ? QStringLiteral("/pool?key=${env:PREFLIGHT_TST_POOL_UNSET}")
                                                : QStringLiteral("/pool");
        editor.setSpec(spec);
        editor.show();
        pressTest(editor);
        const QString text = editor.testResultText();
        for (const QString &s : mustContain)
            QVERIFY2(text.contains(s), qPrintable(text));
        QVERIFY2(!text.contains(QLatin1String("in use")), qPrintable(text));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
    }

    void anEditDropsTheAnswerOfTheOldSettings()
    {
        // A server that never answers: the probe's answer (a timeout) can only come after the edit below.
        TestHttpServer::Config config;
        config.mode = TestHttpServer::Mode::NeverAnswer;
        const auto server = startServer(config);
        PoolSourceEditor editor;
        editor.setTargetProvider([&server] {
            TargetSpec t = targetAt(server->baseUrl());
            t.timeout_ms = 1000;
            return t;
        });
        editor.setSpec(jsonSpec(QStringLiteral("/health")));
        editor.show();
        QSignalSpy changed(&editor, &PoolSourceEditor::changed);
        editor.test();
        QCOMPARE(editor.testButton()->text(), QStringLiteral("Testing…"));
        QVERIFY(!editor.testButton()->isEnabled());
        QVERIFY(editor.testResultText().startsWith(QLatin1String("Reading /health")));
        QTest::keyClicks(editor.urlEdit(), QStringLiteral("z"));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(editor.testResultText(), QString());
        QTRY_COMPARE_WITH_TIMEOUT(editor.testButton()->text(), QStringLiteral("Test"), kTimeout_ms);
        QVERIFY(editor.testButton()->isEnabled());
        QCOMPARE(editor.testResultText(), QString()); // the timeout of /health is not shown for /healthz
    }

    void lockedDuringARun()
    {
        PoolSourceEditor editor;
        editor.setSpec(jsonSpec(QStringLiteral("/health")));
        editor.setEnabledForRun(false);
        QVERIFY(!editor.kindCombo()->isEnabled());
        QVERIFY(!editor.urlEdit()->isEnabled());
        QVERIFY(!editor.keyEdit(PoolSourceEditor::Max)->isEnabled());
        QVERIFY(editor.testButton()->isEnabled()); // reading the pool during a run is harmless
        editor.setEnabledForRun(true);
        QVERIFY(editor.urlEdit()->isEnabled());
    }

    void everyControlIsNamed()
    {
        PoolSourceEditor editor;
        QCOMPARE(UiWiring::unnamedControls(&editor), QList<QWidget *>());
    }
};

QTEST_MAIN(TestPoolSourceEditor)
#include "tst_poolsourceeditor.moc"
