#pragma once

#include "run/runfailure.h"

namespace Preflight::Cli {

// Exit codes of docs/cli.md.
enum ExitCode {
    ExitReady = 0,
    ExitNotReady = 1,
    ExitUsage = 2,
    ExitUnreachable = 3,
    ExitSafetyAbort = 4,
    ExitAgentLost = 5, // a distributed run lost an agent, or its agents never all came (docs/distributed.md)
    ExitInterrupted = 130,
};

// The one place a run failure becomes an exit code: 2 for what the user fixes in the plan, the flags or this
// machine, 3 for a target or database that is not there, 4 for a safety guard, 130 for an interruption.
ExitCode exitCodeFor(RunFailure::Kind kind);

// True when argv asks for the GUI (no subcommand, or `demo` without --headless).
bool wantsGui(int argc, char **argv);

// True when a CLI command will write a PDF report (`report --pdf F`, `run|demo --report F.pdf`): run() then
// creates a QGuiApplication (offscreen platform unless QT_QPA_PLATFORM is set) instead of a QCoreApplication.
bool writesPdf(int argc, char **argv);

// Runs a CLI subcommand; returns the process exit code. Uses the application object the caller created, if
// any, else creates a QCoreApplication (a QGuiApplication when writesPdf() and PDF support is built).
int run(int argc, char **argv);

} // namespace Preflight::Cli
