#pragma once

#include "data/querystat.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace Preflight {

class PgConnection;

// Plans of the target's queries, obtained without ever executing or writing anything (docs/architecture.md):
//  1. StatementGuard (libpg_query) first: exactly one plain SELECT (WITH … SELECT only without
//     data-modifying CTEs), no FOR UPDATE/SHARE, no SELECT INTO; everything else is refused before a byte
//     reaches the server (QueryPlan::error starts with "refused:").
//  2. EXPLAIN (FORMAT JSON, VERBOSE) inside BEGIN READ ONLY … ROLLBACK. Texts with $n placeholders (as
//     pg_stat_statements stores them) get a generic plan: PostgreSQL ≥ 16 EXPLAIN (GENERIC_PLAN); 15:
//     SET LOCAL plan_cache_mode = force_generic_plan + PREPARE + EXPLAIN EXECUTE (NULL, …) + DEALLOCATE.
//  3. The JSON becomes a PlanNode tree; every node on a relation gets reltuples (n_live_tup when never
//     analysed), and a Seq Scan with a Filter on a relation of ≥ large_relation_rows rows is flagged, with
//     the filter's column names.
// EXPLAIN ANALYZE runs only with Options::analyze (explicit user opt-in), only for a single plain SELECT
// without CTEs or placeholders, and is always rolled back.
// Blocking (bounded by the connection's statement_timeout); use from a worker thread.
class PlanInspector
{
public:
    struct Options
    {
        bool analyze = false;
        double large_relation_rows = 10000;
    };

    explicit PlanInspector(PgConnection &conn);
    PlanInspector(PgConnection &conn, const Options &options);

    QueryPlan explain(const QString &sql);

    // Parses EXPLAIN (FORMAT JSON) output into a tree (no relation sizes, nothing flagged).
    static PlanNode parsePlanJson(const QByteArray &json, QString *error);
    // Column names referenced by a plan Filter expression ("(big.category = 42)" → {"category"}).
    static QStringList filterColumns(const QString &filter);
    // The flagged nodes of a tree, depth first.
    static std::vector<PlanNode> flaggedNodes(const PlanNode &root);

private:
    void annotate(PlanNode &node);

    PgConnection &m_conn;
    Options m_options;
    int m_prepareSeq = 0;
};

} // namespace Preflight
