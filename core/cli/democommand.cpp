#include "cli.h"
#include "commands.h"

#include <QTextStream>

namespace Preflight::Cli {

int demoCommand(const QStringList &)
{
    QTextStream(stderr) << "preflight demo: not available yet in this build\n";
    return ExitUsage;
}

} // namespace Preflight::Cli
