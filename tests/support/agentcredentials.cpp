#include "agentcredentials.h"

#include <QFile>
#include <QProcess>

namespace PreflightTest {

bool AgentCredentials::openssl(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error =
            QStringLiteral("openssl %1: %2").arg(args.join(QLatin1Char(' ')), QString::fromLocal8Bit(p.readAll()));
        return false;
    }
    return true;
}

bool AgentCredentials::make()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder");
        return false;
    }
    QFile ext(path(QStringLiteral("ext.cnf")));
    if (!ext.open(QIODevice::WriteOnly)) {
        m_error = ext.errorString();
        return false;
    }
    ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    ext.close();
    const QString caKey = path(QStringLiteral("ca.key")), csr = path(QStringLiteral("coordinator.csr"));
    if (!openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                  QStringLiteral("-nodes"), QStringLiteral("-keyout"), caKey, QStringLiteral("-out"), caFile(),
                  QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                  QStringLiteral("/CN=preflight test CA")}) ||
        !openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                  QStringLiteral("-nodes"), QStringLiteral("-keyout"), keyFile(), QStringLiteral("-out"), csr,
                  QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")}) ||
        !openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr, QStringLiteral("-CA"),
                  caFile(), QStringLiteral("-CAkey"), caKey, QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                  certFile(), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"),
                  path(QStringLiteral("ext.cnf"))}))
        return false;
    for (const auto &[file, text] : {std::pair{tokenFile(), token()}, std::pair{otherTokenFile(), otherToken()}}) {
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly)) {
            m_error = f.errorString();
            return false;
        }
        f.write(text + '\n');
    }
    return true;
}

} // namespace PreflightTest
