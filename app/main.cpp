// The `preflight` executable: the GUI with no arguments, otherwise a CLI subcommand (DESIGN.md §5).
#include "cli/cli.h"

#ifdef PREFLIGHT_WITH_GUI
#include "guiapp.h"
#endif

#include <cstring>

int main(int argc, char **argv)
{
#ifdef PREFLIGHT_WITH_GUI
    if (Preflight::Cli::wantsGui(argc, argv))
        return Preflight::runGui(argc, argv);
#endif
    return Preflight::Cli::run(argc, argv);
}
