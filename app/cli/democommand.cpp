#include "cli.h"
#include "commands.h"
#include "runexecution.h"

#include "demo/demolauncher.h"
#include "demo/demoplan.h"

#include <QCommandLineParser>
#include <QRegularExpression>
#include <QTextStream>

namespace Preflight::Cli {

// `preflight demo --headless`: the built-in demo backend, the ready plan, the whole pipeline, no window.
// (Without --headless the GUI handles `demo`; see wantsGui().)
int demoCommand(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Run Preflight against its built-in demo backend, which has real, switchable flaws."));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("flaw"),
         QStringLiteral("Flaws, comma-separated: single-connection, small-pool, conn-per-request, n-plus-one, "
                        "missing-index, write-contention, slow-endpoint, no-health, none "
                        "(default: single-connection,n-plus-one)."),
         QStringLiteral("LIST")},
        {QStringLiteral("db"),
         QStringLiteral("PostgreSQL conninfo for the demo's data (default: its own SQLite file)."),
         QStringLiteral("CONNINFO")},
        {QStringLiteral("headless"), QStringLiteral("No window: run the plan, print the summary, write the outputs.")},
        {QStringLiteral("levels"), QStringLiteral("Sweep levels instead of the demo's, e.g. 1,5,20."),
         QStringLiteral("LIST")},
        {QStringLiteral("step"), QStringLiteral("Seconds per sweep level."), QStringLiteral("S")},
        {QStringLiteral("report"), QStringLiteral("Write the readiness report (.html or .pdf)."),
         QStringLiteral("FILE")},
        {QStringLiteral("json"), QStringLiteral("Write the JSON summary."), QStringLiteral("FILE")},
        {QStringLiteral("junit"), QStringLiteral("Write JUnit XML."), QStringLiteral("FILE")},
        {QStringLiteral("store"), QStringLiteral("Run store file."), QStringLiteral("FILE")},
        {QStringLiteral("quiet"), QStringLiteral("No progress line and no summary table.")},
    });
    QTextStream err(stderr);
    if (!p.parse(QStringList{QStringLiteral("preflight demo")} + args)) {
        err << "preflight demo: " << p.errorText() << "; see `preflight demo --help`\n";
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        QString help = p.helpText();
        help.replace(QRegularExpression(QStringLiteral("^Usage: \\S+")), QStringLiteral("Usage: preflight demo"));
        QTextStream(stdout) << help;
        return ExitReady;
    }
    if (!p.positionalArguments().isEmpty()) {
        err << "preflight demo: unexpected argument " << p.positionalArguments().first() << '\n';
        return ExitUsage;
    }

    DemoLauncher::Options options;
    if (p.isSet(QStringLiteral("flaw")))
        options.flaws = p.value(QStringLiteral("flaw")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    options.db = p.value(QStringLiteral("db"));
    DemoLauncher launcher;
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    if (!quiet)
        err << "preflight: starting the demo backend (flaws: " << options.flaws.join(QStringLiteral(", ")) << ")…\n";
    err.flush();
    QString error;
    if (!launcher.start(options, &error)) {
        err << "preflight demo: " << error << '\n';
        return ExitUnreachable;
    }
    Plan plan = demoPlan(launcher.baseUrl(), launcher.databaseConninfo(), launcher.sqlLogPath());
    plan.name = QStringLiteral("demo backend (%1)").arg(options.flaws.join(QStringLiteral(", ")));
    if (p.isSet(QStringLiteral("levels"))) {
        plan.scenario.levels.clear();
        for (const QString &part : p.value(QStringLiteral("levels")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const int level = part.trimmed().toInt();
            if (level < 1) {
                err << "preflight demo: --levels expects whole numbers ≥ 1 separated by commas\n";
                return ExitUsage;
            }
            plan.scenario.levels.push_back(level);
        }
    }
    if (p.isSet(QStringLiteral("step"))) {
        bool ok = false;
        plan.scenario.step_s = p.value(QStringLiteral("step")).toDouble(&ok);
        if (!ok || plan.scenario.step_s <= 0) {
            err << "preflight demo: --step expects a positive number of seconds\n";
            return ExitUsage;
        }
    }
    RunOutputs outputs;
    outputs.jsonPath = p.value(QStringLiteral("json"));
    outputs.junitPath = p.value(QStringLiteral("junit"));
    outputs.reportPath = p.value(QStringLiteral("report"));
    outputs.storePath = p.value(QStringLiteral("store"));
    outputs.quiet = quiet;
    return executeRun(plan, RunController::Options{}, outputs);
}

} // namespace Preflight::Cli
