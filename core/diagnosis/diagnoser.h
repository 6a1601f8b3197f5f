#pragma once

#include "capacitymodel.h"
#include "gates.h"
#include "levelsummary.h"

#include "data/dbsample.h"
#include "data/finding.h"
#include "data/intervalsnapshot.h"
#include "data/rundata.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace Preflight {

// Everything diagnosis concludes about one run (docs/architecture.md: levels, capacity, findings, gates, verdict).
struct Diagnosis
{
    std::vector<LevelSummary> levels;
    CapacityModel capacity;
    std::vector<Finding> findings; // severity first (critical → info), then confidence; merged
    QString gate_preset;           // GateSet::name()
    std::vector<GateCheck> gates;
    bool gates_pass = false; // every check measured and passed
    QString verdict;         // "ready" | "not-ready" | "inconclusive"
    QString verdict_reason;  // one sentence
    QStringList notes;       // what could not be checked and what would enable it
};

// Verdict rules (docs/diagnosis.md): no requests, or less than kMinLoad_s of load / kMinRequests requests →
// inconclusive; any measured gate failed → not-ready (also for aborted runs: the failure is evidence);
// aborted/interrupted/failed with no failed gate → inconclusive; some check unmeasured → inconclusive;
// otherwise ready.
constexpr double kMinLoad_s = 5;
constexpr uint64_t kMinRequests = 20;

// Pure: the same run and gates always give the same diagnosis. Never throws.
Diagnosis analyze(const RunData &run, const GateSet &gates);

// Store the conclusions in the run (findings, gate_preset, gates, verdict) so that the run store, the JSON
// summary and the report read them from RunData.
void applyDiagnosis(const Diagnosis &diagnosis, RunData *run);

// Merge findings with the same id and endpoint (evidence concatenated, strongest severity and confidence),
// fold symptoms (timeouts, error-rate) into the root cause that explains them, and order them.
std::vector<Finding> mergeFindings(std::vector<Finding> findings);

// Safety guards during a run (docs/architecture.md). The caller aborts with exit code 4 when a reason is returned.
struct SafetyLimits
{
    double warmup_s = 5;             // nothing trips before this run time
    double window_s = 10;            // error rate window
    double max_error_rate = 0.2;     // strictly above trips
    uint64_t min_requests = 20;      // in the window, for the error rate to count
    double max_backends_ratio = 0.8; // DB backends / max_connections, strictly above trips
};
// intervals and db samples so far, in time order. std::nullopt: keep going; else a sentence for
// RunInfo::status_reason ("error rate 35% over the last 10 s (limit 20%)").
std::optional<QString> safetyGuard(const std::vector<IntervalSnapshot> &intervals,
                                   const std::vector<DbSample> &dbSamples, const SafetyLimits &limits = {});

} // namespace Preflight
