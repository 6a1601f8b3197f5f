// One secrets module (core/plan/secrets.h): one rule for what a secret name is, one place for the conninfo
// password patterns, and every user of them agreeing.
#include "load/failuresampler.h"
#include "plan/planparser.h"
#include "plan/secrets.h"
#include "store/secretscrubber.h"

#include <QJsonObject>
#include <QTest>

using namespace Preflight;

class TestSecrets : public QObject
{
    Q_OBJECT
private slots:
    void secretNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("secret");
        for (const char *name : {"Authorization", "Proxy-Authorization",
                                 "authorisation", "Cookie",
                                 "Set-Cookie",    "X-Api-Key",
                                 "api_key",       "apikey",
                                 "X-Auth-Token",  "access_token",
                                 "password",      "db_passwd",
                                 "client_secret", "sessionId",
                                 "session_id",    "X-CSRF-Token",
                                 "jwt",           "signature",
                                 "private_key",   "credentials",
                                 "otp",           "key"})
            QTest::newRow(name) << QString::fromLatin1(name) << true;
        for (const char *name :
             {"Accept", "Content-Type", "author", "authors", "X-Request-Id", "authenticationType", "tokenExpiresAt",
              "privateKeyId", "sessionTimeout", "User-Agent", "monkey_name", "page", "id"})
            QTest::newRow(name) << QString::fromLatin1(name) << false;
    }
    void secretNames()
    {
        QFETCH(QString, name);
        QFETCH(bool, secret);
        QCOMPARE(Secrets::isSecretName(name), secret);
        QCOMPARE(Secrets::isSecretName(name.toStdString()), secret);
    }

    // The run store and the failure sampler hide what the rule names, and only that.
    void everyUserAgrees_data() { secretNames_data(); }
    void everyUserAgrees()
    {
        QFETCH(QString, name);
        QFETCH(bool, secret);
        Plan plan;
        plan.target.base_url = QStringLiteral("http://127.0.0.1:9");
        plan.target.headers[name] = QStringLiteral("literal-value-123");
        const QJsonObject stored = SecretScrubber::plan(plan);
        const QString storedValue =
            stored[QStringLiteral("target")].toObject()[QStringLiteral("headers")].toObject()[name].toString();
        QCOMPARE(storedValue == QLatin1String("***"), secret);
        const auto masked =
            FailureSampler::secretHeaderValues({name.toStdString() + ": literal-value-123", "Accept: */*"});
        QCOMPARE(!masked.empty(), secret);
    }

    void redactConninfo_data()
    {
        QTest::addColumn<QString>("conninfo");
        QTest::addColumn<QString>("redacted");
        QTest::newRow("key=value") << QStringLiteral("host=db user=app password=s3cret dbname=shop")
                                   << QStringLiteral("host=db user=app password=*** dbname=shop");
        QTest::newRow("quoted") << QStringLiteral("password = 'a b\\' c' host=db")
                                << QStringLiteral("password = *** host=db");
        QTest::newRow("URI user:password") << QStringLiteral("postgresql://app:s3cret@db:5432/shop")
                                           << QStringLiteral("postgresql://app:***@db:5432/shop");
        QTest::newRow("URI query") << QStringLiteral("postgres://db/shop?user=app&password=s3cret&sslmode=require")
                                   << QStringLiteral("postgres://db/shop?user=app&password=***&sslmode=require");
        QTest::newRow("no password") << QStringLiteral("service=app_readonly")
                                     << QStringLiteral("service=app_readonly");
        QTest::newRow("in a message") << QStringLiteral("could not connect with \"host=db password=s3cret\"")
                                      << QStringLiteral("could not connect with \"host=db password=***");
    }
    void redactConninfo()
    {
        QFETCH(QString, conninfo);
        QFETCH(QString, redacted);
        QCOMPARE(Secrets::redactConninfo(conninfo), redacted);
        QVERIFY(!SecretScrubber::text(conninfo, QString()).contains(QLatin1String("s3cret")));
    }

    void conninfoWithPassword_data()
    {
        QTest::addColumn<QString>("conninfo");
        QTest::addColumn<QString>("expected");
        const QString p = QStringLiteral("${keychain:db}");
        QTest::newRow("key=value replaced")
            << QStringLiteral("host=db password=old user=app") << QStringLiteral("host=db password=%1 user=app").arg(p);
        QTest::newRow("key=value added") << QStringLiteral("host=db") << QStringLiteral("host=db password=%1").arg(p);
        QTest::newRow("empty") << QString() << QStringLiteral("password=%1").arg(p);
        QTest::newRow("URI user:password") << QStringLiteral("postgresql://app:old@db/shop")
                                           << QStringLiteral("postgresql://app@db/shop?password=%1").arg(p);
        QTest::newRow("URI query") << QStringLiteral("postgresql://db/shop?password=old&sslmode=require")
                                   << QStringLiteral("postgresql://db/shop?password=%1&sslmode=require").arg(p);
    }
    void conninfoWithPassword()
    {
        QFETCH(QString, conninfo);
        QFETCH(QString, expected);
        QCOMPARE(Secrets::conninfoWithPassword(conninfo, QStringLiteral("${keychain:db}")), expected);
    }
};

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
