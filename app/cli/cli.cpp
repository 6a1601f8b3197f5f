#include "cli.h"

#include "commands.h"

#include "demo/demoarguments.h"

#ifdef PREFLIGHT_WITH_PDF
#include "pdfreport.h"

#include <QGuiApplication>
#endif

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstring>
#include <optional>

namespace Preflight::Cli {

namespace {
const char *kUsage =
    "Usage: preflight [COMMAND] [OPTIONS]\n"
    "\n"
    "Preflight tells whether a web backend is ready for production, and if not, why.\n"
    "\n"
    "Commands:\n"
    "  (none)                 open the GUI\n"
    "  run [PLAN.json]        drive load at a backend, watch its database, print findings\n"
    "  demo [--headless]      run against the built-in demo backend\n"
    "  agent --coordinator U  run one distributed run's share of the load for a coordinator\n"
    "  runs                   list stored runs\n"
    "  report RUN_ID          write the readiness report of a stored run\n"
    "  export RUN_ID          export a stored run's intervals (CSV) or summary (JSON)\n"
    "  import FILE            write a plan from an OpenAPI 3 JSON or HAR file (reads only, no secrets)\n"
    "\n"
    "Run `preflight COMMAND --help` for a command's options.\n"
    "Exit codes: 0 ready · 1 not ready · 2 usage or plan error · 3 target or database unreachable ·\n"
    "            4 aborted by a safety guard · 130 interrupted.\n";
}

ExitCode exitCodeFor(RunFailure::Kind kind)
{
    using Kind = RunFailure::Kind;
    switch (kind) {
    case Kind::PlanInvalid:
    case Kind::SecretMissing:
    case Kind::TargetNotConfirmed:
    case Kind::RequestNotSent:
    case Kind::TlsFailed: // the fix is in the plan (CA file, scheme, port), not at the target
    case Kind::DatabaseInvalid:
    case Kind::StoreUnavailable:
        return ExitUsage;
    case Kind::TargetUnreachable:
    case Kind::TlsUntrusted: // the target is there, but not one Preflight may trust as configured
    case Kind::LoginFailed:
    case Kind::DatabaseUnreachable:
        return ExitUnreachable;
    case Kind::AgentsUnavailable:
        return ExitAgentLost;
    case Kind::SafetyGuard:
        return ExitSafetyAbort;
    case Kind::Interrupted:
        return ExitInterrupted;
    }
    Q_UNREACHABLE();
    return ExitUsage;
}

bool wantsGui(int argc, char **argv)
{
    if (argc < 2)
        return true;
    if (std::strcmp(argv[1], "demo") == 0) {
        // The GUI runs the demo unless it is headless or asks for help; wrong arguments are reported by the CLI,
        // in the terminal they were typed in.
        QStringList args;
        for (int i = 2; i < argc; ++i)
            args << QString::fromLocal8Bit(argv[i]);
        QString error;
        const std::optional<DemoArguments> parsed = DemoArguments::parse(args, &error);
        return parsed && !parsed->headless && !parsed->help;
    }
    return false;
}

bool writesPdf(int argc, char **argv)
{
    auto isPdf = [](const char *path) {
        const size_t n = std::strlen(path);
        return n >= 4 && (std::strcmp(path + n - 4, ".pdf") == 0 || std::strcmp(path + n - 4, ".PDF") == 0);
    };
    for (int i = 2; i < argc; ++i) {
        const char *a = argv[i];
        if (std::strcmp(a, "--pdf") == 0 || std::strncmp(a, "--pdf=", 6) == 0)
            return true;
        if (std::strcmp(a, "--report") == 0 && i + 1 < argc && isPdf(argv[i + 1]))
            return true;
        if (std::strncmp(a, "--report=", 9) == 0 && isPdf(a + 9))
            return true;
    }
    return false;
}

ReportWriter reportWriter()
{
#ifdef PREFLIGHT_WITH_PDF
    return ReportWriter([](const ReportDocument &document, const QString &path, ReportPageSize pageSize,
                           QString *error) { return PdfReport::write(document, path, pageSize, error); });
#else
    return ReportWriter();
#endif
}

int run(int argc, char **argv)
{
    std::optional<QCoreApplication> owned;
#ifdef PREFLIGHT_WITH_PDF
    // PDF painting needs QtGui (fonts): a headless QGuiApplication unless a platform was chosen.
    std::optional<QGuiApplication> gui;
    if (!QCoreApplication::instance() && writesPdf(argc, argv)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        gui.emplace(argc, argv);
    }
#endif
    if (!QCoreApplication::instance())
        owned.emplace(argc, argv);
    QCoreApplication &app = *QCoreApplication::instance();
    QCoreApplication::setApplicationName(QStringLiteral("preflight"));
    QCoreApplication::setOrganizationName(QStringLiteral("preflight"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PREFLIGHT_VERSION));
    // The CLI reports every problem once, as a one-line message naming the fix (or a "warning:" line); the
    // diagnostic log lines of the same events would print it twice. QT_LOGGING_RULES brings them back.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("preflight.*=false"));
    QStringList args = app.arguments().mid(1);
    QTextStream err(stderr);
    if (args.isEmpty() || args[0] == QLatin1String("--help") || args[0] == QLatin1String("-h") ||
        args[0] == QLatin1String("help")) {
        QTextStream(stdout) << kUsage;
        return ExitReady;
    }
    if (args[0] == QLatin1String("--version") || args[0] == QLatin1String("-v")) {
        QTextStream(stdout) << "preflight " << PREFLIGHT_VERSION << '\n';
        return ExitReady;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("run"))
        return runCommand(args);
    if (command == QLatin1String("runs"))
        return runsCommand(args);
    if (command == QLatin1String("export"))
        return exportCommand(args);
    if (command == QLatin1String("report"))
        return reportCommand(args);
    if (command == QLatin1String("demo"))
        return demoCommand(args);
    if (command == QLatin1String("import"))
        return importCommand(args);
    if (command == QLatin1String("agent"))
        return agentCommand(args);
    err << "preflight: unknown command \"" << command << "\"; run `preflight --help` for the list\n";
    return ExitUsage;
}

} // namespace Preflight::Cli
