#include "distributedsetup.h"

#include "agentprotocol.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

namespace Preflight {

DistributedSetup::FieldNames DistributedSetup::FieldNames::flags()
{
    return {QStringLiteral("--agents"),    QStringLiteral("--listen"),           QStringLiteral("--agent-cert"),
            QStringLiteral("--agent-key"), QStringLiteral("--agent-token-file"), QStringLiteral("--agent-wait")};
}

bool DistributedSetup::parseListen(const QString &text, QString *host, quint16 *port)
{
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const int number = colon > 0 ? text.mid(colon + 1).toInt(&ok) : 0;
    if (colon <= 0 || !ok || number < 1 || number > 65535)
        return false;
    *host = text.left(colon);
    if (host->startsWith(QLatin1Char('[')) && host->endsWith(QLatin1Char(']')))
        *host = host->mid(1, host->size() - 2);
    *port = quint16(number);
    return true;
}

bool DistributedSetup::readTlsIdentity(const QString &certFile, const QString &keyFile, const FieldNames &names,
                                       QList<QSslCertificate> *chain, QSslKey *key, Problem *problem)
{
    const auto fail = [problem](Field field, const QString &message) {
        *problem = {field, message};
        return false;
    };
    if (certFile.isEmpty())
        return fail(Field::CertFile,
                    QStringLiteral("%1 is missing: a distributed run needs the coordinator's TLS certificate (PEM), "
                                   "as agents connect over TLS; docs/distributed.md shows how to make one with openssl")
                        .arg(names.certFile));
    if (keyFile.isEmpty())
        return fail(Field::KeyFile,
                    QStringLiteral("%1 is missing: a distributed run needs the unencrypted PEM key of the "
                                   "coordinator's certificate; docs/distributed.md shows how to make one with openssl")
                        .arg(names.keyFile));
    QFile cert(certFile), keyPem(keyFile);
    for (const auto &[file, field, name] :
         {std::tuple{&cert, Field::CertFile, names.certFile}, std::tuple{&keyPem, Field::KeyFile, names.keyFile}})
        if (!file->open(QIODevice::ReadOnly))
            return fail(field, QStringLiteral("%1 %2: cannot read it (%3); check the path and its permissions")
                                   .arg(name, file->fileName(), file->errorString()));
    *chain = QSslCertificate::fromData(cert.readAll(), QSsl::Pem);
    if (chain->isEmpty())
        return fail(Field::CertFile, QStringLiteral("%1 %2: no PEM certificate in it; give the coordinator's "
                                                    "certificate (-----BEGIN CERTIFICATE-----)")
                                         .arg(names.certFile, certFile));
    const QByteArray pem = keyPem.readAll();
    *key = QSslKey(pem, QSsl::Rsa, QSsl::Pem);
    if (key->isNull())
        *key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (key->isNull())
        return fail(Field::KeyFile, QStringLiteral("%1 %2: no unencrypted PEM RSA or EC key in it; give the key of "
                                                   "the coordinator's certificate (openssl req -nodes writes it "
                                                   "unencrypted)")
                                        .arg(names.keyFile, keyFile));
    return true;
}

std::optional<DistributedOptions> DistributedSetup::check(const FieldNames &names, Problem *problem) const
{
    DistributedOptions out;
    bool ok = false;
    out.agents = agents.trimmed().toInt(&ok);
    if (!ok || out.agents < 1 || out.agents > 1000) {
        *problem = {Field::Agents,
                    QStringLiteral("%1 %2: expected a whole number from 1 to 1000").arg(names.agents, agents)};
        return std::nullopt;
    }
    if (!listen.trimmed().isEmpty() && !parseListen(listen.trimmed(), &out.listenHost, &out.port)) {
        *problem = {Field::Listen,
                    QStringLiteral("%1 %2: expected HOST:PORT, e.g. 0.0.0.0:7443").arg(names.listen, listen)};
        return std::nullopt;
    }
    if (!wait_s.trimmed().isEmpty()) {
        const double wait = wait_s.trimmed().toDouble(&ok);
        if (!ok || wait <= 0 || wait > 3600) {
            *problem = {
                Field::Wait,
                QStringLiteral("%1 %2: expected seconds, more than 0 and at most 3600").arg(names.wait, wait_s)};
            return std::nullopt;
        }
        out.readyTimeout_ms = int(wait * 1000);
    }
    QList<QSslCertificate> chain;
    QSslKey key;
    if (!readTlsIdentity(certFile, keyFile, names, &chain, &key, problem))
        return std::nullopt;
    out.certFile = certFile;
    out.keyFile = keyFile;
    QString error;
    out.token = AgentProtocol::readToken(tokenFile, &error, names.tokenFile);
    if (out.token.isEmpty()) {
        *problem = {Field::TokenFile, error};
        return std::nullopt;
    }
    return out;
}

} // namespace Preflight
