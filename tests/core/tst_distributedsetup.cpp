// DistributedSetup: the one set of rules that turns `preflight run --agents …` flags or the GUI's agents fields into
// DistributedOptions (docs/distributed.md). Each wrong field is named as its face names it, with the fix, and never
// with the token.
#include "agentcredentials.h"
#include "distributed/distributedsetup.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace Preflight;
using Field = DistributedSetup::Field;
using PreflightTest::AgentCredentials;

Q_DECLARE_METATYPE(Preflight::DistributedSetup::Field)

class TestDistributedSetup : public QObject
{
    Q_OBJECT
private:
    AgentCredentials m_credentials;

    // The table names files by role; these are the real paths.
    QString file(const QString &role) const
    {
        if (role == QLatin1String("CERT"))
            return m_credentials.certFile();
        if (role == QLatin1String("KEY"))
            return m_credentials.keyFile();
        if (role == QLatin1String("TOKEN"))
            return m_credentials.tokenFile();
        if (role.isEmpty())
            return QString();
        return m_credentials.path(role.toLower());
    }

    DistributedSetup valid() const
    {
        DistributedSetup setup;
        setup.agents = QStringLiteral("3");
        setup.certFile = file(QStringLiteral("CERT"));
        setup.keyFile = file(QStringLiteral("KEY"));
        setup.tokenFile = file(QStringLiteral("TOKEN"));
        return setup;
    }

private slots:
    void initTestCase()
    {
        qunsetenv("PREFLIGHT_AGENT_TOKEN");
        QVERIFY2(m_credentials.make(), qPrintable(m_credentials.error()));
        for (const auto &[name, text] : {std::pair{QStringLiteral("short"), QByteArray("abc123\n")},
                                         std::pair{QStringLiteral("blank"), QByteArray(" \n")}}) {
            QFile f(m_credentials.path(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text);
        }
    }

    void validFlagsGiveTheOptions()
    {
        DistributedSetup setup = valid();
        setup.listen = QStringLiteral("[::1]:7544");
        setup.wait_s = QStringLiteral("2.5");
        DistributedSetup::Problem problem;
        const std::optional<DistributedOptions> options = setup.check(DistributedSetup::FieldNames::flags(), &problem);
        QVERIFY2(options, qPrintable(problem.message));
        QCOMPARE(options->agents, 3);
        QCOMPARE(options->listenHost, QStringLiteral("::1"));
        QCOMPARE(options->port, quint16(7544));
        QCOMPARE(options->readyTimeout_ms, 2500);
        QCOMPARE(options->certFile, m_credentials.certFile());
        QCOMPARE(options->keyFile, m_credentials.keyFile());
        QCOMPARE(options->token, AgentCredentials::token());

        // Left out: the defaults.
        const std::optional<DistributedOptions> defaults =
            valid().check(DistributedSetup::FieldNames::flags(), &problem);
        QVERIFY(defaults);
        QCOMPARE(defaults->listenHost, QStringLiteral("0.0.0.0"));
        QCOMPARE(defaults->port, quint16(7443));
        QCOMPARE(defaults->readyTimeout_ms, 60000);
    }

    void wrongFieldIsNamedWithTheFix_data()
    {
        QTest::addColumn<QString>("agents");
        QTest::addColumn<QString>("listen");
        QTest::addColumn<QString>("wait");
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("token");
        QTest::addColumn<Field>("field");
        QTest::addColumn<QString>("message"); // how the message starts, with the flags as names
        QTest::addColumn<QString>("fix");     // a part of the fix

        const QString cert = QStringLiteral("CERT"), key = QStringLiteral("KEY"), token = QStringLiteral("TOKEN");
        QTest::newRow("no agents") << "0"
                                   << ""
                                   << "" << cert << key << token << Field::Agents
                                   << "--agents 0: expected a whole number from 1 to 1000"
                                   << "1 to 1000";
        QTest::newRow("too many agents") << "1001"
                                         << ""
                                         << "" << cert << key << token << Field::Agents << "--agents 1001: expected"
                                         << "1 to 1000";
        QTest::newRow("agents not a number")
            << "three"
            << ""
            << "" << cert << key << token << Field::Agents << "--agents three: expected"
            << "whole number";
        QTest::newRow("listen without port")
            << "1"
            << "myhost"
            << "" << cert << key << token << Field::Listen << "--listen myhost: expected HOST:PORT"
            << "e.g. 0.0.0.0:7443";
        QTest::newRow("listen port 0") << "1"
                                       << "0.0.0.0:0"
                                       << "" << cert << key << token << Field::Listen
                                       << "--listen 0.0.0.0:0: expected HOST:PORT"
                                       << "0.0.0.0:7443";
        QTest::newRow("listen port too big")
            << "1"
            << "0.0.0.0:70000"
            << "" << cert << key << token << Field::Listen << "--listen 0.0.0.0:70000: expected"
            << "HOST:PORT";
        QTest::newRow("listen without host")
            << "1"
            << ":7443"
            << "" << cert << key << token << Field::Listen << "--listen :7443: expected"
            << "HOST:PORT";
        QTest::newRow("no wait") << "1"
                                 << ""
                                 << "0" << cert << key << token << Field::Wait << "--agent-wait 0: expected seconds"
                                 << "at most 3600";
        QTest::newRow("wait too long") << "1"
                                       << ""
                                       << "3601" << cert << key << token << Field::Wait
                                       << "--agent-wait 3601: expected seconds"
                                       << "more than 0";
        QTest::newRow("no certificate") << "1"
                                        << ""
                                        << ""
                                        << "" << key << token << Field::CertFile << "--agent-cert is missing"
                                        << "docs/distributed.md";
        QTest::newRow("no key") << "1"
                                << ""
                                << "" << cert << "" << token << Field::KeyFile << "--agent-key is missing"
                                << "openssl";
        QTest::newRow("certificate not there") << "1"
                                               << ""
                                               << ""
                                               << "MISSING.PEM" << key << token << Field::CertFile << "--agent-cert "
                                               << "check the path";
        QTest::newRow("key not there") << "1"
                                       << ""
                                       << "" << cert << "MISSING.KEY" << token << Field::KeyFile << "--agent-key "
                                       << "check the path";
        QTest::newRow("certificate not PEM") << "1"
                                             << ""
                                             << "" << token << key << token << Field::CertFile << "--agent-cert "
                                             << "no PEM certificate";
        QTest::newRow("key not a key") << "1"
                                       << ""
                                       << "" << cert << cert << token << Field::KeyFile << "--agent-key "
                                       << "no unencrypted PEM RSA or EC key";
        QTest::newRow("no token file") << "1"
                                       << ""
                                       << "" << cert << key << "" << Field::TokenFile << "--agent-token-file is missing"
                                       << "PREFLIGHT_AGENT_TOKEN";
        QTest::newRow("token file not there")
            << "1"
            << ""
            << "" << cert << key << "MISSING" << Field::TokenFile << "--agent-token-file "
            << "cannot read it";
        QTest::newRow("token file blank") << "1"
                                          << ""
                                          << "" << cert << key << "BLANK" << Field::TokenFile << "--agent-token-file "
                                          << "the file is empty";
        QTest::newRow("token too short") << "1"
                                         << ""
                                         << "" << cert << key << "SHORT" << Field::TokenFile << "--agent-token-file "
                                         << "shorter than 16 bytes";
    }

    void wrongFieldIsNamedWithTheFix()
    {
        QFETCH(QString, agents);
        QFETCH(QString, listen);
        QFETCH(QString, wait);
        QFETCH(QString, cert);
        QFETCH(QString, key);
        QFETCH(QString, token);
        QFETCH(Field, field);
        QFETCH(QString, message);
        QFETCH(QString, fix);
        DistributedSetup setup;
        setup.agents = agents;
        setup.listen = listen;
        setup.wait_s = wait;
        setup.certFile = file(cert);
        setup.keyFile = file(key);
        setup.tokenFile = file(token);
        DistributedSetup::Problem problem;
        QVERIFY(!setup.check(DistributedSetup::FieldNames::flags(), &problem));
        QCOMPARE(problem.field, field);
        QVERIFY2(problem.message.startsWith(message), qPrintable(problem.message));
        QVERIFY2(problem.message.contains(fix), qPrintable(problem.message));
        QVERIFY(!problem.message.contains(QLatin1String("abc123")));

        // The GUI's labels name the same field in the same words.
        const DistributedSetup::FieldNames labels{QStringLiteral("Agents"),      QStringLiteral("Listen on"),
                                                  QStringLiteral("Certificate"), QStringLiteral("Key"),
                                                  QStringLiteral("Token file"),  QStringLiteral("Ready wait")};
        DistributedSetup::Problem labelled;
        QVERIFY(!setup.check(labels, &labelled));
        QCOMPARE(labelled.field, field);
        QVERIFY2(!labelled.message.contains(QRegularExpression(QStringLiteral("--[a-z]"))),
                 qPrintable(labelled.message));
        QVERIFY2(labelled.message.contains(fix), qPrintable(labelled.message));
    }

    // PREFLIGHT_AGENT_TOKEN wins over the file, and a short one is named as the variable.
    void environmentTokenWins()
    {
        qputenv("PREFLIGHT_AGENT_TOKEN", "ffffffffffffffffffffffffffffffff");
        DistributedSetup setup = valid();
        setup.tokenFile = file(QStringLiteral("SHORT"));
        DistributedSetup::Problem problem;
        const std::optional<DistributedOptions> options = setup.check(DistributedSetup::FieldNames::flags(), &problem);
        QVERIFY2(options, qPrintable(problem.message));
        QCOMPARE(options->token, QByteArray("ffffffffffffffffffffffffffffffff"));
        qputenv("PREFLIGHT_AGENT_TOKEN", "tiny");
        QVERIFY(!setup.check(DistributedSetup::FieldNames::flags(), &problem));
        QVERIFY2(problem.message.startsWith(QLatin1String("PREFLIGHT_AGENT_TOKEN: ")), qPrintable(problem.message));
        QVERIFY(!problem.message.contains(QLatin1String("tiny")));
        qunsetenv("PREFLIGHT_AGENT_TOKEN");
    }
};

QTEST_GUILESS_MAIN(TestDistributedSetup)
#include "tst_distributedsetup.moc"
