#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace Preflight {

enum class Severity { Critical, High, Medium, Low, Info };

QString severityId(Severity s);            // "critical" .. "info"
Severity severityFromId(const QString &id); // unknown -> Info

// One number behind a finding. Every value must be present in the stored run.
struct Evidence
{
    QString metric;   // e.g. "effective_parallelism"
    double value = 0;
    QString unit;     // "ms", "req/s", "%", "" ...
    QString note;     // human words, may quote a normalised error message
};

// A named root cause (DESIGN.md §7: ids are stable, tests and CI depend on them).
struct Finding
{
    QString id;
    Severity severity = Severity::Info;
    QString title;
    QString summary;
    QString endpoint;           // empty when not specific to one endpoint
    std::vector<Evidence> evidence;
    QString recommendation;
    QString layer;              // code | configuration | architecture | capacity
    double confidence = 0;      // 0..1
};

// One launch-gate check (DESIGN.md §8).
struct GateCheck
{
    QString id;                 // e.g. "p95_ms", "error_rate"
    QString label;              // "P95 ≤ 120 ms"
    double threshold = 0;
    double value = 0;
    bool measured = false;      // false: nothing to evaluate (counts as not passed)
    bool pass = false;
    QString unit;               // "ms", "ratio", "req/s", "queries", "" (additive, for reports)
    QString note;               // where it was evaluated ("at 20 users", "over the last 10 s") or why not
};

} // namespace Preflight
