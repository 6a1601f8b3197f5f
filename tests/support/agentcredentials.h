#pragma once

#include <QString>
#include <QTemporaryDir>

namespace PreflightTest {

// What a distributed run needs (docs/distributed.md), made by the openssl CLI in a temporary folder: a test CA, the
// coordinator's certificate it signed for 127.0.0.1 and localhost, its unencrypted key, and two token files (the
// run's, and another of the right length for a wrong-token agent).
class AgentCredentials
{
public:
    // False with error() when openssl is missing or fails.
    bool make();
    QString error() const { return m_error; }

    QString caFile() const { return path(QStringLiteral("ca.pem")); }
    QString certFile() const { return path(QStringLiteral("coordinator.pem")); }
    QString keyFile() const { return path(QStringLiteral("coordinator.key")); }
    QString tokenFile() const { return path(QStringLiteral("token")); }
    QString otherTokenFile() const { return path(QStringLiteral("other-token")); }
    static QByteArray token() { return QByteArrayLiteral("6f1c2a9be0d34f7a8c5e1b2d3f4a5b6c"); }
    static QByteArray otherToken() { return QByteArrayLiteral("00000000000000000000000000000000"); }
    QString path(const QString &name) const { return m_dir.filePath(name); }

private:
    bool openssl(const QStringList &args);

    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace PreflightTest
