#include "cli.h"
#include "commands.h"

#include <QTextStream>

namespace Preflight::Cli {

int exportCommand(const QStringList &)
{
    QTextStream(stderr) << "preflight export: not available yet in this build\n";
    return ExitUsage;
}

} // namespace Preflight::Cli
