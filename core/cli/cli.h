#pragma once

namespace Preflight::Cli {

// Exit codes of DESIGN.md §5.
enum ExitCode {
    ExitReady = 0,
    ExitNotReady = 1,
    ExitUsage = 2,
    ExitUnreachable = 3,
    ExitSafetyAbort = 4,
    ExitInterrupted = 130,
};

// True when argv asks for the GUI (no subcommand, or `demo` without --headless).
bool wantsGui(int argc, char **argv);

// Runs a CLI subcommand; returns the process exit code.
int run(int argc, char **argv);

} // namespace Preflight::Cli
