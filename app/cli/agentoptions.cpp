#include "agentoptions.h"

#include "distributed/distributedsetup.h"

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
    // The rules are DistributedSetup's, shared with the GUI's Agents fields; the CLI names its flags.
    DistributedSetup setup;
    setup.agents = p.value(QStringLiteral("agents"));
    setup.listen = p.value(QStringLiteral("listen"));
    setup.certFile = p.value(QStringLiteral("agent-cert"));
    setup.keyFile = p.value(QStringLiteral("agent-key"));
    setup.tokenFile = p.value(QStringLiteral("agent-token-file"));
    setup.wait_s = p.value(QStringLiteral("agent-wait"));
    DistributedSetup::Problem problem;
    const std::optional<DistributedOptions> options = setup.check(DistributedSetup::FieldNames::flags(), &problem);
    if (!options) {
        *error = problem.message;
        return false;
    }
    *out = *options;
    // Tests only: a short handshake bound, so that a client that never finishes its handshake is dropped quickly.
    const int handshakeTimeout_ms = qEnvironmentVariableIntValue("PREFLIGHT_COORDINATOR_HANDSHAKE_TIMEOUT_MS");
    if (handshakeTimeout_ms > 0)
        out->handshakeTimeout_ms = handshakeTimeout_ms;
    return true;
}

} // namespace Preflight::Cli
