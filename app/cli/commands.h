#pragma once

#include "report/reportwriter.h"

#include <QStringList>

// One function per subcommand of docs/cli.md, each in its own file. `args` excludes the program name and
// the subcommand itself. Each returns a Cli::ExitCode. A QCoreApplication exists when they are called.
namespace Preflight::Cli {

int runCommand(const QStringList &args);    // runcommand.cpp
int runsCommand(const QStringList &args);   // runscommand.cpp
int exportCommand(const QStringList &args); // exportcommand.cpp
int reportCommand(const QStringList &args); // reportcommand.cpp
int demoCommand(const QStringList &args);   // democommand.cpp (headless demo)
int importCommand(const QStringList &args); // importcommand.cpp (plan from OpenAPI 3 JSON or HAR)
int agentCommand(const QStringList &args);  // agentcommand.cpp (headless agent of a distributed run)

// The CLI's report writer: HTML always, PDF when preflight_pdf is built (cli.cpp).
ReportWriter reportWriter();

} // namespace Preflight::Cli
