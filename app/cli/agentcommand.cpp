#include "cli.h"
#include "commandline.h"
#include "commands.h"
#include "distributed/agentprotocol.h"
#include "distributed/agentsession.h"
#include "interruptwatcher.h"

#include <QCoreApplication>
#include <QTextStream>

namespace Preflight::Cli {

// `preflight agent --coordinator wss://HOST:PORT [--ca-file FILE] [--agent-token-file FILE] [--name NAME]
// [--workers N] [--connect-timeout S]`: one run's load for a coordinator (docs/distributed.md). Exit codes: 0 the
// run finished, 2 refused (token, clock, plan, certificate), 3 no coordinator, 5 lost the coordinator mid-run.
int agentCommand(const QStringList &args)
{
    QTextStream err(stderr);
    const QList<QCommandLineOption> options{
        QCommandLineOption(QStringLiteral("coordinator"), QStringLiteral("The coordinator, wss://HOST:PORT."),
                           QStringLiteral("URL")),
        QCommandLineOption(QStringLiteral("ca-file"), QStringLiteral("CA certificate (PEM) of the coordinator's."),
                           QStringLiteral("FILE")),
        QCommandLineOption(QStringLiteral("agent-token-file"),
                           QStringLiteral("Shared agent token (or PREFLIGHT_AGENT_TOKEN)."), QStringLiteral("FILE")),
        QCommandLineOption(QStringLiteral("name"), QStringLiteral("Name shown by the coordinator."),
                           QStringLiteral("NAME")),
        QCommandLineOption(QStringLiteral("workers"), QStringLiteral("Load threads offered (default: cores − 1)."),
                           QStringLiteral("N")),
        QCommandLineOption(QStringLiteral("connect-timeout"),
                           QStringLiteral("Seconds to keep dialling the coordinator (default 60)."),
                           QStringLiteral("S")),
        QCommandLineOption(QStringList{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")),
    };
    QCommandLineParser p;
    QString error;
    if (!parseArguments(p, options, QStringLiteral("agent"), args, &error)) {
        err << "preflight agent: " << error << '\n';
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText();
        return ExitReady;
    }
    AgentOptions agent;
    agent.coordinator = QUrl(p.value(QStringLiteral("coordinator")));
    if (agent.coordinator.scheme() != QLatin1String("wss") || agent.coordinator.host().isEmpty() ||
        agent.coordinator.port() <= 0) {
        err << "preflight agent: --coordinator wss://HOST:PORT is required (the channel is always TLS)\n";
        return ExitUsage;
    }
    agent.caFile = p.value(QStringLiteral("ca-file"));
    agent.name = p.value(QStringLiteral("name"));
    bool ok = true;
    if (p.isSet(QStringLiteral("workers")))
        agent.workers = p.value(QStringLiteral("workers")).toInt(&ok);
    if (!ok || agent.workers < 0) {
        err << "preflight agent: --workers expects a whole number\n";
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("connect-timeout")))
        agent.connectTimeout_ms = int(p.value(QStringLiteral("connect-timeout")).toDouble(&ok) * 1000);
    if (!ok || agent.connectTimeout_ms <= 0) {
        err << "preflight agent: --connect-timeout expects seconds\n";
        return ExitUsage;
    }
    agent.token = AgentProtocol::readToken(p.value(QStringLiteral("agent-token-file")), &error);
    if (agent.token.isEmpty()) {
        err << "preflight agent: " << error << '\n';
        return ExitUsage;
    }
    agent.clockSkew_ms = qEnvironmentVariable("PREFLIGHT_AGENT_CLOCK_SKEW_MS").toDouble();

    AgentSession session(agent);
    InterruptWatcher interrupts;
    QObject::connect(&interrupts, &InterruptWatcher::interrupted, &session, [&session] { session.abortRun(); });
    QObject::connect(&session, &AgentSession::logMessage, &session, [&err](const QString &message) {
        err << "preflight agent: " << message << '\n';
        err.flush();
    });
    int exitCode = ExitReady;
    QObject::connect(&session, &AgentSession::finished, &session, [&](int code, const QString &message) {
        err << "preflight agent: " << message << '\n';
        err.flush();
        exitCode = code;
        // Let the last messages and the close frame leave before the event loop ends.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [code] { QCoreApplication::exit(code); }, Qt::QueuedConnection);
    });
    session.start();
    QCoreApplication::exec();
    return exitCode;
}

} // namespace Preflight::Cli
