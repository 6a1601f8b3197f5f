#include "cli.h"
#include "commands.h"

#include <QTextStream>

namespace Preflight::Cli {

int runsCommand(const QStringList &)
{
    QTextStream(stderr) << "preflight runs: not available yet in this build\n";
    return ExitUsage;
}

} // namespace Preflight::Cli
