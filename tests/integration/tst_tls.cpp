// TLS and HTTP versions end to end (docs/transport.md): `preflight run` against nginx on loopback with a
// test CA made at test time. Verification is on by default; --ca-file / target.tls.ca_file trust the test CA;
// an untrusted or misnamed certificate stops the run with exit 3 and the fix; --insecure is recorded and shown;
// client certificates are sent when the plan names them; the protocol spoken and the connections opened are
// recorded per endpoint.
#include "preflightprocess.h"
#include "tlstestserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using PreflightTest::CliResult;
using PreflightTest::runPreflight;
using PreflightTest::TlsTestServer;

class TestTls : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (!m_server.start()) {
            if (qEnvironmentVariableIsSet("PREFLIGHT_REQUIRE_POSTGRES"))
                QFAIL(qPrintable(m_server.error())); // CI installs nginx (tests/corpus/packages.txt)
            QSKIP(qPrintable(m_server.error()));
        }
    }

    void verificationIsOnByDefault_data()
    {
        QTest::addColumn<bool>("wrongHost");
        QTest::addColumn<QString>("expected");
        QTest::newRow("self-signed") << false << QStringLiteral("TLS: certificate not trusted");
        QTest::newRow("wrong host name") << true << QStringLiteral("is not for this host name");
    }
    void verificationIsOnByDefault()
    {
        QFETCH(bool, wrongHost);
        QFETCH(QString, expected);
        QStringList args{QStringLiteral("--target"),
                         TlsTestServer::url("https", wrongHost ? m_server.wrongHostPort() : m_server.selfSignedPort())};
        if (wrongHost) // the chain is trusted; only the name is wrong
            args << QStringLiteral("--ca-file") << m_server.caFile();
        const CliResult r = run(args);
        QVERIFY2(r.exitCode == 3, qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("--insecure")), qPrintable(r.err));
        if (!wrongHost)
            QVERIFY2(r.err.contains(QStringLiteral("--ca-file FILE")), qPrintable(r.err));
    }

    // Trusted through --ca-file: HTTP/2 by ALPN (libcurl's default on https), one connection per user, each
    // kept alive for all of that user's requests (one TLS handshake per connection).
    void caFileTrustsTheTestCa()
    {
        const QJsonObject summary =
            runOk({QStringLiteral("--target"), TlsTestServer::url("https", m_server.trustedPort()),
                   QStringLiteral("--ca-file"), m_server.caFile(), QStringLiteral("--users"), QStringLiteral("2")});
        const QJsonObject endpoint = summary[QStringLiteral("endpoints")].toArray().first().toObject();
        QCOMPARE(endpoint[QStringLiteral("protocol")].toString(), QStringLiteral("HTTP/2"));
        QCOMPARE(endpoint[QStringLiteral("connections_opened")].toInt(), 2);
        QVERIFY(endpoint[QStringLiteral("requests")].toDouble() > 10);
        QCOMPARE(summary[QStringLiteral("run")].toObject()[QStringLiteral("tls_insecure")].toBool(), false);
    }

    void planCaFileTrustsTheTestCa()
    {
        const QString plan =
            writePlan(QStringLiteral(R"({"base_url":"%1","tls":{"ca_file":"%2"}})")
                          .arg(TlsTestServer::url("https", m_server.trustedPort()), m_server.caFile()));
        const QJsonObject summary = runOk({plan});
        QCOMPARE(summary[QStringLiteral("totals")].toObject()[QStringLiteral("errors")].toDouble(), 0.0);
    }

    void insecureIsRecordedAndShown()
    {
        const QString report = m_dir.filePath(QStringLiteral("insecure.html"));
        CliResult r;
        const QJsonObject summary =
            runOk({QStringLiteral("--target"), TlsTestServer::url("https", m_server.selfSignedPort()),
                   QStringLiteral("--insecure"), QStringLiteral("--report"), report},
                  &r);
        QCOMPARE(summary[QStringLiteral("run")].toObject()[QStringLiteral("tls_insecure")].toBool(), true);
        QVERIFY2(r.out.contains(QStringLiteral("TLS NOT VERIFIED")), qPrintable(r.out));
        QFile html(report);
        QVERIFY(html.open(QIODevice::ReadOnly));
        QVERIFY(
            QString::fromUtf8(html.readAll()).contains(QStringLiteral("TLS certificate verification was turned OFF")));
    }

    void httpVersionIsWhatWasAsked_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("spoken");
        QTest::newRow("1.1 over TLS") << QStringLiteral("https") << QStringLiteral("1.1") << QStringLiteral("HTTP/1.1");
        QTest::newRow("2 over TLS") << QStringLiteral("https") << QStringLiteral("2") << QStringLiteral("HTTP/2");
        QTest::newRow("h2c prior knowledge")
            << QStringLiteral("http") << QStringLiteral("2-prior-knowledge") << QStringLiteral("HTTP/2");
    }
    void httpVersionIsWhatWasAsked()
    {
        QFETCH(QString, scheme);
        QFETCH(QString, version);
        QFETCH(QString, spoken);
        const int port = scheme == QLatin1String("http") ? m_server.h2cPort() : m_server.trustedPort();
        const QJsonObject summary =
            runOk({QStringLiteral("--target"), TlsTestServer::url(qPrintable(scheme), port),
                   QStringLiteral("--ca-file"), m_server.caFile(), QStringLiteral("--http"), version});
        const QJsonObject endpoint = summary[QStringLiteral("endpoints")].toArray().first().toObject();
        QCOMPARE(endpoint[QStringLiteral("protocol")].toString(), spoken);
        QCOMPARE(summary[QStringLiteral("run")].toObject()[QStringLiteral("http_version")].toString(), version);
    }

    // Connections vs streams: without target.multiplex every user has its own connection, HTTP/2 or not;
    // with it, users share connections as streams.
    void multiplexingIsAskedFor_data()
    {
        QTest::addColumn<int>("multiplex");
        QTest::newRow("one connection per user") << 0;
        QTest::newRow("8 streams per connection") << 8;
    }
    void multiplexingIsAskedFor()
    {
        QFETCH(int, multiplex);
        const QString plan = writePlan(QStringLiteral(R"({"base_url":"%1","tls":{"ca_file":"%2"},"http_version":"2",)"
                                                      R"("multiplex":%3})")
                                           .arg(TlsTestServer::url("https", m_server.trustedPort()), m_server.caFile())
                                           .arg(multiplex));
        const QJsonObject summary = runOk(
            {plan, QStringLiteral("--users"), QStringLiteral("8"), QStringLiteral("--workers"), QStringLiteral("1")});
        const QJsonObject endpoint = summary[QStringLiteral("endpoints")].toArray().first().toObject();
        const int connections = endpoint[QStringLiteral("connections_opened")].toInt();
        if (multiplex == 0)
            QCOMPARE(connections, 8);
        else
            QVERIFY2(connections >= 1 && connections < 8, qPrintable(QString::number(connections)));
    }

    void clientCertificateWhenThePlanNamesIt_data()
    {
        QTest::addColumn<bool>("withCertificate");
        QTest::addColumn<QString>("status");
        QTest::newRow("with") << true << QStringLiteral("200");
        QTest::newRow("without") << false << QStringLiteral("400"); // nginx: "No required SSL certificate was sent"
    }
    void clientCertificateWhenThePlanNamesIt()
    {
        QFETCH(bool, withCertificate);
        QFETCH(QString, status);
        const QString tls = withCertificate
                                ? QStringLiteral(R"("ca_file":"%1","cert_file":"%2","key_file":"%3")")
                                      .arg(m_server.caFile(), m_server.clientCertFile(), m_server.clientKeyFile())
                                : QStringLiteral(R"("ca_file":"%1")").arg(m_server.caFile());
        const QString plan = writePlan(QStringLiteral(R"({"base_url":"%1","tls":{%2}})")
                                           .arg(TlsTestServer::url("https", m_server.clientCertPort()), tls));
        const QJsonObject summary = runOk({plan});
        const QJsonObject statuses = summary[QStringLiteral("endpoints")]
                                         .toArray()
                                         .first()
                                         .toObject()[QStringLiteral("status_counts")]
                                         .toObject();
        QCOMPARE(statuses.keys(), QStringList{status});
    }

private:
    CliResult run(QStringList args)
    {
        const QString store = m_dir.filePath(QStringLiteral("store-%1.sqlite").arg(++m_runs));
        args.prepend(QStringLiteral("run"));
        args << QStringLiteral("--scenario") << QStringLiteral("sustain") << QStringLiteral("--duration")
             << QStringLiteral("1") << QStringLiteral("--store") << store;
        if (!args.contains(QStringLiteral("--users")))
            args << QStringLiteral("--users") << QStringLiteral("1");
        return runPreflight(args);
    }

    QJsonObject runOk(QStringList args, CliResult *result = nullptr)
    {
        const QString json = m_dir.filePath(QStringLiteral("summary-%1.json").arg(m_runs + 1));
        args << QStringLiteral("--json") << json;
        const CliResult r = run(args);
        if (result)
            *result = r;
        if (r.exitCode != 0)
            qWarning("exit %d: %s\n%s", r.exitCode, qPrintable(r.err), qPrintable(r.out));
        QFile f(json);
        if (r.exitCode != 0 || !f.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(f.readAll()).object();
    }

    QString writePlan(const QString &target)
    {
        const QString path = m_dir.filePath(QStringLiteral("plan-%1.json").arg(m_runs + 1));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(QStringLiteral(R"({"target":%1,"endpoints":[{"name":"root","method":"GET","path":"/"}]})")
                    .arg(target)
                    .toUtf8());
        return path;
    }

    QTemporaryDir m_dir;
    TlsTestServer m_server;
    int m_runs = 0;
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
