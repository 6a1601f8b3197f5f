// SecretResolver: `${env:NAME}` from the environment and `${keychain:NAME}` from the session table the GUI fills,
// what is missing and how to fix it, where a plan uses keychain placeholders, and that session secrets are masked
// wherever text may echo them (the scrubber the run store uses included).
#include "plan/plan.h"
#include "plan/secretresolver.h"
#include "store/secretscrubber.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Preflight;

namespace {

// Environment variable names no other test (or the machine) uses.
const char *const kEnvSet = "PREFLIGHT_TST_SECRETRESOLVER_SET";
const char *const kEnvUnset = "PREFLIGHT_TST_SECRETRESOLVER_UNSET";

} // namespace

class TestSecretResolver : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qputenv(kEnvSet, "env-value-1");
        qunsetenv(kEnvUnset);
    }

    void init()
    {
        SecretResolver::clearSessionSecrets();
        SecretResolver::setSessionSecret(QStringLiteral("DB_PASSWORD"), QStringLiteral("kc-db-secret"));
        SecretResolver::setSessionSecret(QStringLiteral("EMPTY"), QString());
    }

    void cleanupTestCase() { SecretResolver::clearSessionSecrets(); }

    void resolve_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("resolved");
        QTest::addColumn<QStringList>("missing");
        const QString set = QStringLiteral("${env:%1}").arg(QLatin1String(kEnvSet));
        const QString unset = QStringLiteral("${env:%1}").arg(QLatin1String(kEnvUnset));
        QTest::newRow("no placeholder") << QStringLiteral("host=db user=app") << QStringLiteral("host=db user=app")
                                        << QStringList();
        QTest::newRow("env") << QStringLiteral("Bearer ") + set << QStringLiteral("Bearer env-value-1")
                             << QStringList();
        QTest::newRow("keychain") << QStringLiteral("user=app password=${keychain:DB_PASSWORD} host=db")
                                  << QStringLiteral("user=app password=kc-db-secret host=db") << QStringList();
        QTest::newRow("empty keychain value is a value")
            << QStringLiteral("[${keychain:EMPTY}]") << QStringLiteral("[]") << QStringList();
        QTest::newRow("missing env") << QStringLiteral("x=") + unset << QStringLiteral("x=") << QStringList{unset};
        QTest::newRow("missing keychain") << QStringLiteral("p=${keychain:NOT_STORED};") << QStringLiteral("p=;")
                                          << QStringList{QStringLiteral("${keychain:NOT_STORED}")};
        QTest::newRow("mixed, each missing one listed once, as spelled")
            << QStringLiteral("%1 ${keychain:NOPE} %2 ${keychain:DB_PASSWORD} ${keychain:NOPE} %1").arg(unset, set)
            << QStringLiteral("  env-value-1 kc-db-secret  ") << QStringList{unset, QStringLiteral("${keychain:NOPE}")};
        QTest::newRow("not a placeholder kind")
            << QStringLiteral("${vault:X} ${keychain:}") << QStringLiteral("${vault:X} ${keychain:}") << QStringList();
    }
    void resolve()
    {
        QFETCH(QString, text);
        QFETCH(QString, resolved);
        QFETCH(QStringList, missing);
        QStringList gotMissing;
        QCOMPARE(SecretResolver::resolve(text, &gotMissing), resolved);
        QCOMPARE(gotMissing, missing);
        QCOMPARE(SecretResolver::resolve(text), resolved); // *missing is optional
    }

    void describeMissing_data()
    {
        QTest::addColumn<QStringList>("missing");
        QTest::addColumn<QStringList>("mustContain");
        QTest::addColumn<QStringList>("mustNotContain");
        QTest::newRow("none") << QStringList() << QStringList() << QStringList();
        QTest::newRow("env: export it") << QStringList{QStringLiteral("${env:API_TOKEN}")}
                                        << QStringList{QStringLiteral("the database conninfo uses ${env:API_TOKEN}"),
                                                       QStringLiteral("not set"), QStringLiteral("export it")}
                                        << QStringList{QStringLiteral("keychain")};
        QTest::newRow("keychain: the GUI, or ${env:} in CI")
            << QStringList{QStringLiteral("${keychain:DB_PASSWORD}")}
            << QStringList{QStringLiteral("the database conninfo reads DB_PASSWORD from the OS keychain"),
                           QStringLiteral("GUI"), QStringLiteral("${env:DB_PASSWORD}")}
            << QStringList{QStringLiteral("export it")};
        QTest::newRow("both kinds, every name")
            << QStringList{QStringLiteral("${env:A}"), QStringLiteral("${keychain:B}"), QStringLiteral("${keychain:C}")}
            << QStringList{QStringLiteral("${env:A}"), QStringLiteral("export it"), QStringLiteral("B, C"),
                           QStringLiteral("${env:B}"), QStringLiteral("${env:C}")}
            << QStringList();
    }
    void describeMissing()
    {
        QFETCH(QStringList, missing);
        QFETCH(QStringList, mustContain);
        QFETCH(QStringList, mustNotContain);
        const QString text = SecretResolver::describeMissing(missing, QStringLiteral("the database conninfo"));
        QCOMPARE(text.isEmpty(), missing.isEmpty());
        for (const QString &s : mustContain)
            QVERIFY2(text.contains(s), qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(text, s)));
        for (const QString &s : mustNotContain)
            QVERIFY2(!text.contains(s), qPrintable(QStringLiteral("\"%1\" has \"%2\"").arg(text, s)));
    }

    void describeMissingReadsWhatResolveReports()
    {
        QStringList missing;
        SecretResolver::resolve(QStringLiteral("${keychain:LOGIN_PW} ${env:%1}").arg(QLatin1String(kEnvUnset)),
                                &missing);
        const QString text = SecretResolver::describeMissing(missing);
        QVERIFY2(text.startsWith(QLatin1String("the plan")), qPrintable(text));
        QVERIFY(text.contains(QLatin1String(kEnvUnset)));
        QVERIFY(text.contains(QLatin1String("LOGIN_PW")));
    }

    void keychainNamesInText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("none") << QStringLiteral("host=db password=${env:PW}") << QStringList();
        QTest::newRow("in order, once") << QStringLiteral("${keychain:B} ${keychain:A} ${keychain:B}")
                                        << QStringList{QStringLiteral("B"), QStringLiteral("A")};
        QTest::newRow("invalid name ignored")
            << QStringLiteral("${keychain:1X} ${keychain:_ok}") << QStringList{QStringLiteral("_ok")};
    }
    void keychainNamesInText()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, names);
        QCOMPARE(SecretResolver::keychainNames(text), names);
    }

    void keychainNamesInPlan_data()
    {
        QTest::addColumn<QString>("where");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("nowhere") << QString() << QStringList();
        QTest::newRow("conninfo") << QStringLiteral("conninfo") << QStringList{QStringLiteral("DB_PW")};
        QTest::newRow("common header") << QStringLiteral("header") << QStringList{QStringLiteral("API_TOKEN")};
        QTest::newRow("login body") << QStringLiteral("login") << QStringList{QStringLiteral("LOGIN_PW")};
        QTest::newRow("endpoint header") << QStringLiteral("endpoint") << QStringList{QStringLiteral("EP_KEY")};
        QTest::newRow("pool URL") << QStringLiteral("pool") << QStringList{QStringLiteral("POOL_PW")};
        QTest::newRow("all, each once") << QStringLiteral("all")
                                        << QStringList{QStringLiteral("API_TOKEN"), QStringLiteral("DB_PW"),
                                                       QStringLiteral("EP_KEY"), QStringLiteral("LOGIN_PW"),
                                                       QStringLiteral("POOL_PW")};
    }
    void keychainNamesInPlan()
    {
        QFETCH(QString, where);
        QFETCH(QStringList, names);
        const bool all = where == QLatin1String("all");
        Plan plan;
        plan.target.base_url = QStringLiteral("http://127.0.0.1:8000");
        plan.database.conninfo = QStringLiteral("host=127.0.0.1 user=app password=${env:NOT_KEYCHAIN}");
        EndpointSpec e;
        e.path = QStringLiteral("/items");
        if (all || where == QLatin1String("conninfo"))
            plan.database.conninfo = QStringLiteral("host=127.0.0.1 user=app password=${keychain:DB_PW}");
        if (all || where == QLatin1String("header"))
            plan.target.headers[QStringLiteral("X-Api-Key")] = QStringLiteral("Token ${keychain:API_TOKEN}");
        if (all || where == QLatin1String("login")) {
            plan.target.login.enabled = true;
            plan.target.login.path = QStringLiteral("/login");
            plan.target.login.json =
                QJsonObject{{QStringLiteral("user"), QStringLiteral("admin")},
                            {QStringLiteral("auth"),
                             QJsonObject{{QStringLiteral("password"), QStringLiteral("${keychain:LOGIN_PW}")}}}};
        }
        if (all || where == QLatin1String("endpoint"))
            e.headers[QStringLiteral("X-Key")] = QStringLiteral("${keychain:EP_KEY}");
        if (all || where == QLatin1String("pool")) {
            plan.pool.kind = QStringLiteral("json");
            plan.pool.url = QStringLiteral("http://ops:${keychain:POOL_PW}@127.0.0.1:9000/pool");
        }
        if (all) // the same name again elsewhere is listed once
            plan.health_path = QStringLiteral("/health?key=${keychain:API_TOKEN}");
        plan.endpoints.push_back(e);
        // The order over a whole plan is not part of the contract (sorted here); each name once is.
        QStringList got = SecretResolver::keychainNames(plan);
        got.sort();
        QCOMPARE(got, names);
    }

    void redactSessionSecrets_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("redacted");
        QTest::newRow("3 characters are masked") << QStringLiteral("SHORT") << QStringLiteral("abc")
                                                 << QStringLiteral("x abc y abc") << QStringLiteral("x *** y ***");
        QTest::newRow("2 characters are left alone")
            << QStringLiteral("TINY") << QStringLiteral("ab") << QStringLiteral("x ab y") << QStringLiteral("x ab y");
        QTest::newRow("echoed in an error body") << QStringLiteral("API") << QStringLiteral("s3cr3t-Token")
                                                 << QStringLiteral("401: invalid token s3cr3t-Token for user")
                                                 << QStringLiteral("401: invalid token *** for user");
        // Secret values that contain one another: the longer is masked whole, no tail of it stays readable.
        QTest::newRow("one secret inside another")
            << QStringLiteral("A_PREFIX") << QStringLiteral("pass")
            << QStringLiteral("login failed for password123 (pass)") << QStringLiteral("login failed for *** (***)");
    }
    void redactSessionSecrets()
    {
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, text);
        QFETCH(QString, redacted);
        SecretResolver::clearSessionSecrets();
        SecretResolver::setSessionSecret(name, value);
        SecretResolver::setSessionSecret(QStringLiteral("Z_LONGER"), QStringLiteral("password123"));
        QCOMPARE(SecretResolver::redactSessionSecrets(text), redacted);
    }

    void redactMasksTheLongerOfTwoPlaceholderValues()
    {
        SecretResolver::setSessionSecret(QStringLiteral("A"), QStringLiteral("pass"));
        SecretResolver::setSessionSecret(QStringLiteral("B"), QStringLiteral("password123"));
        QCOMPARE(
            SecretResolver::redact(QStringLiteral("echo: password123"), QStringLiteral("${keychain:A} ${keychain:B}")),
            QStringLiteral("echo: ***"));
    }

    void clearSessionSecretsEmptiesTheTable()
    {
        QVERIFY(SecretResolver::hasSessionSecret(QStringLiteral("DB_PASSWORD")));
        SecretResolver::clearSessionSecrets();
        QVERIFY(!SecretResolver::hasSessionSecret(QStringLiteral("DB_PASSWORD")));
        QVERIFY(!SecretResolver::hasSessionSecret(QStringLiteral("EMPTY")));
        QStringList missing;
        QCOMPARE(SecretResolver::resolve(QStringLiteral("pw=${keychain:DB_PASSWORD}"), &missing),
                 QStringLiteral("pw="));
        QCOMPARE(missing, QStringList{QStringLiteral("${keychain:DB_PASSWORD}")});
        QCOMPARE(SecretResolver::redactSessionSecrets(QStringLiteral("kc-db-secret")), QStringLiteral("kc-db-secret"));
    }

    void scrubberMasksASessionSecretEchoedInText_data()
    {
        QTest::addColumn<QString>("conninfo");
        QTest::newRow("named by the plan") << QStringLiteral("host=127.0.0.1 password=${keychain:DB_PASSWORD}");
        // A secret of an earlier plan of the same session: still masked.
        QTest::newRow("not named by the plan") << QStringLiteral("host=127.0.0.1 user=app");
    }
    void scrubberMasksASessionSecretEchoedInText()
    {
        QFETCH(QString, conninfo);
        Plan plan;
        plan.database.conninfo = conninfo;
        const QString echoed =
            QStringLiteral("FATAL: role \"kc-db-secret\" does not exist; body was {\"p\":\"kc-db-secret\"}");
        const QString scrubbed = SecretScrubber::text(echoed, plan);
        QVERIFY2(!scrubbed.contains(QLatin1String("kc-db-secret")), qPrintable(scrubbed));
        QCOMPARE(scrubbed.count(QLatin1String("***")), 2);
        QVERIFY(scrubbed.startsWith(QLatin1String("FATAL: role")));
        // The plan as stored keeps the placeholder, never the value.
        const QString stored = QString::fromUtf8(QJsonDocument(SecretScrubber::plan(plan)).toJson());
        QVERIFY(!stored.contains(QLatin1String("kc-db-secret")));
    }
};

QTEST_GUILESS_MAIN(TestSecretResolver)
#include "tst_secretresolver.moc"
