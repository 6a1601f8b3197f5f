#include "cli.h"
#include "commands.h"

#include <QTextStream>

namespace Preflight::Cli {

int runCommand(const QStringList &)
{
    QTextStream(stderr) << "preflight run: not available yet in this build\n";
    return ExitUsage;
}

} // namespace Preflight::Cli
