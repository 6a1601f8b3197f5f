#pragma once

#include "diagnosis/capacitymodel.h"
#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "diagnosis/signaturehit.h"

#include "data/rundata.h"
#include "db/appsessions.h"

#include <QString>

#include <vector>

namespace Preflight {

// What every rule reads: the run plus the numbers derived from it once. Built by makeRuleContext();
// rules are pure functions of it. References must outlive the context.
struct RuleContext
{
    const RunData &run;
    const GateSet &gates;
    std::vector<LevelSummary> levels;
    CapacityModel capacity;
    std::vector<SignatureHit> signatures;
    EndpointStats total;
    bool postgres = false;         // PostgreSQL samples exist
    bool sqlite = false;           // the target database is a SQLite file
    bool dbSamples = false;        // any DB sample at all
    AppSessions appSessions{};     // which sessions were counted as the app's (the plan's database.app)
    bool targetOnThisHost = false; // loopback target: the backend shares this host's CPUs with Preflight

    // "GET /customers/{id}" (query string dropped) for a plan endpoint index; empty if the plan lacks it.
    QString endpointLabel(int index) const;
    bool isWriteEndpoint(int index) const; // POST, PUT, PATCH, DELETE
    // Level indices that carry load and are not ramps, in increasing load (closed model first).
    std::vector<int> loadLevels() const;
    // Offered concurrency of a level: users, or rate × service time for the open model; -1 unknown.
    double offeredConcurrency(const LevelSummary &level) const;
    double clientTimeout_ms() const { return run.plan.target.timeout_ms; }
    // The target runs on this host and the host's CPUs were saturated at this level (≥ kHostCpuSaturated busy on
    // two or more CPUs): flat throughput there is CPU shared by the backend, its database and Preflight, which
    // Little's law cannot tell from one request at a time.
    bool hostCpuSaturated(const LevelSummary &level) const;
};

RuleContext makeRuleContext(const RunData &run, const GateSet &gates);

constexpr double kHostCpuSaturated = 0.9; // busy share of all the host's CPUs

// HTTP 5xx answers in these counts: the one definition of "server errors" the rules share.
uint64_t serverErrors(const EndpointStats &stats);

// Adds one evidence line per error signature backing `supports` (metric "error_signature", value = responses,
// note = catalogue id and the normalised message in quotes), most frequent first, at most maxLines.
// Returns the responses those signatures stand for (0: no signature backs the finding).
uint64_t addSignatureEvidence(const RuleContext &ctx, const QString &supports, Finding &f, int maxLines = 3);

// Adds one evidence line saying which database sessions were counted as the app's and which were left out
// and why (metric "sessions_left_out"): every DB-side finding carries it.
void addSessionScopeEvidence(const RuleContext &ctx, Finding &f);

// The rules' wording in the words of data/format.h (the one formatter), with the decimals the rule chooses.
QString fmt(double value, int decimals = 0); // Format::fixed
QString pct(double ratio, int decimals = 1); // 0.587 -> "58.7%"
QString usersLabel(double users);            // Format::load: "1 user", "20 users"
Evidence evidence(const QString &metric, double value, const QString &unit, const QString &note = QString());
QString shortText(const QString &text, int max = 120); // whitespace simplified, cut with "…" beyond max characters

} // namespace Preflight
