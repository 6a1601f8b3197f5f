// The `preflight` executable: the GUI with no arguments, otherwise a CLI subcommand (DESIGN.md §5).
#include "cli/cli.h"

#ifdef PREFLIGHT_WITH_GUI
#include "guiapp.h"
#include "report/pdfreport.h"

#include <QGuiApplication>
#endif

#include <cstring>

int main(int argc, char **argv)
{
#ifdef PREFLIGHT_WITH_GUI
    // PDF reports are painted by ui/; core (the CLI) reaches them through ReportWriter's seam.
    Preflight::PdfReport::install();
    if (Preflight::Cli::wantsGui(argc, argv))
        return Preflight::runGui(argc, argv);
    if (Preflight::Cli::writesPdf(argc, argv)) {
        // PDF painting needs QtGui (fonts): a headless QGuiApplication unless a platform was chosen.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QGuiApplication app(argc, argv);
        return Preflight::Cli::run(argc, argv);
    }
#endif
    return Preflight::Cli::run(argc, argv);
}
