#pragma once

#include "distributedoptions.h"

#include <QList>
#include <QString>

#include <optional>

// Qt Network stays out of this header: the CLI includes it and links core only.
QT_BEGIN_NAMESPACE
class QSslCertificate;
class QSslKey;
QT_END_NAMESPACE

namespace Preflight {

// What a user gives to coordinate a distributed run, as typed — `preflight run`'s flags or the GUI's Agents
// fields — and the one set of rules that turns it into DistributedOptions (docs/distributed.md). The CLI and the
// GUI both call check(); each names the fields its own way (FieldNames), the rules and their wording live here.
//
// Pure apart from reading the three small files it is given (certificate, key, token); thread-safe.
struct DistributedSetup
{
    enum class Field { None, Agents, Listen, CertFile, KeyFile, TokenFile, Wait };

    // How messages name each field: the CLI's flags ("--agent-key"), the GUI's labels ("Key").
    struct FieldNames
    {
        QString agents, listen, certFile, keyFile, tokenFile, wait;
        static FieldNames flags();
    };

    // What went wrong, in the field's own words: "<field> <value>: <what>; <fix>". Never holds the token.
    struct Problem
    {
        Field field = Field::None;
        QString message;
    };

    // As typed. An empty listen or wait_s takes the default (0.0.0.0:7443, 60 s).
    QString agents;
    QString listen;
    QString certFile;
    QString keyFile;
    QString tokenFile; // PREFLIGHT_AGENT_TOKEN, when set, wins (AgentProtocol::readToken)
    QString wait_s;

    // The options of a run with these agents, or nullopt and *problem. Checks, in this order: the number of agents
    // (1–1000), HOST:PORT, the ready wait (0 < s ≤ 3600), the certificate and key (readable, a PEM certificate and
    // an unencrypted PEM RSA/EC key), the token (AgentProtocol::readToken: at least 16 bytes).
    std::optional<DistributedOptions> check(const FieldNames &names, Problem *problem) const;

    // "HOST:PORT", "[::1]:7443" too. False for anything else or a port outside 1–65535.
    static bool parseListen(const QString &text, QString *host, quint16 *port);

    // The coordinator's TLS identity from its PEM files (AgentCoordinator listens with it). False + *problem
    // naming the file and the fix.
    static bool readTlsIdentity(const QString &certFile, const QString &keyFile, const FieldNames &names,
                                QList<QSslCertificate> *chain, QSslKey *key, Problem *problem);
};

} // namespace Preflight
