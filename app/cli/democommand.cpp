#include "cli.h"
#include "commands.h"
#include "runexecution.h"

#include "demo/demoarguments.h"
#include "demo/demolauncher.h"
#include "demo/demoplan.h"

#include <QTextStream>

namespace Preflight::Cli {

// `preflight demo --headless`: the built-in demo backend, the ready plan, the whole pipeline, no window.
// (Without --headless the GUI handles `demo`; see wantsGui(). Both read the arguments with DemoArguments.)
int demoCommand(const QStringList &args)
{
    QTextStream err(stderr);
    QString error;
    const std::optional<DemoArguments> parsed = DemoArguments::parse(args, &error);
    if (!parsed) {
        err << "preflight demo: " << error << '\n';
        return ExitUsage;
    }
    if (parsed->help) {
        QTextStream(stdout) << DemoArguments::helpText();
        return ExitReady;
    }

    const DemoLauncher::Options &options = parsed->launcher;
    DemoLauncher launcher;
    if (!parsed->quiet)
        err << "preflight: starting the demo backend (flaws: " << options.flaws.join(QStringLiteral(", ")) << ")…\n";
    err.flush();
    if (!launcher.start(options, &error)) {
        err << "preflight demo: " << error << '\n';
        return ExitUnreachable;
    }
    Plan plan = demoPlan(launcher.baseUrl(), launcher.databaseConninfo(), launcher.sqlLogPath());
    plan.name = QStringLiteral("demo backend (%1)").arg(options.flaws.join(QStringLiteral(", ")));
    parsed->applyTo(&plan);
    RunOutputs outputs;
    outputs.jsonPath = parsed->jsonPath;
    outputs.junitPath = parsed->junitPath;
    outputs.reportPath = parsed->reportPath;
    outputs.storePath = parsed->storePath;
    outputs.quiet = parsed->quiet;
    return executeRun(plan, RunController::Options{}, outputs);
}

} // namespace Preflight::Cli
