// The `preflight` executable: the GUI with no arguments (or `demo` without --headless), otherwise a CLI
// subcommand (docs/cli.md). Everything else lives in preflight_cli and preflight_ui (docs/architecture.md).
#include "cli/cli.h"

#ifdef PREFLIGHT_WITH_GUI
#include "guiapp.h"
#endif

int main(int argc, char **argv)
{
#ifdef PREFLIGHT_WITH_GUI
    if (Preflight::Cli::wantsGui(argc, argv))
        return Preflight::runGui(argc, argv);
#endif
    return Preflight::Cli::run(argc, argv);
}
