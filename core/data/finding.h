#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace Preflight {

enum class Severity { Critical, High, Medium, Low, Info };

QString severityId(Severity s);             // "critical" .. "info"
Severity severityFromId(const QString &id); // unknown -> Info

// One number behind a finding. Every value must be present in the stored run.
struct Evidence
{
    QString metric; // e.g. "effective_parallelism"
    double value = 0;
    QString unit; // "ms", "req/s", "%", "" ...
    QString note; // human words, may quote a normalised error message
};

// A statement a finding names, and its role in it.
struct StatementRef
{
    QString fingerprint; // libpg_query fingerprint (QueryStat::fingerprint); may be empty for a log line
    QString role;        // "parent", "child", "grandchild" (n-plus-one), "scan" (missing-index),
                         // "top" (db-saturation), "waiting", "blocking" (lock-contention)
    QString text;        // normalised text, for readers without the run's query table
};

// What a finding is about, as references into the run (not words in its title): views link to these.
struct FindingRefs
{
    int endpoint = -1;   // index into Plan::endpoints; -1 none
    int level = -1;      // index into the diagnosis's levels (the level that shows it best); -1 none
    QString relation;    // table (missing-index, lock-contention)
    QStringList columns; // missing-index: equality columns first
    std::vector<StatementRef> statements;
};

// A named root cause (docs/diagnosis.md: ids are stable, tests and CI depend on them).
struct Finding
{
    QString id;
    Severity severity = Severity::Info;
    QString title;
    QString summary;
    QString endpoint; // empty when not specific to one endpoint
    std::vector<Evidence> evidence;
    QString recommendation;
    QString layer;         // code | configuration | architecture | capacity
    double confidence = 0; // 0..1
    FindingRefs refs;

    // The value of the first evidence line with this metric (a finding's parameters — k, N, pool_size — are
    // evidence values); std::nullopt when absent.
    std::optional<double> parameter(const QString &metric) const;
};

// One launch-gate check (docs/diagnosis.md).
struct GateCheck
{
    QString id;    // e.g. "p95_ms", "error_rate"
    QString label; // "P95 ≤ 120 ms"
    double threshold = 0;
    double value = 0;
    bool measured = false; // false: nothing to evaluate (counts as not passed)
    bool pass = false;
    QString unit; // "ms", "ratio", "req/s", "queries", "" (additive, for reports)
    QString note; // where it was evaluated ("at 20 users", "over the last 10 s") or why not
};

} // namespace Preflight
