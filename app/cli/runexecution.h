#pragma once

#include "run/runcontroller.h"

#include <QString>

#include <utility>
#include <vector>

namespace Preflight::Cli {

// Where a finished run goes.
struct RunOutputs
{
    QString jsonPath;   // --json
    QString junitPath;  // --junit
    QString reportPath; // --report (.html or .pdf)
    QString storePath;  // --store (empty: the default store)
    bool quiet = false; // no progress line, no summary table
    // Files the run reads, as (role, path): the plan, a gates file. No output may be one of them; the plan's
    // database file, statement log and CA file are added by executeRun().
    std::vector<std::pair<QString, QString>> inputs;
};

// The headless pipeline shared by `preflight run` and `preflight demo --headless`: drives a RunController
// in the CLI's event loop, shows progress on a TTY, turns Ctrl-C into stop/abort, then analyses, stores
// and writes the outputs. Returns the exit code of docs/cli.md.
int executeRun(const Plan &plan, const RunController::Options &options, const RunOutputs &outputs);

} // namespace Preflight::Cli
