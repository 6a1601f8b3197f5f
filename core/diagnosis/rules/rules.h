#pragma once

#include "rulecontext.h"

#include "data/finding.h"

#include <optional>
#include <vector>

namespace Preflight {

// One pure function per finding id of docs/diagnosis.md. Each returns nothing when its evidence is absent;
// thresholds are named constants in the .cpp files and listed in docs/diagnosis.md.

// Concurrency (rules/concurrencyrules.cpp)
std::optional<Finding> ruleSingleConnection(const RuleContext &ctx); // single-connection
std::optional<Finding> ruleSerializedServer(const RuleContext &ctx); // serialized-server
std::optional<Finding> rulePoolExhaustion(const RuleContext &ctx);   // pool-exhaustion
std::optional<Finding> ruleCapacityKnee(const RuleContext &ctx);     // capacity-knee (info)

// Database sessions (rules/databaserules.cpp)
std::optional<Finding> ruleConnectionChurn(const RuleContext &ctx);    // connection-churn
std::optional<Finding> ruleLockContention(const RuleContext &ctx);     // lock-contention
std::optional<Finding> ruleMaxConnectionsNear(const RuleContext &ctx); // max-connections-near
std::optional<Finding> ruleIdleInTransaction(const RuleContext &ctx);  // idle-in-transaction

// Statements and plans (rules/statementrules.cpp)
std::vector<Finding> ruleNPlusOne(const RuleContext &ctx);     // n-plus-one, one per endpoint
std::vector<Finding> ruleMissingIndex(const RuleContext &ctx); // missing-index, one per table+columns

// Saturation (rules/saturationrules.cpp)
std::optional<Finding> ruleDbSaturation(const RuleContext &ctx);       // db-saturation
std::optional<Finding> ruleWorkerSaturation(const RuleContext &ctx);   // worker-saturation
std::optional<Finding> ruleGeneratorSaturated(const RuleContext &ctx); // generator-saturated

// Client side (rules/clientrules.cpp)
std::vector<Finding> ruleSlowEndpoint(const RuleContext &ctx);            // slow-endpoint, one per endpoint
std::optional<Finding> ruleLoadShedding(const RuleContext &ctx);          // load-shedding
std::optional<Finding> ruleTimeouts(const RuleContext &ctx);              // timeouts
std::optional<Finding> ruleErrorRate(const RuleContext &ctx);             // error-rate
std::optional<Finding> ruleHealthEndpointMissing(const RuleContext &ctx); // health-endpoint-missing

// Every rule, unmerged and unordered.
std::vector<Finding> runAllRules(const RuleContext &ctx);

// Serialisation shared by single-connection and serialized-server: levels with offered concurrency
// >= kSerialMinConcurrency whose effective parallelism stays <= kSerialParallelism.
constexpr double kSerialParallelism = 1.5;
constexpr double kSerialMinConcurrency = 3;

} // namespace Preflight
