#include "cli.h"

#include "commands.h"

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

bool wantsGui(int argc, char **argv)
{
    if (argc < 2)
        return true;
    if (std::strcmp(argv[1], "demo") == 0) {
        for (int i = 2; i < argc; ++i)
            if (std::strcmp(argv[i], "--headless") == 0 || std::strcmp(argv[i], "--help") == 0)
                return false;
        return true;
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

int run(int argc, char **argv)
{
    // main.cpp may have made the application already (a QGuiApplication when a PDF is written).
    std::optional<QCoreApplication> owned;
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
