#pragma once

#include "levelsummary.h"

#include "data/finding.h"
#include "data/intervalsnapshot.h"
#include "data/rundata.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace Preflight {

// One check of a gate set. Check ids (stable; docs/diagnosis.md):
//   p50_ms p90_ms p95_ms p99_ms p999_ms max_ms mean_ms   latency at the expected load level (ms)
//   error_rate success_rate timeout_rate                   ratios 0..1 at the expected load level
//   success_rate_2x                                         success ratio at twice the expected load
//   min_rps                                                 best sustained successful req/s over the levels
//   queries_per_request                                     worst endpoint of the profiling pass
//   db_backends_ratio                                       peak server backends / max_connections
//   no_finding:<finding id>                                 no finding with that id (value = how many)
struct GateSpec
{
    enum class Op { Lt, Le, Gt, Ge };
    QString id;
    Op op = Op::Le;
    double threshold = 0;

    bool accepts(double value) const;
    QString label() const; // "P95 ≤ 120 ms", "error rate < 0.1%", "no pool-exhaustion finding"
    QString unit() const;  // "ms", "ratio", "req/s", "queries", ""
};

// A set of launch gates (docs/diagnosis.md): a preset or custom JSON. A value; cheap to copy.
class GateSet
{
public:
    GateSet() = default;

    // "launch" or "revised"; std::nullopt for an unknown name.
    static std::optional<GateSet> preset(const QString &name);
    static QStringList presetNames();
    // Custom gates, e.g. {"name": "checkout", "preset": "launch", "expected_users": 20,
    //   "p95_ms": 150, "error_rate": {"<": 0.001}, "no_finding": ["n-plus-one"], "queries_per_request": 5}.
    // A bare number uses the id's default operator (≤ for upper bounds, ≥ for success_rate*, min_rps).
    // On failure returns std::nullopt and sets *error to a sentence naming the bad key ("gates.p96_ms: …").
    static std::optional<GateSet> fromJson(const QJsonObject &json, QString *error);
    static std::optional<GateSet> fromFile(const QString &path, QString *error);
    // The plan's choice: gates_inline, a preset name, or a file path (relative to the working directory).
    static std::optional<GateSet> fromPlan(const Plan &plan, QString *error);
    static QStringList knownCheckIds(); // without the no_finding:<id> family

    QString name() const { return m_name; }
    const std::vector<GateSpec> &checks() const { return m_checks; }
    double expectedUsers() const { return m_expected_users; } // -1: not set
    double expectedRate() const { return m_expected_rate; }   // -1: not set
    void setExpectedLoad(double users, double rate);
    // Threshold of a check, or fallback when the set has no such check.
    double threshold(const QString &id, double fallback) const;
    bool has(const QString &id) const;

    // The level the per-level checks judge: the smallest level at or above the expected load when one is
    // set, else the highest-load level of the run. -1 when none (no levels, or expected load not reached;
    // *note says which).
    int expectedLevel(const std::vector<LevelSummary> &levels, QString *note = nullptr) const;

    // End of run: every check, in set order. Unmeasurable checks have measured = false, pass = false.
    std::vector<GateCheck> evaluate(const RunData &run, const std::vector<LevelSummary> &levels,
                                    const std::vector<Finding> &findings) const;
    // During a run (GUI): client-side checks over the intervals that ended in the last window_s seconds;
    // checks that need the end of the run are returned unmeasured with a note.
    std::vector<GateCheck> evaluateLive(const std::vector<IntervalSnapshot> &intervals, double window_s = 10) const;
    // Whether one level passes the per-level checks (latency, error/success/timeout ratios).
    bool levelPasses(const LevelSummary &level) const;

    static bool allPass(const std::vector<GateCheck> &checks);

private:
    QString m_name;
    std::vector<GateSpec> m_checks;
    double m_expected_users = -1;
    double m_expected_rate = -1;
};

} // namespace Preflight
