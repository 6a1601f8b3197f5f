#include "planinspector.h"

#include "dblog.h"
#include "pgconnection.h"
#include "queryfingerprint.h"
#include "statementguard.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <pg_query.h>

#include <functional>

namespace Preflight {

namespace {

PlanNode nodeFromJson(const QJsonObject &o)
{
    PlanNode n;
    n.node_type = o.value(QLatin1String("Node Type")).toString();
    n.relation = o.value(QLatin1String("Relation Name")).toString();
    n.schema = o.value(QLatin1String("Schema")).toString();
    n.index_name = o.value(QLatin1String("Index Name")).toString();
    n.filter = o.value(QLatin1String("Filter")).toString();
    n.plan_rows = o.value(QLatin1String("Plan Rows")).toDouble();
    n.startup_cost = o.value(QLatin1String("Startup Cost")).toDouble();
    n.total_cost = o.value(QLatin1String("Total Cost")).toDouble();
    if (!n.filter.isEmpty())
        n.filter_columns = PlanInspector::filterColumns(n.filter);
    for (const QJsonValue &c : o.value(QLatin1String("Plans")).toArray())
        n.children.push_back(nodeFromJson(c.toObject()));
    return n;
}

void collectColumnRefs(const QJsonValue &v, QStringList &out)
{
    if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            collectColumnRefs(e, out);
        return;
    }
    if (!v.isObject())
        return;
    const QJsonObject o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key() == QLatin1String("ColumnRef")) {
            const QJsonArray fields = it.value().toObject().value(QLatin1String("fields")).toArray();
            if (!fields.isEmpty()) {
                const QString name = fields.last()
                                         .toObject()
                                         .value(QLatin1String("String"))
                                         .toObject()
                                         .value(QLatin1String("sval"))
                                         .toString();
                if (!name.isEmpty() && !out.contains(name))
                    out << name;
            }
        } else {
            collectColumnRefs(it.value(), out);
        }
    }
}

} // namespace

PlanInspector::PlanInspector(PgConnection &conn) : PlanInspector(conn, Options{}) {}

PlanInspector::PlanInspector(PgConnection &conn, const Options &options) : m_conn(conn), m_options(options) {}

QStringList PlanInspector::filterColumns(const QString &filter)
{
    QStringList cols;
    // The filter is an SQL expression; let the PostgreSQL parser find the column references.
    const QByteArray probe = "SELECT 1 WHERE " + filter.toUtf8();
    PgQueryParseResult r = pg_query_parse(probe.constData());
    if (!r.error) {
        collectColumnRefs(QJsonDocument::fromJson(QByteArray(r.parse_tree)).object().value(QLatin1String("stmts")),
                          cols);
        pg_query_free_parse_result(r);
        return cols;
    }
    pg_query_free_parse_result(r);
    // Fallback for text the parser does not take ("(SubPlan 1)", "hashed SubPlan"): identifiers before an
    // operator, qualified or not.
    static const QRegularExpression re(QStringLiteral(
        R"((?:\b[A-Za-z_][A-Za-z0-9_]*\.)?\b([A-Za-z_][A-Za-z0-9_]*)\)?(?:::[a-z ]+)?\s*(?:=|<>|!=|<=|>=|<|>|~~\*?|!~~|IS\b|IN\b|LIKE\b|ILIKE\b))"));
    auto it = re.globalMatch(filter);
    while (it.hasNext()) {
        const QString c = it.next().captured(1);
        if (!cols.contains(c) && c != QLatin1String("SubPlan"))
            cols << c;
    }
    return cols;
}

PlanNode PlanInspector::parsePlanJson(const QByteArray &json, QString *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    QJsonObject top;
    if (doc.isArray() && !doc.array().isEmpty())
        top = doc.array().first().toObject();
    else if (doc.isObject())
        top = doc.object();
    if (!top.contains(QLatin1String("Plan"))) {
        if (error)
            *error = QStringLiteral("EXPLAIN output is not a JSON plan: %1").arg(pe.errorString());
        return {};
    }
    return nodeFromJson(top.value(QLatin1String("Plan")).toObject());
}

std::vector<PlanNode> PlanInspector::flaggedNodes(const PlanNode &root)
{
    std::vector<PlanNode> out;
    std::function<void(const PlanNode &)> walk = [&](const PlanNode &n) {
        if (n.flagged) {
            PlanNode copy = n;
            copy.children.clear();
            out.push_back(copy);
        }
        for (const PlanNode &c : n.children)
            walk(c);
    };
    walk(root);
    return out;
}

void PlanInspector::annotate(PlanNode &node)
{
    if (!node.relation.isEmpty()) {
        const PgResultSet r =
            m_conn.query(QStringLiteral("SELECT c.reltuples, s.n_live_tup FROM pg_class c "
                                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                        "LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid "
                                        "WHERE c.relname = $1 AND ($2 = '' OR n.nspname = $2) "
                                        "ORDER BY (n.nspname = ANY (current_schemas(false))) DESC LIMIT 1"),
                         {node.relation, node.schema.isNull() ? QStringLiteral("") : node.schema});
        if (r.ok() && r.rowCount() == 1) {
            double rows = r.value(0, 0).toDouble();
            if (rows < 0 && !r.value(0, 1).isNull()) // never analysed (PostgreSQL 14+ reports -1)
                rows = r.value(0, 1).toDouble();
            node.relation_rows = rows;
        }
        node.flagged = node.node_type == QLatin1String("Seq Scan") && !node.filter.isEmpty() &&
                       node.relation_rows >= m_options.large_relation_rows;
    }
    for (PlanNode &c : node.children)
        annotate(c);
}

QueryPlan PlanInspector::explain(const QString &sql)
{
    QueryPlan plan;
    plan.text = sql;
    plan.fingerprint = QueryFingerprint::of(sql);
    const StatementGuard::Verdict v = StatementGuard::checkSelect(sql, m_options.analyze);
    if (!v.allowed) {
        plan.error = QStringLiteral("refused: the statement %1").arg(v.reason);
        return plan;
    }
    if (m_options.analyze && v.max_param > 0) {
        plan.error =
            QStringLiteral("refused: EXPLAIN ANALYZE needs concrete values, the statement has $n placeholders");
        return plan;
    }
    const QString explainOptions =
        m_options.analyze ? QStringLiteral("FORMAT JSON, VERBOSE, ANALYZE") : QStringLiteral("FORMAT JSON, VERBOSE");
    std::vector<PgConnection::Statement> statements;
    QString prepared;
    if (v.max_param == 0) {
        statements.push_back({QStringLiteral("EXPLAIN (%1) %2").arg(explainOptions, v.statement), {}});
    } else if (m_conn.serverVersionNum() >= 160000) {
        statements.push_back({QStringLiteral("EXPLAIN (%1, GENERIC_PLAN) %2").arg(explainOptions, v.statement), {}});
    } else {
        prepared = QStringLiteral("preflight_plan_%1").arg(++m_prepareSeq);
        QStringList nulls;
        for (int i = 0; i < v.max_param; ++i)
            nulls << QStringLiteral("NULL");
        statements.push_back({QStringLiteral("SET LOCAL plan_cache_mode = force_generic_plan"), {}});
        statements.push_back({QStringLiteral("PREPARE %1 AS %2").arg(prepared, v.statement), {}});
        statements.push_back({QStringLiteral("EXPLAIN (%1) EXECUTE %2(%3)")
                                  .arg(explainOptions, prepared, nulls.join(QStringLiteral(", "))),
                              {}});
        statements.push_back({QStringLiteral("DEALLOCATE %1").arg(prepared), {}});
    }
    const std::vector<PgResultSet> results = m_conn.transaction(statements, PgConnection::Finish::Rollback);
    // Find the EXPLAIN result and the first failure.
    const PgResultSet *explainResult = nullptr;
    const PgResultSet *failure = nullptr;
    for (size_t i = 0; i < results.size(); ++i) {
        if (!results[i].ok() && !failure)
            failure = &results[i];
        if (results[i].ok() && results[i].columns.value(0) == QLatin1String("QUERY PLAN"))
            explainResult = &results[i];
    }
    if (!prepared.isEmpty() && (failure || results.size() < statements.size())) {
        // PREPARE is not transactional: make sure the statement does not outlive a failed attempt.
        const PgResultSet cleanup = m_conn.query(QStringLiteral("DEALLOCATE %1").arg(prepared));
        Q_UNUSED(cleanup); // fails harmlessly when PREPARE itself failed
    }
    if (failure || !explainResult || explainResult->rowCount() < 1) {
        plan.error = QStringLiteral("EXPLAIN failed: %1")
                         .arg(failure ? failure->error.message : QStringLiteral("no plan returned"));
        return plan;
    }
    QString parseError;
    plan.root = parsePlanJson(explainResult->value(0, 0).toUtf8(), &parseError);
    if (!parseError.isEmpty()) {
        plan.error = parseError;
        return plan;
    }
    annotate(plan.root);
    plan.valid = true;
    return plan;
}

} // namespace Preflight
