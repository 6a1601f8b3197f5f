// n-plus-one and missing-index: what the profiling pass's statements and their plans show.
#include "rules.h"

#include "db/queryfingerprint.h"
#include "diagnosis/querycount.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

namespace Preflight {

namespace {

constexpr double kNPlusOneMinCalls = 5; // child calls per request
constexpr double kNPlusOneTrack = 0.25; // |parent rows/call − child calls/req| ≤ 25%
constexpr double kMissingIndexMinRows = 10000;
constexpr double kMissingIndexMaxSelectivity = 0.2; // returns > 20% of the table: an index would not help
constexpr double kMissingIndexColdShare = 0.01;     // < 1% of the database's time: a note (low)
constexpr double kMissingIndexHotShare = 0.1;       // ≥ 10%: hot

// The filter's columns, those compared with = (or IN / = ANY) first, then the rest, each once, in text order.
QStringList orderedFilterColumns(const QString &filter, const QStringList &columns)
{
    QStringList equality, other;
    for (const QString &c : columns) {
        const QRegularExpression eq(
            QStringLiteral("\\b%1\\)?(::\\w+)?\\s*(=|IN\\b|= ANY)").arg(QRegularExpression::escape(c)),
            QRegularExpression::CaseInsensitiveOption);
        (eq.match(filter).hasMatch() ? equality : other) << c;
    }
    equality.removeDuplicates();
    other.removeDuplicates();
    for (const QString &c : equality)
        other.removeAll(c);
    return equality + other;
}

// The WHERE clause of a statement (up to GROUP/ORDER/LIMIT), or "" when it has none.
QString whereClause(const QString &sql)
{
    static const QRegularExpression re(
        QStringLiteral("\\bWHERE\\b(.*?)(\\bGROUP\\s+BY\\b|\\bORDER\\s+BY\\b|\\bLIMIT\\b|\\bRETURNING\\b|$)"),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch m = re.match(sql);
    return m.hasMatch() ? m.captured(1).simplified() : QString();
}

// Columns compared in a WHERE clause, equality first (for SQLite plans, which name no filter).
QStringList whereColumns(const QString &sql)
{
    const QString where = whereClause(sql);
    static const QRegularExpression cmp(
        QStringLiteral("(?:\\b\\w+\\.)?\"?([A-Za-z_]\\w*)\"?\\s*(=|==|<>|!=|<=|>=|<|>|\\bLIKE\\b|\\bIN\\b|\\bGLOB\\b)"),
        QRegularExpression::CaseInsensitiveOption);
    QStringList equality, other;
    for (auto it = cmp.globalMatch(where); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QString col = m.captured(1);
        static const QStringList keywords = {QStringLiteral("AND"), QStringLiteral("OR"), QStringLiteral("NOT")};
        if (keywords.contains(col.toUpper()))
            continue;
        const QString op = m.captured(2).toUpper();
        (op == QLatin1String("=") || op == QLatin1String("==") || op == QLatin1String("IN") ? equality : other) << col;
    }
    equality.removeDuplicates();
    other.removeDuplicates();
    for (const QString &c : equality)
        other.removeAll(c);
    return equality + other;
}

} // namespace

std::vector<Finding> ruleNPlusOne(const RuleContext &ctx)
{
    std::vector<int> endpoints;
    for (const QueryStat &q : ctx.run.queries)
        if (q.phase == QueryPhase::Profile &&
            std::find(endpoints.begin(), endpoints.end(), q.endpoint) == endpoints.end())
            endpoints.push_back(q.endpoint);
    std::vector<Finding> out;
    for (int endpoint : endpoints) {
        // Data statements only (no BEGIN/SAVEPOINT/SET per row), grouped by fingerprint.
        const std::vector<QueryStat> statements = QueryCount::profiledStatements(ctx.run, endpoint);
        std::vector<const QueryStat *> stats, children;
        for (const QueryStat &q : statements) {
            stats.push_back(&q);
            if (q.calls_per_request >= kNPlusOneMinCalls)
                children.push_back(&q);
        }
        if (children.empty())
            continue;
        auto tracks = [](double calls, double expected) {
            return expected > 0 && std::abs(calls - expected) <= kNPlusOneTrack * expected;
        };
        // Parent: about one call per request whose rows per call match the children's calls per request.
        const QueryStat *parent = nullptr;
        std::vector<const QueryStat *> tracking;
        for (const QueryStat *p : stats) {
            if (p->calls_per_request < 0.5 || p->calls_per_request > 1.5 || p->rows_per_call < 2)
                continue;
            std::vector<const QueryStat *> t;
            for (const QueryStat *c : children)
                if (tracks(c->calls_per_request / p->calls_per_request, p->rows_per_call))
                    t.push_back(c);
            if (t.size() > tracking.size()) {
                tracking = t;
                parent = p;
            }
        }
        // Nested loops (1 + N + N·M): a statement run once per row of a child, i.e. child calls × child rows/call.
        std::vector<std::pair<const QueryStat *, const QueryStat *>> nested; // (grandchild, its child)
        if (parent) {
            for (const QueryStat *g : children) {
                if (std::find(tracking.begin(), tracking.end(), g) != tracking.end())
                    continue;
                for (const QueryStat *c : tracking)
                    if (c->rows_per_call >= 1 &&
                        tracks(g->calls_per_request, c->calls_per_request * c->rows_per_call)) {
                        nested.emplace_back(g, c);
                        break;
                    }
            }
        }
        // A statement log (SQLite, server logs) counts calls but not rows, so no parent can be matched by its rows.
        // Then the parent is the endpoint's one statement run once per request, when there is exactly one, and the
        // children are those sharing one N (calls per request within 25% of each other); confidence stays below
        // a rows-confirmed parent.
        const bool rowsKnown =
            std::any_of(stats.begin(), stats.end(), [](const QueryStat *q) { return q->rows_per_call >= 0; });
        const QueryStat *onceParent = nullptr;
        if (!parent && !rowsKnown) {
            std::vector<const QueryStat *> once;
            for (const QueryStat *p : stats)
                if (p->calls_per_request >= 0.5 && p->calls_per_request <= 1.5)
                    once.push_back(p);
            std::vector<double> calls;
            for (const QueryStat *c : children)
                calls.push_back(c->calls_per_request);
            std::nth_element(calls.begin(), calls.begin() + long(calls.size() / 2), calls.end());
            const double median = calls[calls.size() / 2];
            for (const QueryStat *c : children)
                if (std::abs(c->calls_per_request - median) <= kNPlusOneTrack * median)
                    tracking.push_back(c);
            if (once.size() == 1)
                onceParent = once.front();
            else
                tracking.clear();
        }
        const bool hasParent = parent || onceParent;
        const std::vector<const QueryStat *> &kids = hasParent ? tracking : children;
        const int k = int(kids.size());
        double kidsCalls = 0;
        for (const QueryStat *c : kids)
            kidsCalls += c->calls_per_request;
        // N is only what was measured: the parent's rows per call, or (statement log) the children's common count.
        const double n = parent ? parent->rows_per_call : onceParent ? kidsCalls / k : -1;
        double m = 0;
        for (const auto &[g, c] : nested)
            m = std::max(m, c->rows_per_call);
        double total = 0;
        for (const QueryStat *q : stats)
            total += q->calls_per_request;
        QString label = ctx.endpointLabel(endpoint);
        if (label.isEmpty())
            label = ctx.run.plan.endpointDisplayName(endpoint); // "(unknown endpoint)"
        Finding f;
        f.id = QStringLiteral("n-plus-one");
        f.layer = QStringLiteral("code");
        f.endpoint = ctx.run.plan.endpointDisplayName(endpoint);
        f.refs.endpoint = endpoint;
        f.confidence = parent ? 0.9 : onceParent ? 0.75 : 0.55;
        f.severity = total >= 20 ? Severity::High : Severity::Medium;
        const int j = int(nested.size());
        QString formula = k == 1 ? QStringLiteral("1 + N") : QStringLiteral("1 + %1N").arg(k);
        if (j > 0)
            formula += j == 1 ? QStringLiteral(" + N·M") : QStringLiteral(" + %1N·M").arg(j);
        QStringList childTexts;
        for (const QueryStat *c : kids)
            childTexts << QStringLiteral("`%1`").arg(shortText(c->text));
        if (hasParent) {
            f.title = QStringLiteral("%1 runs %2 queries").arg(label, formula);
            const double expected = 1 + k * n + j * n * m;
            f.summary =
                parent
                    ? QStringLiteral("With N = %1 rows from the parent query%2, one request runs %3 = %4 queries (%5 "
                                     "measured in the profiling pass). Parent: `%6`. Per row: %7.")
                          .arg(fmt(n), j > 0 ? QStringLiteral(" and M = %1 rows per child").arg(fmt(m, 1)) : QString(),
                               j > 0 ? formula : QStringLiteral("1 + %1·%2").arg(k).arg(fmt(n)), fmt(expected),
                               fmt(total, 1), shortText(parent->text), childTexts.join(QStringLiteral(", ")))
                    : QStringLiteral(
                          "Each of %1 statements runs N = %2 times per request, after one statement run once "
                          "per request: 1 + %1·%2 = %3 queries (%4 measured in the profiling pass). Parent (the "
                          "statement log has no row counts to confirm that it returns the N rows): `%5`. Per "
                          "row: %6.")
                          .arg(QString::number(k), fmt(n, 1), fmt(expected, 1), fmt(total, 1),
                               shortText(onceParent->text), childTexts.join(QStringLiteral(", ")));
        } else {
            // No parent found: say what repeats, claim no N.
            f.severity = Severity::Medium;
            f.title =
                QStringLiteral("%1 repeats %2 per request")
                    .arg(label, k == 1 ? QStringLiteral("a query %1×").arg(fmt(kids.front()->calls_per_request))
                                       : QStringLiteral("%1 queries ≥ %2× each").arg(k).arg(fmt(kNPlusOneMinCalls)));
            f.summary = QStringLiteral("One request runs %1 queries; %2 statement(s) run %3 times or more per request "
                                       "each, but no parent query returning that many rows was measured, so N is not "
                                       "known. Repeated: %4.")
                            .arg(fmt(total, 1))
                            .arg(k)
                            .arg(fmt(kNPlusOneMinCalls), childTexts.join(QStringLiteral(", ")));
        }
        f.evidence.push_back(evidence(QStringLiteral("queries_per_request"), total, QStringLiteral("queries"),
                                      QStringLiteral("data statements per request of %1 (profiling pass, %2 requests; "
                                                     "transaction control left out)")
                                          .arg(label, fmt(stats.front()->requests))));
        if (n >= 0)
            f.evidence.push_back(
                evidence(QStringLiteral("n_rows"), n, QStringLiteral("rows"),
                         parent ? QStringLiteral("N: rows per call of the parent")
                                : QStringLiteral("N: calls per request each child shares (statement log)")));
        if (parent) {
            f.evidence.push_back(evidence(QStringLiteral("parent_rows_per_call"), parent->rows_per_call,
                                          QStringLiteral("rows"),
                                          QStringLiteral("parent: %1").arg(shortText(parent->text))));
            f.refs.statements.push_back({parent->fingerprint, QStringLiteral("parent"), parent->text});
        }
        if (onceParent) {
            f.evidence.push_back(evidence(
                QStringLiteral("parent_calls_per_request"), onceParent->calls_per_request, QStringLiteral("calls"),
                QStringLiteral("parent (the one statement run once per request; no row counts "
                               "in the statement log): %1")
                    .arg(shortText(onceParent->text))));
            f.refs.statements.push_back({onceParent->fingerprint, QStringLiteral("parent"), onceParent->text});
        }
        for (const QueryStat *c : kids) {
            f.evidence.push_back(evidence(QStringLiteral("calls_per_request"), c->calls_per_request,
                                          QStringLiteral("calls"),
                                          QStringLiteral("child: %1").arg(shortText(c->text))));
            f.refs.statements.push_back({c->fingerprint, QStringLiteral("child"), c->text});
        }
        for (const auto &[g, c] : nested) {
            f.evidence.push_back(evidence(
                QStringLiteral("calls_per_request"), g->calls_per_request, QStringLiteral("calls"),
                QStringLiteral("grandchild (once per row of %1): %2").arg(shortText(c->text, 60), shortText(g->text))));
            f.refs.statements.push_back({g->fingerprint, QStringLiteral("grandchild"), g->text});
        }
        if (hasParent)
            f.evidence.push_back(
                evidence(QStringLiteral("children_per_row"), k, QString(), QStringLiteral("k in 1 + k·N")));
        if (j > 0) {
            f.evidence.push_back(evidence(QStringLiteral("grandchildren_per_row"), j, QString(),
                                          QStringLiteral("statements per row of a child")));
            f.evidence.push_back(evidence(QStringLiteral("m_rows"), m, QStringLiteral("rows"),
                                          QStringLiteral("M: rows per call of the child they hang from")));
        }
        const double now = hasParent ? 1 + k * n + j * n * m : total;
        f.recommendation =
            QStringLiteral(
                "Load the related rows in one query per relation instead of one per parent row: a JOIN, or "
                "`WHERE parent_id = ANY($1)` with the parent ids (ORM eager loading: selectinload/joinedload, "
                "prefetch_related, includes). That turns %1 queries into %2.")
                .arg(fmt(now), QString::number((hasParent ? 1 : 0) + k + j));
        out.push_back(f);
    }
    return out;
}

std::vector<Finding> ruleMissingIndex(const RuleContext &ctx)
{
    struct Hit
    {
        QString relation;
        QStringList columns; // equality columns first
        double relationRows = 0;
        QString filter;
        std::vector<const QueryPlan *> plans;
    };
    std::map<QString, Hit> hits; // key: relation + columns
    auto consider = [&](const PlanNode &n, const QueryPlan &plan) {
        const bool pgSeq =
            n.node_type == QLatin1String("Seq Scan") || n.node_type == QLatin1String("Parallel Seq Scan");
        const bool sqliteScan = n.node_type == QLatin1String("SCAN") && n.flagged;
        const bool large = n.relation_rows >= kMissingIndexMinRows;
        QStringList cols;
        QString filter;
        if (pgSeq && (!n.filter.isEmpty() || !n.filter_columns.isEmpty()) &&
            (large || (n.flagged && n.relation_rows < 0))) {
            cols = orderedFilterColumns(n.filter, n.filter_columns);
            filter = n.filter;
        } else if (sqliteScan) {
            // SQLite's plan names no filter: the statement's WHERE clause does. A full scan without one (a report
            // over the whole table) is no missing index.
            filter = whereClause(plan.text);
            if (filter.isEmpty())
                return;
            cols = whereColumns(plan.text);
        } else {
            return;
        }
        const QString key = n.relation + QLatin1Char('|') + cols.join(QLatin1Char(','));
        Hit &h = hits[key];
        h.relation = n.relation;
        h.columns = cols;
        h.relationRows = std::max(h.relationRows, n.relation_rows);
        h.filter = filter;
        h.plans.push_back(&plan);
    };
    std::function<void(const PlanNode &, const QueryPlan &)> walk = [&](const PlanNode &n, const QueryPlan &plan) {
        consider(n, plan);
        for (const PlanNode &c : n.children)
            walk(c, plan);
    };
    for (const QueryPlan &p : ctx.run.plans)
        if (p.valid)
            walk(p.root, p);

    // The database's time over the run, for each statement's share.
    double runDbTime = 0;
    for (const QueryStat &q : ctx.run.queries)
        if (q.phase == QueryPhase::Run && QueryCount::countsAsQuery(q))
            runDbTime += q.total_ms;

    std::vector<Finding> out;
    for (const auto &[key, h] : hits) {
        Finding f;
        f.id = QStringLiteral("missing-index");
        f.layer = QStringLiteral("database");
        f.refs.relation = h.relation;
        f.refs.columns = h.columns;
        const QString cols = h.columns.join(QStringLiteral(", "));
        double meanMs = -1, calls = 0, rowsPerCall = -1, totalMs = 0;
        for (const QueryPlan *p : h.plans) {
            for (const QueryStat &q : ctx.run.queries) {
                if (q.fingerprint != p->fingerprint || q.fingerprint.isEmpty())
                    continue;
                meanMs = std::max(meanMs, q.mean_ms);
                if (q.rows_per_call >= 0)
                    rowsPerCall = std::max(rowsPerCall, q.rows_per_call);
                if (q.phase == QueryPhase::Run) {
                    calls += q.calls;
                    totalMs += q.total_ms;
                }
                if (q.phase == QueryPhase::Profile && f.endpoint.isEmpty()) {
                    f.endpoint = ctx.run.plan.endpointDisplayName(q.endpoint);
                    f.refs.endpoint = q.endpoint;
                }
            }
            f.refs.statements.push_back({p->fingerprint, QStringLiteral("scan"), p->text});
            f.evidence.push_back(
                evidence(QStringLiteral("relation_rows"), h.relationRows, QStringLiteral("rows"),
                         QStringLiteral("%1 on %2, filter: %3 — query: %4")
                             .arg(ctx.sqlite ? QStringLiteral("SCAN") : QStringLiteral("Seq Scan"), h.relation,
                                  h.filter.isEmpty() ? cols : h.filter, shortText(p->text))));
        }
        // Selectivity: an index pays when the filter keeps few rows. A query that returns a good part of the table
        // reads it anyway (that is db-saturation's business, not an index's).
        const double selectivity = rowsPerCall >= 0 && h.relationRows > 0 ? rowsPerCall / h.relationRows : -1;
        if (selectivity > kMissingIndexMaxSelectivity)
            continue;
        const double share = runDbTime > 0 && totalMs > 0 ? totalMs / runDbTime : -1;
        if (selectivity >= 0)
            f.evidence.push_back(evidence(QStringLiteral("selectivity"), selectivity, QStringLiteral("ratio"),
                                          QStringLiteral("%1 rows returned per call of %2 scanned")
                                              .arg(fmt(rowsPerCall, 1), fmt(h.relationRows))));
        if (meanMs >= 0)
            f.evidence.push_back(evidence(QStringLiteral("query_mean_ms"), meanMs, QStringLiteral("ms"),
                                          QStringLiteral("mean time of the scanning query")));
        if (calls > 0)
            f.evidence.push_back(evidence(QStringLiteral("query_calls"), calls, QStringLiteral("calls"),
                                          QStringLiteral("calls during the run")));
        if (share >= 0)
            f.evidence.push_back(evidence(QStringLiteral("db_time_share"), share, QStringLiteral("ratio"),
                                          QStringLiteral("share of the database's time during the run")));
        // Hot: a large share of the database's time, or a large table read slowly. A rare scan is a note.
        const bool big = h.relationRows >= 100000 || meanMs >= 50;
        if (share >= 0 && share < kMissingIndexColdShare)
            f.severity = Severity::Low;
        else if (big && (share < 0 || share >= kMissingIndexHotShare || calls >= 1000))
            f.severity = Severity::High;
        else
            f.severity = Severity::Medium;
        f.confidence = h.columns.isEmpty() ? 0.6 : selectivity >= 0 ? 0.85 : 0.7;
        if (ctx.sqlite)
            f.confidence = std::min(f.confidence, 0.7); // columns read from the statement, not the plan
        f.title = h.columns.isEmpty() ? QStringLiteral("Sequential scan of %1 for a filtered query").arg(h.relation)
                                      : QStringLiteral("No index on %1(%2)").arg(h.relation, cols);
        f.summary =
            QStringLiteral("The planner reads all %1 rows of %2 to find the %3 that match `%4`%5; the cost grows "
                           "with the table and every call competes for I/O and CPU.")
                .arg(fmt(h.relationRows), h.relation,
                     rowsPerCall >= 0 ? QStringLiteral("%1 rows per call").arg(fmt(rowsPerCall, 1))
                                      : QStringLiteral("few"),
                     h.filter.isEmpty() ? cols : h.filter,
                     share >= 0 ? QStringLiteral(" (%1 of the database's time)").arg(pct(share, 0)) : QString());
        QString indexName =
            QStringLiteral("idx_%1_%2").arg(h.relation.section(QLatin1Char('.'), -1), h.columns.join(QLatin1Char('_')));
        indexName.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_]")), QStringLiteral("_"));
        f.recommendation =
            h.columns.isEmpty()
                ? QStringLiteral("Add an index on the filtered column(s) of %1 (see the plan's Filter), created "
                                 "CONCURRENTLY; then re-check the plan uses it.")
                      .arg(h.relation)
            : ctx.sqlite
                ? QStringLiteral("CREATE INDEX %1 ON %2 (%3); — then re-run EXPLAIN QUERY PLAN to confirm a SEARCH "
                                 "USING INDEX (Preflight never runs it).")
                      .arg(indexName, h.relation, cols)
                : QStringLiteral("CREATE INDEX CONCURRENTLY %1 ON %2 (%3); — equality columns first; then re-run "
                                 "EXPLAIN to confirm an Index Scan (Preflight never runs it).")
                      .arg(indexName, h.relation, cols);
        out.push_back(f);
    }
    return out;
}

} // namespace Preflight
