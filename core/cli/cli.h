#pragma once

namespace Preflight::Cli {

// Exit codes of DESIGN.md §5.
enum ExitCode {
    ExitReady = 0,
    ExitNotReady = 1,
    ExitUsage = 2,
    ExitUnreachable = 3,
    ExitSafetyAbort = 4,
    ExitAgentLost = 5, // a distributed run lost an agent, or its agents never all came (docs/distributed.md)
    ExitInterrupted = 130,
};

// True when argv asks for the GUI (no subcommand, or `demo` without --headless).
bool wantsGui(int argc, char **argv);

// True when a CLI command will write a PDF report (`report --pdf F`, `run|demo --report F.pdf`): app/main.cpp
// then creates a QGuiApplication (offscreen platform unless QT_QPA_PLATFORM is set) before calling run().
bool writesPdf(int argc, char **argv);

// Runs a CLI subcommand; returns the process exit code. Uses the application object the caller created, if
// any (a QGuiApplication for PDF output), else creates a QCoreApplication.
int run(int argc, char **argv);

} // namespace Preflight::Cli
