#pragma once

#include "demolauncher.h"
#include "plan/plan.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace Preflight {

// The arguments of `preflight demo` (docs/cli.md), parsed once for the CLI (`--headless`) and the GUI:
//   preflight demo [--flaw LIST] [--db CONNINFO] [--levels LIST] [--step S]
//                  [--headless [--report FILE] [--json FILE] [--junit FILE] [--store FILE] [--quiet]]
// Both "--flaw LIST" and "--flaw=LIST". Pure; no QCoreApplication needed.
struct DemoArguments
{
    DemoLauncher::Options launcher; // flaws (default single-connection,n-plus-one) and db
    std::vector<int> levels;        // empty: the demo plan's sweep levels
    double step_s = -1;             // ≤ 0: the demo plan's seconds per level
    bool headless = false;
    bool help = false;
    bool quiet = false;
    QString reportPath;
    QString jsonPath;
    QString junitPath;
    QString storePath;

    // `args` are what follows "demo". nullopt and *error (naming the option and the fix) when they are wrong.
    static std::optional<DemoArguments> parse(const QStringList &args, QString *error);
    // The --help text, starting "Usage: preflight demo".
    static QString helpText();

    // Options set that only a headless run uses (--report, --json, --junit, --store, --quiet), as typed.
    QStringList headlessOnly() const;
    // The demo plan with --levels and --step applied.
    void applyTo(Plan *plan) const;
};

} // namespace Preflight
