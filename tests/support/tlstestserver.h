#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

class QProcess;

namespace PreflightTest {

// nginx on 127.0.0.1 with certificates made at start() by the openssl CLI: a test CA, a server certificate it
// signed (for 127.0.0.1 and localhost), a client certificate it signed, one certificate for another host name
// and one self-signed. Every location answers 200 "ok". Ports:
//   trusted      TLS + HTTP/2 (ALPN), the CA-signed certificate
//   selfSigned   TLS, a self-signed certificate for 127.0.0.1
//   wrongHost    TLS, a CA-signed certificate for wrong.example only
//   clientCert   TLS, asks for a client certificate signed by the test CA (400 without one)
//   h2c          plain HTTP/2 with prior knowledge (no TLS, no upgrade)
// Needs /usr/sbin/nginx (tests/corpus/packages.txt) and openssl; start() says what is missing.
class TlsTestServer
{
public:
    TlsTestServer();
    ~TlsTestServer();
    TlsTestServer(const TlsTestServer &) = delete;
    TlsTestServer &operator=(const TlsTestServer &) = delete;

    // False with error() when a tool is missing or nginx does not come up.
    bool start();
    QString error() const { return m_error; }

    int trustedPort() const { return m_ports[0]; }
    int selfSignedPort() const { return m_ports[1]; }
    int wrongHostPort() const { return m_ports[2]; }
    int clientCertPort() const { return m_ports[3]; }
    int h2cPort() const { return m_ports[4]; }
    static QString url(const char *scheme, int port);

    QString caFile() const { return m_dir.filePath(QStringLiteral("ca.pem")); }
    QString clientCertFile() const { return m_dir.filePath(QStringLiteral("client.pem")); }
    QString clientKeyFile() const { return m_dir.filePath(QStringLiteral("client.key")); }
    QString path(const QString &name) const { return m_dir.filePath(name); }

private:
    bool openssl(const QStringList &args);
    bool makeCertificates();
    bool writeConfig();

    QTemporaryDir m_dir;
    int m_ports[5] = {0, 0, 0, 0, 0};
    std::unique_ptr<QProcess> m_nginx;
    QString m_error;
};

} // namespace PreflightTest
