#include "agentoptions.h"

#include "distributed/agentprotocol.h"

namespace Preflight::Cli {

QList<QCommandLineOption> distributedRunOptions()
{
    return {
        QCommandLineOption(QStringLiteral("agents"),
                           QStringLiteral("Run the load on N `preflight agent` processes and merge their results."),
                           QStringLiteral("N")),
        QCommandLineOption(QStringLiteral("listen"), QStringLiteral("Where agents connect (default 0.0.0.0:7443)."),
                           QStringLiteral("HOST:PORT")),
        QCommandLineOption(QStringLiteral("agent-token-file"),
                           QStringLiteral("Shared agent token (or PREFLIGHT_AGENT_TOKEN)."), QStringLiteral("FILE")),
        QCommandLineOption(QStringLiteral("agent-cert"), QStringLiteral("TLS certificate (PEM) agents connect to."),
                           QStringLiteral("FILE")),
        QCommandLineOption(QStringLiteral("agent-key"), QStringLiteral("Its private key (PEM)."),
                           QStringLiteral("FILE")),
        QCommandLineOption(QStringLiteral("agent-wait"),
                           QStringLiteral("Seconds to wait for every agent (default 60)."), QStringLiteral("S")),
    };
}

bool readDistributedOptions(const QCommandLineParser &p, DistributedOptions *out, QString *error)
{
    *out = DistributedOptions();
    const bool any = p.isSet(QStringLiteral("listen")) || p.isSet(QStringLiteral("agent-cert")) ||
                     p.isSet(QStringLiteral("agent-key")) || p.isSet(QStringLiteral("agent-wait")) ||
                     p.isSet(QStringLiteral("agent-token-file"));
    if (!p.isSet(QStringLiteral("agents"))) {
        if (any)
            *error = QStringLiteral("--listen, --agent-* need --agents N");
        return !any;
    }
    bool ok = false;
    out->agents = p.value(QStringLiteral("agents")).toInt(&ok);
    if (!ok || out->agents < 1 || out->agents > 1000) {
        *error = QStringLiteral("--agents %1: expected a whole number from 1 to 1000")
                     .arg(p.value(QStringLiteral("agents")));
        return false;
    }
    if (p.isSet(QStringLiteral("listen"))) {
        const QString listen = p.value(QStringLiteral("listen"));
        const int colon = listen.lastIndexOf(QLatin1Char(':'));
        const int port = colon > 0 ? listen.mid(colon + 1).toInt(&ok) : 0;
        if (colon <= 0 || !ok || port < 1 || port > 65535) {
            *error = QStringLiteral("--listen %1: expected HOST:PORT, e.g. 0.0.0.0:7443").arg(listen);
            return false;
        }
        out->listenHost = listen.left(colon);
        if (out->listenHost.startsWith(QLatin1Char('[')) && out->listenHost.endsWith(QLatin1Char(']')))
            out->listenHost = out->listenHost.mid(1, out->listenHost.size() - 2);
        out->port = quint16(port);
    }
    if (p.isSet(QStringLiteral("agent-wait"))) {
        const double wait_s = p.value(QStringLiteral("agent-wait")).toDouble(&ok);
        if (!ok || wait_s <= 0 || wait_s > 3600) {
            *error = QStringLiteral("--agent-wait %1: expected seconds, more than 0 and at most 3600")
                         .arg(p.value(QStringLiteral("agent-wait")));
            return false;
        }
        out->readyTimeout_ms = int(wait_s * 1000);
    }
    out->certFile = p.value(QStringLiteral("agent-cert"));
    out->keyFile = p.value(QStringLiteral("agent-key"));
    if (out->certFile.isEmpty() || out->keyFile.isEmpty()) {
        *error = QStringLiteral("--agents needs --agent-cert FILE and --agent-key FILE: agents connect over TLS "
                                "(docs/distributed.md shows how to make them with openssl)");
        return false;
    }
    out->token = AgentProtocol::readToken(p.value(QStringLiteral("agent-token-file")), error);
    return !out->token.isEmpty();
}

} // namespace Preflight::Cli
