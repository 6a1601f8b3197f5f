// connection-churn, n-plus-one, missing-index, lock-contention, max-connections-near, idle-in-transaction:
// what the database samples, the profiling pass and the plans show.
#include "rules.h"

#include "db/queryfingerprint.h"
#include "diagnosis/querycount.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace Preflight {

namespace {

constexpr double kChurnPerRequest = 0.3; // new backends per request that count as churn
constexpr double kChurnHigh = 0.8;
constexpr double kNPlusOneMinCalls = 5; // child calls per request
constexpr double kNPlusOneTrack = 0.25; // |parent rows/call − child calls/req| ≤ 25%
constexpr double kMissingIndexMinRows = 10000;
constexpr double kLockShare = 0.2; // waiting on Lock / active
constexpr double kMaxConnectionsNear = 0.8;
constexpr double kMissingIndexMaxSelectivity = 0.2; // returns > 20% of the table: an index would not help
constexpr double kMissingIndexColdShare = 0.01;     // < 1% of the database's time: a note (low)
constexpr double kMissingIndexHotShare = 0.1;       // ≥ 10%: hot
constexpr double kIdleTxLong_s = 0.1;               // idle in a transaction longer than a statement-to-commit gap
constexpr double kIdleTxPerRequestMin_s = 0.02;     // per request, on average (Little's law) ...
constexpr double kIdleTxLongShare = 0.2;            // ... or ≥ 20% of the app's sessions held idle that long

QString shortText(const QString &text, int max = 120)
{
    const QString s = text.simplified();
    return s.size() > max ? s.left(max - 1) + QStringLiteral("…") : s;
}

int maxConnections(const RuleContext &ctx)
{
    int m = ctx.run.database.max_connections;
    for (const DbSample &s : ctx.run.db_samples)
        if (s.max_connections > 0)
            m = s.max_connections;
    return m;
}

// DB samples inside the steady span of load levels.
std::vector<const DbSample *> loadedSamples(const RuleContext &ctx)
{
    std::vector<std::pair<double, double>> spans;
    for (const StageInfo &st : ctx.run.stages)
        if (st.from > 0 || st.to > 0)
            spans.emplace_back(st.start_s + kLevelWarmup_s, st.start_s + st.duration_s);
    std::vector<const DbSample *> out;
    for (const DbSample &s : ctx.run.db_samples)
        for (const auto &[from, to] : spans)
            if (s.t_s >= from - 1e-9 && s.t_s <= to + 1e-9) {
                out.push_back(&s);
                break;
            }
    return out;
}

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

std::optional<Finding> ruleConnectionChurn(const RuleContext &ctx)
{
    if (!ctx.postgres)
        return std::nullopt;
    double newBackends = 0, requests = 0;
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        if (l.db_new_backends < 0)
            continue;
        // Requests over the time the samples cover (see LevelSummary::db_new_backends_span_s).
        newBackends += l.db_new_backends;
        requests += l.rps * (l.db_new_backends_span_s > 0 ? l.db_new_backends_span_s : l.steady_s);
    }
    if (requests < 20)
        return std::nullopt;
    const double perRequest = newBackends / requests;
    if (perRequest < kChurnPerRequest)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("connection-churn");
    f.layer = QStringLiteral("configuration");
    f.severity = perRequest >= kChurnHigh ? Severity::High : Severity::Medium;
    f.confidence = perRequest >= kChurnHigh ? 0.85 : 0.7;
    f.title = QStringLiteral("A new DB connection per request");
    f.summary = QStringLiteral("The database saw %1 new sessions for %2 requests under load (%3 per request): the app "
                               "opens a connection for each request instead of reusing a pool. Each connection costs "
                               "a backend process, authentication and catalogue warm-up.")
                    .arg(fmt(newBackends), fmt(requests), fmt(perRequest, 2));
    f.evidence.push_back(evidence(QStringLiteral("new_backends_per_request"), perRequest, QString(),
                                  QStringLiteral("sessions started after the previous 1 Hz sample; short sessions "
                                                 "between samples are missed, so this is a lower bound")));
    f.evidence.push_back(evidence(QStringLiteral("new_backends"), newBackends, QStringLiteral("sessions")));
    f.recommendation = QStringLiteral(
        "Create the engine/pool once per process and reuse it (do not connect inside the request handler); if the "
        "app cannot pool, put PgBouncer in front of PostgreSQL.");
    return f;
}

std::vector<Finding> ruleNPlusOne(const RuleContext &ctx)
{
    std::vector<QString> endpoints;
    for (const QueryStat &q : ctx.run.queries)
        if (q.phase == QueryPhase::Profile && !q.endpoint.isEmpty() &&
            std::find(endpoints.begin(), endpoints.end(), q.endpoint) == endpoints.end())
            endpoints.push_back(q.endpoint);
    std::vector<Finding> out;
    for (const QString &endpoint : endpoints) {
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
        const int index = ctx.endpointIndexByName(endpoint);
        const QString label = ctx.endpointLabelByName(endpoint);
        Finding f;
        f.id = QStringLiteral("n-plus-one");
        f.layer = QStringLiteral("code");
        f.endpoint = endpoint;
        f.refs.endpoint = index;
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
                    f.endpoint = q.endpoint;
                    f.refs.endpoint = ctx.endpointIndexByName(q.endpoint);
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

std::optional<Finding> ruleLockContention(const RuleContext &ctx)
{
    Finding f;
    f.id = QStringLiteral("lock-contention");
    f.layer = QStringLiteral("database");
    double confidence = 0;
    Severity severity = Severity::Medium;

    // Error bodies: "database is locked", deadlocks, lock timeouts, by endpoint.
    std::map<int, uint64_t> byEndpoint;
    QString excerpt;
    for (const SignatureHit &h : ctx.signatures)
        if (h.supports == QLatin1String("lock-contention")) {
            byEndpoint[h.endpoint] += h.count;
            excerpt = h.excerpt;
        }
    const std::vector<int> order = ctx.loadLevels();
    if (!byEndpoint.empty() && !order.empty()) {
        const auto worst = std::max_element(byEndpoint.begin(), byEndpoint.end(),
                                            [](const auto &a, const auto &b) { return a.second < b.second; });
        const int e = worst->first;
        const LevelSummary &low = ctx.levels[size_t(order.front())];
        const LevelSummary &top = ctx.levels[size_t(order.back())];
        auto rate = [e](const LevelSummary &l) {
            return e >= 0 && size_t(e) < l.endpoints.size() ? l.endpoints[size_t(e)].errorRate() : l.error_rate;
        };
        const bool growing = rate(top) > rate(low) + 0.01;
        const bool write = ctx.isWriteEndpoint(e);
        confidence = 0.6 + (growing ? 0.15 : 0) + (write ? 0.15 : 0);
        severity = rate(top) >= 0.2 ? Severity::Critical : rate(top) >= 0.05 ? Severity::High : Severity::Medium;
        const QString label = e >= 0 ? ctx.endpointLabel(e) : QStringLiteral("the app");
        if (e >= 0)
            f.endpoint = ctx.run.plan.endpoints[size_t(e)].name;
        f.title =
            QStringLiteral("%1 wait on the database lock: %2 errors at %3")
                .arg(write ? QStringLiteral("Writes (%1)").arg(label) : QStringLiteral("Requests to %1").arg(label),
                     pct(rate(top), 0), top.loadLabel());
        f.evidence.push_back(evidence(QStringLiteral("lock_errors"), double(worst->second), QStringLiteral("responses"),
                                      QStringLiteral("error bodies on %1: \"%2\"").arg(label, excerpt)));
        f.evidence.push_back(evidence(QStringLiteral("error_rate"), rate(low), QStringLiteral("ratio"),
                                      QStringLiteral("%1 at %2").arg(label, low.loadLabel())));
        f.evidence.push_back(
            evidence(QStringLiteral("error_rate"), rate(top), QStringLiteral("ratio"),
                     QStringLiteral("%1 at %2%3")
                         .arg(label, top.loadLabel(), growing ? QStringLiteral(" (grows with users)") : QString())));
        f.summary = QStringLiteral("Concurrent requests contend for the database's lock; the losers fail (%1 of %2 at "
                                   "%3)%4.")
                        .arg(pct(rate(top), 0), label, top.loadLabel(),
                             write ? QStringLiteral(", concentrated on the write endpoint") : QString());
    }
    // PostgreSQL: sessions waiting on a Lock while active.
    if (ctx.postgres) {
        double shareSum = 0;
        int n = 0, waitingMax = 0;
        for (const DbSample *s : loadedSamples(ctx)) {
            if (s->active <= 0)
                continue;
            shareSum += double(s->waiting_on_lock) / double(s->active);
            waitingMax = std::max(waitingMax, s->waiting_on_lock);
            ++n;
        }
        const double share = n ? shareSum / n : 0;
        if (share >= kLockShare && waitingMax >= 2) {
            confidence = std::max(confidence, 0.75);
            if (severity == Severity::Medium && share >= 0.4)
                severity = Severity::High;
            if (f.title.isEmpty())
                f.title = QStringLiteral("Requests wait on database locks (%1 of active sessions)").arg(pct(share, 0));
            f.evidence.push_back(evidence(QStringLiteral("lock_wait_share"), share, QStringLiteral("ratio"),
                                          QStringLiteral("mean share of active sessions with wait_event_type = Lock")));
            f.evidence.push_back(
                evidence(QStringLiteral("waiting_on_lock_max"), waitingMax, QStringLiteral("sessions")));
            // Who waits, on what, behind whom (pg_blocking_pids at each sample), most frequent first.
            std::map<QString, int> relations, waiting, blocking;
            int waits = 0;
            for (const DbSample *s : loadedSamples(ctx))
                for (const LockWait &w : s->lock_waits) {
                    ++waits;
                    if (!w.relation.isEmpty())
                        ++relations[w.relation];
                    if (!w.query.isEmpty())
                        ++waiting[w.query];
                    if (!w.blocking_query.isEmpty())
                        ++blocking[w.blocking_query + QStringLiteral("\x1f") + w.blocking_state];
                }
            auto most = [](const std::map<QString, int> &m) {
                return std::max_element(m.begin(), m.end(),
                                        [](const auto &a, const auto &b) { return a.second < b.second; });
            };
            if (!relations.empty()) {
                const auto r = most(relations);
                f.refs.relation = r->first;
                f.evidence.push_back(
                    evidence(QStringLiteral("lock_waits_on_relation"), r->second, QStringLiteral("waits"),
                             QStringLiteral("of %1 lock waits seen were on %2").arg(waits).arg(r->first)));
                if (f.title.startsWith(QLatin1String("Requests wait on database locks")))
                    f.title = QStringLiteral("Writers wait on locks on %1 (%2 of active sessions)")
                                  .arg(r->first, pct(share, 0));
            }
            if (!waiting.empty()) {
                const auto q = most(waiting);
                f.refs.statements.push_back({QueryFingerprint::of(q->first), QStringLiteral("waiting"), q->first});
                f.evidence.push_back(evidence(QStringLiteral("lock_waiting_statement"), q->second,
                                              QStringLiteral("waits"),
                                              QStringLiteral("waiting: %1").arg(shortText(q->first))));
            }
            if (!blocking.empty()) {
                const auto b = most(blocking);
                const QString text = b->first.section(QChar(0x1f), 0, 0);
                const QString state = b->first.section(QChar(0x1f), 1);
                f.refs.statements.push_back({QueryFingerprint::of(text), QStringLiteral("blocking"), text});
                f.evidence.push_back(evidence(
                    QStringLiteral("lock_blocking_statement"), b->second, QStringLiteral("waits"),
                    QStringLiteral("blocked by a session %1, last statement: %2")
                        .arg(state.isEmpty() ? QStringLiteral("in an unknown state") : state, shortText(text))));
            }
            addSessionScopeEvidence(ctx, f);
            if (f.summary.isEmpty())
                f.summary =
                    QStringLiteral("Under load, %1 of the active database sessions wait on a lock held by another "
                                   "transaction.")
                        .arg(pct(share, 0));
        }
    }
    // An embedded SQLite database behind generic error pages: no body names the lock, no session can be seen.
    // Server errors concentrated on the write endpoints and growing with users are the indirect evidence left;
    // the finding says so and stays low (the error-rate finding carries the failures themselves).
    if (confidence <= 0 && ctx.sqlite && order.size() >= 2) {
        const LevelSummary &low = ctx.levels[size_t(order.front())];
        const LevelSummary &top = ctx.levels[size_t(order.back())];
        uint64_t writeErrors = 0, allErrors = 0, writeRequests = 0;
        int worst = -1;
        uint64_t worstErrors = 0;
        for (size_t e = 0; e < top.endpoints.size(); ++e) {
            const uint64_t n = serverErrors(top.endpoints[e]);
            allErrors += n;
            if (ctx.isWriteEndpoint(int(e))) {
                writeErrors += n;
                writeRequests += top.endpoints[e].requests;
                if (n > worstErrors) {
                    worstErrors = n;
                    worst = int(e);
                }
            }
        }
        const double writeRate = writeRequests ? double(writeErrors) / double(writeRequests) : 0;
        double lowRate = 0;
        if (worst >= 0 && size_t(worst) < low.endpoints.size() && low.endpoints[size_t(worst)].requests > 0)
            lowRate =
                double(serverErrors(low.endpoints[size_t(worst)])) / double(low.endpoints[size_t(worst)].requests);
        if (worst >= 0 && allErrors >= 5 && writeErrors * 10 >= allErrors * 8 && writeRate >= 0.01 &&
            writeRate > lowRate + 0.01) {
            const QString label = ctx.endpointLabel(worst);
            confidence = 0.5;
            severity = Severity::Low;
            f.endpoint = ctx.run.plan.endpoints[size_t(worst)].name;
            f.refs.endpoint = worst;
            f.title =
                QStringLiteral("Writes (%1) fail as users grow on an embedded SQLite database: likely its write lock")
                    .arg(label);
            f.evidence.push_back(evidence(
                QStringLiteral("write_error_share"), double(writeErrors) / double(allErrors), QStringLiteral("ratio"),
                QStringLiteral("share of server errors at %1 on write endpoints").arg(top.loadLabel())));
            f.evidence.push_back(evidence(QStringLiteral("error_rate"), lowRate, QStringLiteral("ratio"),
                                          QStringLiteral("%1 at %2").arg(label, low.loadLabel())));
            f.evidence.push_back(
                evidence(QStringLiteral("error_rate"), writeRate, QStringLiteral("ratio"),
                         QStringLiteral("write endpoints at %1 (grows with users)").arg(top.loadLabel())));
            f.evidence.push_back(
                evidence(QStringLiteral("indirect"), 0, QString(),
                         QStringLiteral("indirect: the error pages are generic and SQLite shows no "
                                        "sessions; the app's log (\"database is locked\") would confirm")));
            f.summary =
                QStringLiteral("Server errors grow with users and almost all of them are on %1, a write, while the "
                               "database is one SQLite file that allows one writer at a time.")
                    .arg(label);
        }
    }
    if (confidence <= 0)
        return std::nullopt;
    f.confidence = confidence;
    f.severity = severity;
    if (ctx.sqlite) {
        if (!ctx.run.database.journal_mode.isEmpty())
            f.evidence.push_back(
                evidence(QStringLiteral("journal_mode"), 0, QString(),
                         QStringLiteral("SQLite journal mode: %1").arg(ctx.run.database.journal_mode)));
        f.recommendation = QStringLiteral(
            "SQLite allows one writer at a time: enable WAL (PRAGMA journal_mode=WAL), set busy_timeout (e.g. 5000 ms) "
            "on every connection, keep write transactions short (BEGIN IMMEDIATE, no slow work inside), and funnel "
            "writes through one writer — or move to PostgreSQL for many concurrent writers.");
    } else {
        f.recommendation = QStringLiteral(
            "Find the blocking statements (pg_blocking_pids() / pg_locks during load), keep transactions short and "
            "touch hot rows last, use SELECT … FOR UPDATE SKIP LOCKED for queue-like tables, and set lock_timeout so "
            "waits fail fast.");
    }
    return f;
}

std::optional<Finding> ruleMaxConnectionsNear(const RuleContext &ctx)
{
    const int maxConn = maxConnections(ctx);
    int peak = -1;
    double peakAt_s = 0;
    for (const DbSample &s : ctx.run.db_samples) {
        const int n = s.total_connections >= 0 ? s.total_connections : s.backends;
        if (n > peak) {
            peak = n;
            peakAt_s = s.t_s;
        }
    }
    uint64_t refused = 0;
    QString excerpt;
    for (const SignatureHit &h : ctx.signatures)
        if (h.supports == QLatin1String("max-connections-near")) {
            refused += h.count;
            excerpt = h.excerpt;
        }
    const double ratio = maxConn > 0 && peak >= 0 ? double(peak) / double(maxConn) : -1;
    if (ratio < kMaxConnectionsNear && refused == 0)
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("max-connections-near");
    f.layer = QStringLiteral("capacity");
    f.severity = (ratio >= 0.95 || refused > 0) ? Severity::Critical : Severity::High;
    f.confidence = ratio >= kMaxConnectionsNear ? 0.9 : 0.7;
    if (ratio >= 0) {
        f.title =
            QStringLiteral("Database at %1 of max_connections (%2 of %3)").arg(pct(ratio, 0)).arg(peak).arg(maxConn);
        f.evidence.push_back(evidence(QStringLiteral("db_backends_ratio"), ratio, QStringLiteral("ratio"),
                                      QStringLiteral("peak at t = %1 s").arg(fmt(peakAt_s))));
        f.evidence.push_back(evidence(QStringLiteral("peak_backends"), peak, QStringLiteral("sessions")));
        f.evidence.push_back(evidence(QStringLiteral("max_connections"), maxConn, QStringLiteral("sessions")));
    } else {
        f.title = QStringLiteral("The database refuses connections (max_connections reached)");
    }
    if (refused > 0)
        f.evidence.push_back(evidence(QStringLiteral("refused_connections"), double(refused),
                                      QStringLiteral("responses"),
                                      QStringLiteral("error bodies: \"%1\"").arg(excerpt)));
    f.summary = QStringLiteral("The server is close to its connection limit; the next process or pool to grow gets "
                               "\"too many clients\" and its requests fail.");
    f.recommendation =
        QStringLiteral(
            "Keep the sum of all app pools (processes × pool size) below 80% of max_connections%1: lower per-process "
            "pool "
            "sizes or put PgBouncer (transaction pooling) in front; raise max_connections only with memory to spare.")
            .arg(maxConn > 0 ? QStringLiteral(" (%1)").arg(maxConn) : QString());
    return f;
}

std::optional<Finding> ruleIdleInTransaction(const RuleContext &ctx)
{
    if (!ctx.postgres)
        return std::nullopt;
    const std::vector<const DbSample *> samples = loadedSamples(ctx);
    if (samples.empty())
        return std::nullopt;
    // By time, not by count: a session is idle in a transaction for a moment between every statement and its
    // commit; only how long it stays so holds a connection. Runs recorded before format 4 have no ages: no finding.
    double heldSum = 0, heldLongSum = 0, backendsSum = 0, longest = 0;
    int withLong = 0, waiters = 0;
    for (const DbSample *s : samples) {
        if (s->idle_in_transaction > 0 && s->idle_in_transaction_s.empty())
            return std::nullopt;
        heldSum += s->idle_in_transaction;
        backendsSum += std::max(0, s->backends);
        bool hasLong = false;
        for (double age : s->idle_in_transaction_s) {
            longest = std::max(longest, age);
            hasLong = hasLong || age >= kIdleTxLong_s;
            heldLongSum += age >= kIdleTxLong_s ? 1 : 0;
        }
        withLong += hasLong ? 1 : 0;
        for (const LockWait &w : s->lock_waits)
            if (w.blocking_state.startsWith(QLatin1String("idle in transaction")))
                ++waiters;
    }
    const double n = double(samples.size());
    const double heldMean = heldSum / n; // connections held idle in a transaction, on average
    const double share = backendsSum > 0 ? heldSum / backendsSum : 0;
    // Little's law: connections held = request rate × idle time per request.
    double requests = 0, span_s = 0;
    for (int i : ctx.loadLevels()) {
        const LevelSummary &l = ctx.levels[size_t(i)];
        requests += l.rps * l.steady_s;
        span_s += l.steady_s;
    }
    const double rps = span_s > 0 ? requests / span_s : 0;
    const double perRequest_s = rps > 0 ? heldMean / rps : 0;
    // Sessions held idle longer than a statement-to-commit gap, as a share of the app's sessions.
    const double longShare = backendsSum > 0 ? heldLongSum / backendsSum : 0;
    if (longest < kIdleTxLong_s || withLong < 2 ||
        (perRequest_s < kIdleTxPerRequestMin_s && longShare < kIdleTxLongShare))
        return std::nullopt;
    Finding f;
    f.id = QStringLiteral("idle-in-transaction");
    f.layer = QStringLiteral("code");
    if (waiters > 0 || share >= 0.5)
        f.severity = Severity::High;
    else if (perRequest_s >= kIdleTxLong_s || share >= 0.2 || longShare >= kIdleTxLongShare)
        f.severity = Severity::Medium;
    else
        f.severity = Severity::Low;
    f.confidence = 0.85;
    f.title = QStringLiteral("Sessions sit idle inside open transactions for about %1 s per request")
                  .arg(fmt(perRequest_s, perRequest_s < 1 ? 2 : 1));
    f.summary = QStringLiteral("Under load the app's sessions spent %1 s per request idle inside a transaction (the "
                               "longest seen: %2 s), holding %3 connections on average (%4 of the app's): a connection "
                               "and its locks stay taken while the app does something else%5.")
                    .arg(fmt(perRequest_s, 2), fmt(longest, 2), fmt(heldMean, 1), pct(share, 0),
                         waiters > 0 ? QStringLiteral(", and other sessions waited on them for locks") : QString());
    f.evidence.push_back(evidence(QStringLiteral("idle_in_transaction_s"), perRequest_s, QStringLiteral("s"),
                                  QStringLiteral("idle time in a transaction per request: connections held (%1 on "
                                                 "average) / request rate (%2 req/s), Little's law")
                                      .arg(fmt(heldMean, 2), fmt(rps, 1))));
    f.evidence.push_back(evidence(QStringLiteral("idle_in_transaction_longest_s"), longest, QStringLiteral("s"),
                                  QStringLiteral("longest now() − state_change of a session idle in a transaction")));
    f.evidence.push_back(evidence(
        QStringLiteral("idle_in_transaction_held"), heldMean, QStringLiteral("sessions"),
        QStringLiteral("%1 of the app's sessions, %2 samples under load").arg(pct(share, 0)).arg(samples.size())));
    if (waiters > 0)
        f.evidence.push_back(
            evidence(QStringLiteral("lock_waits_on_idle"), waiters, QStringLiteral("waits"),
                     QStringLiteral("sessions waiting on a lock held by a session idle in a transaction")));
    addSessionScopeEvidence(ctx, f);
    f.recommendation = QStringLiteral(
        "Commit or roll back before slow work (HTTP calls, rendering, sleeps); end the session's transaction at the "
        "end of each request (autocommit for reads); set idle_in_transaction_session_timeout (e.g. 30 s) as a guard.");
    return f;
}

} // namespace Preflight
