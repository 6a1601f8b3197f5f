// The report's later sections: 7. Queries, 8. Before/after, 9. Method appendix (ReportModel::build calls them).
#include "reportsections.h"

#include "data/format.h"

#include "diagnosis/diagnoser.h"
#include "diagnosis/querycount.h"
#include "plan/secretresolver.h"
#include "plan/secrets.h"
#include "store/runcomparison.h"
#include "store/secretscrubber.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

namespace Preflight {

namespace F = Format;

namespace ReportSections {

QString verdictLabel(const QString &verdict)
{
    if (verdict == QLatin1String("ready"))
        return QStringLiteral("READY");
    if (verdict == QLatin1String("not-ready"))
        return QStringLiteral("NOT READY");
    return QStringLiteral("INCONCLUSIVE");
}

QString clip(QString text, int max)
{
    text = text.simplified();
    if (text.size() > max)
        text = text.left(max - 1).trimmed() + QChar(0x2026);
    return text;
}

} // namespace ReportSections

using ReportSections::clip;
using ReportSections::verdictLabel;

QString ReportModel::Inputs::scrub(const QString &text) const
{
    return SecretScrubber::text(text, run.plan);
}

namespace {

constexpr int kMaxPlans = 12;      // flagged plans shown at most
constexpr int kUnflaggedPlans = 5; // plans shown when fewer are flagged
constexpr int kMaxQueryChars = 800;
const QChar kMinus(0x2212);

QString upperFirst(QString s)
{
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    return s;
}

QString signedDelta(double delta, const QString &formatted)
{
    if (delta > 0)
        return QLatin1Char('+') + formatted;
    if (delta < 0)
        return kMinus + formatted;
    return QStringLiteral("\u00b10");
}

ReportModel::CompareRow compareRow(const QString &label, const MetricDelta &m)
{
    ReportModel::CompareRow row;
    row.label = label;
    row.verdict = deltaVerdictId(m.verdict);
    const bool latency = m.metric.endsWith(QLatin1String("_ms"));
    const bool rate = m.metric == QLatin1String("error_rate");
    if (latency) {
        row.before = F::ms(m.before);
        row.after = F::ms(m.after);
        row.delta = signedDelta(m.delta, F::ms(std::abs(m.delta)));
    } else if (rate) {
        row.before = F::percent(m.before);
        row.after = F::percent(m.after);
        row.delta = signedDelta(m.delta, F::number(std::abs(m.delta) * 100, std::abs(m.delta) < 0.01 ? 2 : 1) +
                                             QStringLiteral(" pp"));
    } else {
        row.before = F::rps(m.before);
        row.after = F::rps(m.after);
        row.delta = signedDelta(m.delta, F::rps(std::abs(m.delta)));
    }
    if (!rate && m.before > 0 && m.delta != 0)
        row.delta +=
            m.relative >= 1
                ? QStringLiteral(" (\u00d7%1)").arg(F::number(m.after / m.before, m.after / m.before < 10 ? 1 : 0))
                : QStringLiteral(" (%1)").arg(
                      signedDelta(m.relative, F::number(std::abs(m.relative) * 100, 0) + QLatin1Char('%')));
    return row;
}

QString metricLabel(const QString &metric)
{
    if (metric == QLatin1String("p50_ms"))
        return QStringLiteral("P50");
    if (metric == QLatin1String("p95_ms"))
        return QStringLiteral("P95");
    if (metric == QLatin1String("p99_ms"))
        return QStringLiteral("P99");
    if (metric == QLatin1String("rps"))
        return QStringLiteral("throughput");
    if (metric == QLatin1String("error_rate"))
        return QStringLiteral("error rate");
    return metric;
}

void planLines(const PlanNode &node, int depth, ReportModel::PlanItem &item)
{
    QString line = QString(depth * 2, QLatin1Char(' '));
    if (depth > 0)
        line += QStringLiteral("\u2514 ");
    // SQLite's EXPLAIN QUERY PLAN detail ("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)") arrives as the filter
    // and already says everything the node type and relation would.
    const bool detail = !node.filter.isEmpty() && !node.node_type.isEmpty() && node.filter.startsWith(node.node_type);
    QStringList facts;
    if (detail) {
        line += clip(node.filter, 160);
    } else {
        line += node.node_type.isEmpty() ? QStringLiteral("?") : node.node_type;
        if (!node.index_name.isEmpty())
            line += QStringLiteral(" using ") + node.index_name;
        if (!node.relation.isEmpty())
            line += QStringLiteral(" on ") +
                    (node.schema.isEmpty() ? node.relation : node.schema + QLatin1Char('.') + node.relation);
        if (!node.filter.isEmpty())
            facts << QStringLiteral("filter ") + clip(node.filter, 120);
    }
    if (node.relation_rows >= 0 && node.plan_rows > 0)
        facts << QStringLiteral("~%1 of %2 rows").arg(F::number(node.plan_rows, 0), F::number(node.relation_rows, 0));
    else if (node.relation_rows >= 0)
        facts << QStringLiteral("table of %1 rows").arg(F::number(node.relation_rows, 0));
    else if (node.plan_rows > 0)
        facts << QStringLiteral("~%1 rows").arg(F::number(node.plan_rows, 0));
    if (node.total_cost > 0)
        facts << QStringLiteral("cost %1").arg(F::number(node.total_cost, node.total_cost < 10 ? 2 : 0));
    if (!facts.isEmpty())
        line += QStringLiteral("  \u00b7  ") + facts.join(QStringLiteral("  \u00b7  "));
    if (node.flagged)
        line += QStringLiteral("   \u25c0 SEQ SCAN");
    item.lines << line;
    item.flagged.push_back(node.flagged);
    item.has_flagged = item.has_flagged || node.flagged;
    for (const PlanNode &c : node.children)
        planLines(c, depth + 1, item);
}

} // namespace

void ReportModel::buildQueries(const Inputs &in)
{
    ReportModel &m = *this;
    const RunData &run = in.run;
    const auto scrub = [&in](const QString &text) { return in.scrub(text); };
    const std::vector<Finding> &findings = in.findings;
    const GateSet &gateSet = in.gateSet;
    // 7. Queries. Queries per request and the statements of an endpoint are QueryCount's (data statements only,
    // grouped by fingerprint); the N+1 parent and children are the ones the finding names (its refs).
    m.database_kind = run.database.kind;
    // The endpoint an n-plus-one finding is about: its reference, or for a finding stored before findings carried
    // references, the endpoint its name names.
    const auto findingEndpoint = [&run](const Finding &f) {
        return f.refs.endpoint >= 0 ? f.refs.endpoint : run.plan.endpointIndex(f.endpoint);
    };
    // Endpoints of the profiling pass in plan order; statements recorded for an endpoint the plan no longer holds
    // last, as one "(unknown endpoint)" row.
    for (const int endpoint : QueryCount::profiledEndpoints(run)) {
        EndpointQueries row;
        row.endpoint = run.plan.endpointDisplayName(endpoint);
        row.queries_per_request = QueryCount::perRequest(run, endpoint);
        bool timed = false;
        for (const QueryStat &q : QueryCount::profiledStatements(run, endpoint)) {
            if (q.requests > 0)
                row.db_ms_per_request += q.total_ms / q.requests;
            row.requests = std::max(row.requests, q.requests);
            timed = timed || q.mean_ms > 0;
            ++row.statements;
        }
        if (!timed)
            row.db_ms_per_request = -1; // a statement log without timings
        // Too many queries is what the diagnosis says: an N+1 finding on the endpoint, or the gate set's check.
        row.flagged = std::any_of(findings.begin(), findings.end(), [&](const Finding &f) {
            return f.id == QLatin1String("n-plus-one") && findingEndpoint(f) == endpoint;
        });
        for (const GateSpec &g : gateSet.checks())
            if (g.id == QLatin1String("queries_per_request") && !g.accepts(row.queries_per_request))
                row.flagged = true;
        m.endpoint_queries.push_back(row);
    }
    for (const Finding &f : findings) {
        if (f.id != QLatin1String("n-plus-one"))
            continue;
        if (f.refs.statements.empty())
            continue; // a finding stored before statements were referenced: its card says what it found
        const int endpoint = findingEndpoint(f);
        const std::vector<QueryStat> stats = QueryCount::profiledStatements(run, endpoint);
        auto profiledOf = [&stats](const StatementRef &ref) -> const QueryStat * {
            for (const QueryStat &q : stats)
                if (!ref.fingerprint.isEmpty() && !q.fingerprint.isEmpty()
                        ? q.fingerprint == ref.fingerprint
                        : q.text.simplified() == ref.text.simplified())
                    return &q;
            return nullptr;
        };
        NPlusOne n;
        n.endpoint = run.plan.endpointDisplayName(endpoint);
        std::vector<const QueryStat *> named;
        bool parent = false;
        int children = 0, grandchildren = 0;
        for (const QString &role : {QStringLiteral("parent"), QStringLiteral("child"), QStringLiteral("grandchild")}) {
            for (const StatementRef &ref : f.refs.statements) {
                if (ref.role != role)
                    continue;
                const QueryStat *q = profiledOf(ref);
                named.push_back(q);
                parent = parent || role == QLatin1String("parent");
                children += role == QLatin1String("child") ? 1 : 0;
                grandchildren += role == QLatin1String("grandchild") ? 1 : 0;
                const QString words = role == QLatin1String("parent") ? QStringLiteral("once per request (parent)")
                                      : role == QLatin1String("child")
                                          ? QStringLiteral("once per parent row")
                                          : QStringLiteral("once per row of a per-row query");
                n.statements.push_back(
                    {words, q ? q->calls_per_request : -1, clip(q ? q->text : ref.text, kMaxQueryChars)});
            }
        }
        if (children == 0)
            continue;
        for (const QueryStat &q : stats)
            if (std::find(named.begin(), named.end(), &q) == named.end())
                n.statements.push_back({QStringLiteral("other"), q.calls_per_request, clip(q.text, kMaxQueryChars)});
        // k, N, M and j are the finding's parameters; N only when it was measured.
        n.k = int(std::lround(f.parameter(QStringLiteral("children_per_row")).value_or(children)));
        const int j = int(std::lround(f.parameter(QStringLiteral("grandchildren_per_row")).value_or(grandchildren)));
        n.n = f.parameter(QStringLiteral("n_rows")).value_or(-1);
        n.m = f.parameter(QStringLiteral("m_rows")).value_or(-1);
        n.n_from_rows = f.parameter(QStringLiteral("parent_rows_per_call")).has_value();
        n.measured = f.parameter(QStringLiteral("queries_per_request")).value_or(QueryCount::perRequest(run, endpoint));
        const auto times = [](int count, const QString &symbol) {
            return count == 1 ? symbol : QStringLiteral("%1\u00b7%2").arg(count).arg(symbol);
        };
        QStringList terms;
        if (parent)
            terms << QStringLiteral("1");
        terms << times(n.k, QStringLiteral("N"));
        if (j > 0 && n.m >= 0)
            terms << times(j, QStringLiteral("N\u00b7M"));
        n.formula = terms.join(QStringLiteral(" + "));
        if (n.n >= 0) {
            const double nShown = std::round(n.n * 10) / 10;
            const double mShown = std::round(std::max(n.m, 0.0) * 10) / 10;
            QStringList worked;
            double expected = 0;
            if (parent) {
                worked << QStringLiteral("1");
                expected += 1;
            }
            worked << QStringLiteral("%1\u00b7%2").arg(n.k).arg(F::number(nShown, 1));
            expected += n.k * nShown;
            if (j > 0 && n.m >= 0) {
                worked << QStringLiteral("%1\u00b7%2\u00b7%3").arg(j).arg(F::number(nShown, 1), F::number(mShown, 1));
                expected += j * nShown * mShown;
            }
            n.worked = worked.join(QStringLiteral(" + ")) + QStringLiteral(" = ") + F::number(expected, 1);
        }
        m.n_plus_one.push_back(n);
    }
    for (const QueryPlan &p : run.plans) {
        PlanItem item;
        item.text = clip(p.text, kMaxQueryChars);
        for (const QueryStat &q : run.queries)
            if (q.fingerprint == p.fingerprint) {
                item.mean_ms = std::max(item.mean_ms, q.mean_ms);
                item.calls += q.calls;
            }
        if (p.valid)
            planLines(p.root, 0, item);
        else
            item.error = scrub(p.error.isEmpty() ? QStringLiteral("no plan") : p.error);
        m.plans.push_back(item);
    }
    std::stable_sort(m.plans.begin(), m.plans.end(), [](const PlanItem &a, const PlanItem &b) {
        if (a.has_flagged != b.has_flagged)
            return a.has_flagged;
        if (a.mean_ms != b.mean_ms)
            return a.mean_ms > b.mean_ms;
        return a.calls > b.calls;
    });
    // Every flagged plan (up to kMaxPlans), then the slowest others up to kUnflaggedPlans in all.
    const auto flagged =
        size_t(std::count_if(m.plans.begin(), m.plans.end(), [](const PlanItem &p) { return p.has_flagged; }));
    m.plans.resize(std::min(m.plans.size(), std::max(std::min(flagged, size_t(kMaxPlans)), size_t(kUnflaggedPlans))));
    if (m.endpoint_queries.empty()) {
        if (run.database.kind == QLatin1String("none") && !run.plan.database.isConfigured())
            m.queries_note =
                QStringLiteral("No database was configured for this run, so queries were not profiled. Add "
                               "`--db CONNINFO` (PostgreSQL) to count queries per request and find N+1 "
                               "patterns.");
        else if (run.database.kind == QLatin1String("sqlite"))
            m.queries_note = QStringLiteral("The target database is SQLite: queries per request need a statement log "
                                            "(plan `database.log`).");
        else if (run.database.pg_stat_statements != QLatin1String("ok"))
            m.queries_note = QStringLiteral("pg_stat_statements is %1, so queries per request could not be counted.")
                                 .arg(run.database.pg_stat_statements);
        else
            m.queries_note = QStringLiteral("No profiling pass was recorded in this run.");
    }
}

void ReportModel::buildComparison(const Inputs &in)
{
    ReportModel &m = *this;
    const RunData &run = in.run;
    const auto scrub = [&in](const QString &text) { return in.scrub(text); };
    const ReportOptions &options = in.options;
    const GateSet &gateSet = in.gateSet;
    const Diagnosis &d = in.d;
    const std::vector<Finding> &findings = in.findings;
    const std::vector<GateCheck> &gates = in.gates;
    // 8. Before/after.
    if (options.baseline) {
        const RunData &base = *options.baseline;
        const RunComparison cmp = RunComparison::compare(base, run);
        const Diagnosis bd = analyze(base, gateSet);
        Comparison c;
        c.baseline_name = SecretScrubber::text(base.info.name.isEmpty() ? base.plan.name : base.info.name, base.plan);
        c.baseline_id = base.info.id;
        c.baseline_started_at = base.info.started_at.toUTC();
        const QString baseVerdict = base.verdict.isEmpty() ? bd.verdict : base.verdict;
        auto fixedRow = [](const QString &label, const QString &before, const QString &after, const QString &delta,
                           const QString &verdict) {
            return CompareRow{label, before, after, delta, verdict};
        };
        const int rank[] = {0, 1, 2};
        auto verdictRank = [&](const QString &v) {
            return v == QLatin1String("ready") ? rank[2] : v == QLatin1String("inconclusive") ? rank[1] : rank[0];
        };
        c.headline.push_back(fixedRow(QStringLiteral("Verdict"), verdictLabel(baseVerdict), m.verdict_label, QString(),
                                      verdictRank(m.verdict) > verdictRank(baseVerdict) ? QStringLiteral("better")
                                      : verdictRank(m.verdict) < verdictRank(baseVerdict)
                                          ? QStringLiteral("worse")
                                          : QStringLiteral("unchanged")));
        const std::vector<GateCheck> &baseGates = base.verdict.isEmpty() ? bd.gates : base.gates;
        const auto passed = [](const std::vector<GateCheck> &gs) {
            return int(std::count_if(gs.begin(), gs.end(), [](const GateCheck &g) { return g.measured && g.pass; }));
        };
        const int pb = passed(baseGates), pa = passed(gates);
        c.headline.push_back(fixedRow(QStringLiteral("Gates passed"),
                                      QStringLiteral("%1 of %2").arg(pb).arg(baseGates.size()),
                                      QStringLiteral("%1 of %2").arg(pa).arg(gates.size()),
                                      signedDelta(pa - pb, QString::number(std::abs(pa - pb))),
                                      pa > pb   ? QStringLiteral("better")
                                      : pa < pb ? QStringLiteral("worse")
                                                : QStringLiteral("unchanged")));
        const double sb = bd.capacity.supported_load, sa = d.capacity.supported_load;
        const bool sameModel = bd.capacity.supported_open_model == d.capacity.supported_open_model;
        c.headline.push_back(fixedRow(
            QStringLiteral("Load within the gates"),
            sb < 0 ? QStringLiteral("none") : F::load(sb, bd.capacity.supported_open_model),
            sa < 0 ? QStringLiteral("none") : F::load(sa, d.capacity.supported_open_model),
            sameModel && sb >= 0 && sa >= 0 ? signedDelta(sa - sb, F::number(std::abs(sa - sb), 1)) : QString(),
            !sameModel ? QStringLiteral("inconclusive")
            : sa > sb  ? QStringLiteral("better")
            : sa < sb  ? QStringLiteral("worse")
                       : QStringLiteral("unchanged")));
        for (const MetricDelta &md : cmp.total.metrics)
            c.headline.push_back(
                compareRow(upperFirst(metricLabel(md.metric)) + QStringLiteral(" (all requests)"), md));
        auto line = [](const ComparisonRow &r) {
            CompareLine l;
            l.label = r.label;
            const QString arrow = QStringLiteral(" \u2192 ");
            if (const MetricDelta *md = r.metric(QStringLiteral("p95_ms"))) {
                l.p95 = F::ms(md->before) + arrow + F::ms(md->after);
                l.p95_verdict = deltaVerdictId(md->verdict);
            }
            if (const MetricDelta *md = r.metric(QStringLiteral("rps"))) {
                l.rps = F::number(md->before, md->before < 10 ? 1 : 0) + arrow +
                        F::number(md->after, md->after < 10 ? 1 : 0);
                l.rps_verdict = deltaVerdictId(md->verdict);
            }
            if (const MetricDelta *md = r.metric(QStringLiteral("error_rate"))) {
                l.error_rate = F::percent(md->before) + arrow + F::percent(md->after);
                l.error_rate_verdict = deltaVerdictId(md->verdict);
            }
            return l;
        };
        for (const ComparisonRow &r : cmp.endpoints)
            c.endpoints.push_back(line(r));
        for (const ComparisonRow &r : cmp.levels)
            c.levels.push_back(line(r));
        const std::vector<Finding> &baseFindings = base.verdict.isEmpty() ? bd.findings : base.findings;
        auto key = [](const Finding &f) {
            return f.endpoint.isEmpty() ? f.id : f.id + QStringLiteral(" (") + f.endpoint + QLatin1Char(')');
        };
        std::set<QString> before, after;
        for (const Finding &f : baseFindings)
            if (f.severity != Severity::Info)
                before.insert(key(f));
        for (const Finding &f : findings)
            if (f.severity != Severity::Info)
                after.insert(key(f));
        for (const QString &k : before)
            if (!after.count(k))
                c.findings_resolved << scrub(k);
        for (const QString &k : after)
            if (!before.count(k))
                c.findings_new << scrub(k);
        m.comparison = c;
    }
}

void ReportModel::buildMethod(const Inputs &in)
{
    ReportModel &m = *this;
    const RunData &run = in.run;
    const auto scrub = [&in](const QString &text) { return in.scrub(text); };
    const GateSet &gateSet = in.gateSet;
    const Diagnosis &d = in.d;
    const bool storedReason = in.storedReason;
    const EndpointStats &total = in.total;
    // 9. Method appendix.
    for (const EndpointSpec &e : run.plan.endpoints)
        m.plan_endpoints.push_back({scrub(e.name), e.method, scrub(e.path), e.weight});
    const Plan &plan = run.plan;
    m.plan_facts.push_back({QStringLiteral("Plan"), scrub(plan.name)});
    m.plan_facts.push_back({QStringLiteral("Target"), m.target});
    m.plan_facts.push_back({QStringLiteral("Request timeout"), F::ms(plan.target.timeout_ms)});
    if (!plan.target.headers.empty()) {
        QStringList names;
        for (const auto &[name, value] : plan.target.headers)
            names << name;
        m.plan_facts.push_back(
            {QStringLiteral("Headers sent"), names.join(QStringLiteral(", ")) + QStringLiteral(" (values not shown)")});
    }
    if (plan.target.login.enabled)
        m.plan_facts.push_back(
            {QStringLiteral("Login"),
             QStringLiteral("%1 %2, token into %3 (credentials not shown)")
                 .arg(plan.target.login.method, scrub(plan.target.login.path), plan.target.login.header)});
    m.plan_facts.push_back({QStringLiteral("TLS verification"),
                            plan.target.insecure || run.info.tls_insecure ? QStringLiteral("OFF (insecure override)")
                            : plan.target.ca_file.isEmpty()               ? QStringLiteral("on (system CAs)")
                                                                          : QStringLiteral("on (custom CA file)")});
    {
        const QString spoken = run.total().transportSummary();
        const QString asked = plan.target.http_version == HttpVersion::Default
                                  ? QStringLiteral("libcurl's default")
                                  : QStringLiteral("--http ") + httpVersionName(plan.target.http_version);
        m.plan_facts.push_back(
            {QStringLiteral("HTTP"),
             asked +
                 (plan.target.multiplex > 1 ? QStringLiteral(", %1 streams per connection").arg(plan.target.multiplex)
                                            : QStringLiteral(", one connection per user")) +
                 (spoken.isEmpty() ? QString() : QStringLiteral("; measured: ") + spoken)});
    }
    if (!run.info.engine.isEmpty())
        m.plan_facts.push_back({QStringLiteral("Load engine"),
                                run.info.engine == QLatin1String("raw")
                                    ? QStringLiteral("raw HTTP/1.1 (keep-alive sockets, http-parser)")
                                    : QStringLiteral("libcurl") + (plan.target.engine == QLatin1String("curl")
                                                                       ? QStringLiteral(" (asked for by the plan)")
                                                                       : QString())});
    if (!plan.health_path.isEmpty())
        m.plan_facts.push_back(
            {QStringLiteral("Health check"),
             scrub(plan.health_path) + QStringLiteral(": ") +
                 (!run.health.checked ? QStringLiteral("not checked")
                  : run.health.status
                      ? QStringLiteral("HTTP %1 in %2").arg(run.health.status).arg(F::ms(run.health.latency_ms))
                      : QStringLiteral("no answer (%1)").arg(scrub(run.health.error)))});
    if (plan.database.isConfigured())
        m.plan_facts.push_back({QStringLiteral("Database"),
                                plan.database.isSqlite() ? scrub(plan.database.conninfo)
                                                         : Secrets::redactConninfo(scrub(plan.database.conninfo))});
    if (!plan.pool.kind.isEmpty())
        m.plan_facts.push_back(
            {QStringLiteral("Pool metrics"),
             QStringLiteral("%1 from %2").arg(plan.pool.kind, SecretResolver::redactUrl(scrub(plan.pool.url)))});
    m.plan_facts.push_back({QStringLiteral("Scenario"), m.scenario});
    if (plan.scenario.think_time_ms > 0)
        m.plan_facts.push_back({QStringLiteral("Think time"), F::ms(plan.scenario.think_time_ms)});
    m.plan_facts.push_back({QStringLiteral("Gates"), gateSet.name().isEmpty() ? m.gate_preset : gateSet.name()});
    m.plan_facts.push_back({QStringLiteral("Limits"), QStringLiteral("%1, %2 users, %3 req/s at most")
                                                          .arg(F::seconds(plan.limits.max_duration_s))
                                                          .arg(plan.limits.max_users)
                                                          .arg(F::number(plan.limits.max_rate))});
    m.stages = run.stages;
    for (StageInfo &s : m.stages)
        s.label = scrub(s.label);

    m.tool_facts.push_back({QStringLiteral("Measured with"), QStringLiteral("Preflight ") + m.measured_with});
    m.tool_facts.push_back({QStringLiteral("Report written by"), QStringLiteral("Preflight ") + m.report_version});
    if (!run.info.machine.isEmpty())
        m.tool_facts.push_back({QStringLiteral("Machine"), scrub(run.info.machine)});
    if (run.info.workers > 0)
        m.tool_facts.push_back({QStringLiteral("Load workers"), QString::number(run.info.workers)});
    m.tool_facts.push_back(
        {QStringLiteral("Run"), (run.info.id >= 0 ? QStringLiteral("#%1, ").arg(run.info.id) : QString()) + m.status +
                                    QStringLiteral(", ") + F::seconds(run.info.duration_s)});
    m.tool_facts.push_back({QStringLiteral("Requests"),
                            QStringLiteral("%1 (%2 errors, %3 timeouts)")
                                .arg(F::count(total.requests), F::count(total.errors()), F::count(total.timeouts()))});
    m.tool_facts.push_back(
        {QStringLiteral("Latency"), QStringLiteral("measured from the intended send time (coordinated "
                                                   "omission corrected); HDR histograms, ≤ 1% error")});

    const DbCapabilities &db = run.database;
    m.database_facts.push_back({QStringLiteral("Kind"), db.kind});
    if (!db.server_version.isEmpty())
        m.database_facts.push_back({QStringLiteral("Server version"), db.server_version});
    if (db.max_connections > 0)
        m.database_facts.push_back({QStringLiteral("max_connections"), QString::number(db.max_connections)});
    if (db.kind == QLatin1String("postgresql"))
        m.database_facts.push_back({QStringLiteral("pg_stat_statements"), db.pg_stat_statements});
    if (!db.journal_mode.isEmpty())
        m.database_facts.push_back({QStringLiteral("Journal mode"), db.journal_mode});
    if (db.file_bytes >= 0)
        m.database_facts.push_back({QStringLiteral("File size"),
                                    F::number(double(db.file_bytes) / (1024.0 * 1024.0), 1) + QStringLiteral(" MiB")});
    m.database_facts.push_back(
        {QStringLiteral("Samples"),
         QStringLiteral("%1 database, %2 pool").arg(run.db_samples.size()).arg(run.pool_samples.size())});

    for (const QString &w : run.warnings)
        m.warnings << scrub(w);
    for (const QString &w : db.warnings)
        if (!m.warnings.contains(scrub(w)))
            m.warnings << scrub(w);
    for (const QString &n : storedReason ? run.diagnosis_notes : d.notes)
        m.warnings << scrub(n);
    for (const QString &r : db.remediation)
        m.remediation << scrub(r);
}

} // namespace Preflight
