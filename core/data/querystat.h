#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace Preflight {

// Where a statement's figures were measured. Stored and written to JSON by its id (queryPhaseId).
enum class QueryPhase {
    Profile, // the profiling pass: one endpoint alone, K sequential requests ("profile")
    Run,     // the whole load ("run")
    Stage,   // one stage of the load, e.g. one sweep level ("stage")
    Log,     // a statement log without a profiling pass to attribute it ("log")
};
QString queryPhaseId(QueryPhase phase);                           // "profile", "run", "stage", "log"
QueryPhase queryPhaseFrom(const QString &id, bool *ok = nullptr); // unknown ids read as Run, *ok false

// One query's pg_stat_statements delta over a span (the profiling pass of one endpoint, or the whole run).
struct QueryStat
{
    QueryPhase phase = QueryPhase::Run;
    // Index into RunData::plan.endpoints of the endpoint the statement ran for: set for "profile" (and a
    // statement log read per endpoint); -1 for "run", "stage" and "log". A "profile" statement at -1 was recorded
    // under a name the plan does not hold (Plan::endpointDisplayName: "(unknown endpoint)"). Files keep the
    // name (run JSON, JSON summary, run store: Plan::endpointName / endpointIndex at their boundary).
    int endpoint = -1;
    QString queryid;     // pg_stat_statements queryid as text
    QString fingerprint; // libpg_query fingerprint (hex)
    QString text;        // normalised text ($1 placeholders), never literal values
    double calls = 0;
    double requests = 0; // requests served in the span ("profile": by the endpoint; "stage": by all)
    double calls_per_request = 0;
    double rows = 0;
    double rows_per_call = 0;
    double mean_ms = 0;
    double total_ms = 0;
    int stage = -1; // "stage": index into RunData::stages (one sweep level); -1 otherwise
};

// One node of an EXPLAIN (FORMAT JSON) plan.
struct PlanNode
{
    QString node_type; // "Seq Scan", "Index Scan", "Hash Join", ...
    QString relation;
    QString schema; // relation's schema when known (EXPLAIN VERBOSE)
    QString index_name;
    QString filter;
    QStringList filter_columns;
    double plan_rows = 0;
    double startup_cost = 0;
    double total_cost = 0;
    double relation_rows = -1; // reltuples of the relation when known
    bool flagged = false;      // Seq Scan on a large relation with a Filter
    std::vector<PlanNode> children;
};

struct QueryPlan
{
    QString fingerprint;
    QString text;
    PlanNode root;
    bool valid = false;
    QString error; // why there is no plan (refused statement, EXPLAIN failed, ...)
};

} // namespace Preflight
