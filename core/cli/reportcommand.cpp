#include "cli.h"
#include "commands.h"

#include <QTextStream>

namespace Preflight::Cli {

int reportCommand(const QStringList &)
{
    QTextStream(stderr) << "preflight report: not available yet in this build\n";
    return ExitUsage;
}

} // namespace Preflight::Cli
