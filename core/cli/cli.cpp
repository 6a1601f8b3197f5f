#include "cli.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstring>

namespace Preflight::Cli {

bool wantsGui(int argc, char **argv)
{
    if (argc < 2)
        return true;
    if (std::strcmp(argv[1], "demo") == 0) {
        for (int i = 2; i < argc; ++i)
            if (std::strcmp(argv[i], "--headless") == 0)
                return false;
        return true;
    }
    return false;
}

int run(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream(stderr) << "preflight: not implemented yet\n";
    return ExitUsage;
}

} // namespace Preflight::Cli
