#include "reportmodel.h"

#include "reportcharts.h"
#include "reportformat.h"

#include "diagnosis/diagnoser.h"
#include "diagnosis/errorsignatures.h"
#include "diagnosis/querycount.h"
#include "plan/secretresolver.h"
#include "store/runcomparison.h"
#include "store/secretscrubber.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

namespace Preflight {

namespace F = ReportFormat;

namespace {

constexpr int kMaxPlans = 12;      // flagged plans shown at most
constexpr int kUnflaggedPlans = 5; // plans shown when fewer are flagged
constexpr int kMaxQueryChars = 800;
const QChar kMinus(0x2212);

QString verdictLabel(const QString &verdict)
{
    if (verdict == QLatin1String("ready"))
        return QStringLiteral("READY");
    if (verdict == QLatin1String("not-ready"))
        return QStringLiteral("NOT READY");
    return QStringLiteral("INCONCLUSIVE");
}

// The gate set the run was judged by: the caller's, the plan's, the stored preset, `launch`.
GateSet resolveGates(const RunData &run, const ReportOptions &options)
{
    if (options.gates)
        return *options.gates;
    QString ignored;
    if (std::optional<GateSet> g = GateSet::fromPlan(run.plan, &ignored))
        return *g;
    if (!run.gate_preset.isEmpty())
        if (std::optional<GateSet> g = GateSet::preset(run.gate_preset))
            return *g;
    return *GateSet::preset(QStringLiteral("launch"));
}

QString clip(QString text, int max)
{
    text = text.simplified();
    if (text.size() > max)
        text = text.left(max - 1).trimmed() + QChar(0x2026);
    return text;
}

// "P95 ≤ 120 ms" → {"P95", "≤ 120 ms"}: the check and its threshold as the gate labels them.
std::pair<QString, QString> splitGateLabel(const QString &label)
{
    static const QString ops[] = {QStringLiteral(" \u2264 "), QStringLiteral(" \u2265 "), QStringLiteral(" < "),
                                  QStringLiteral(" > ")};
    qsizetype best = -1;
    for (const QString &op : ops) {
        const qsizetype i = label.indexOf(op);
        if (i >= 0 && (best < 0 || i < best))
            best = i;
    }
    if (best < 0)
        return {label, QString()};
    return {label.left(best), label.mid(best + 1)};
}

// What a finding means for people who never opened Preflight.
QString plainWords(const QString &id)
{
    static const std::map<QString, QString> words = {
        {QStringLiteral("single-connection"),
         QStringLiteral("every request waits for one shared database connection, so "
                        "the backend serves one request at a time however many users "
                        "arrive")},
        {QStringLiteral("serialized-server"), QStringLiteral("the application server handles one request at a time, so "
                                                             "every extra user only adds waiting")},
        {QStringLiteral("pool-exhaustion"), QStringLiteral("requests queue for a database connection pool that is too "
                                                           "small for the load")},
        {QStringLiteral("connection-churn"), QStringLiteral("the application opens a new database connection for every "
                                                            "request instead of reusing pooled ones")},
        {QStringLiteral("n-plus-one"), QStringLiteral("a page runs one database query per row it shows (an N+1 query "
                                                      "pattern) instead of a few")},
        {QStringLiteral("missing-index"),
         QStringLiteral("a frequent query reads a whole large table because an index is "
                        "missing")},
        {QStringLiteral("lock-contention"),
         QStringLiteral("requests wait for database locks held by concurrent writes")},
        {QStringLiteral("slow-endpoint"), QStringLiteral("one endpoint is slow even with a single user")},
        {QStringLiteral("load-shedding"), QStringLiteral("a front tier rejects requests before they reach the "
                                                         "application")},
        {QStringLiteral("timeouts"), QStringLiteral("clients give up waiting: requests time out")},
        {QStringLiteral("error-rate"), QStringLiteral("the application fails a share of the requests")},
        {QStringLiteral("health-endpoint-missing"), QStringLiteral("there is no working health check for the load "
                                                                   "balancer to use")},
        {QStringLiteral("max-connections-near"), QStringLiteral("the database runs out of connections")},
        {QStringLiteral("idle-in-transaction"), QStringLiteral("sessions hold database connections idle inside open "
                                                               "transactions")},
        {QStringLiteral("capacity-knee"), QStringLiteral("throughput stops growing as users are added")},
    };
    const auto it = words.find(id);
    return it == words.end() ? QString() : it->second;
}

// Which figure shows the evidence of a finding.
QStringList figuresFor(const QString &id)
{
    if (id == QLatin1String("single-connection") || id == QLatin1String("serialized-server") ||
        id == QLatin1String("pool-exhaustion"))
        return {QStringLiteral("connections"), QStringLiteral("capacity")};
    if (id == QLatin1String("connection-churn") || id == QLatin1String("max-connections-near") ||
        id == QLatin1String("idle-in-transaction"))
        return {QStringLiteral("connections")};
    if (id == QLatin1String("timeouts") || id == QLatin1String("error-rate") || id == QLatin1String("load-shedding") ||
        id == QLatin1String("lock-contention"))
        return {QStringLiteral("throughput"), QStringLiteral("latency")};
    if (id == QLatin1String("slow-endpoint"))
        return {QStringLiteral("latency")};
    if (id == QLatin1String("capacity-knee"))
        return {QStringLiteral("capacity")};
    return {};
}

QString evidenceValue(const Evidence &e)
{
    const QString &u = e.unit;
    if (u == QLatin1String("ms"))
        return F::ms(e.value);
    if (u == QLatin1String("%"))
        return F::number(e.value, std::abs(e.value) < 1 ? 2 : 1) + QLatin1Char('%');
    if (u == QLatin1String("ratio"))
        return F::percent(e.value);
    if (u == QLatin1String("req/s"))
        return F::rps(e.value);
    const QString v = F::number(e.value, std::abs(e.value) >= 100 ? 0 : std::abs(e.value) >= 1 ? 2 : 3);
    if (u.isEmpty())
        return v;
    // "1 connection", not "1 connections"
    if (v == QLatin1String("1") && u.endsWith(QLatin1Char('s')) && !u.contains(QLatin1Char('/')) && u.size() > 2)
        return v + QLatin1Char(' ') + u.chopped(1);
    return v + QLatin1Char(' ') + u;
}

QString firstSentence(const QString &text)
{
    if (text.size() <= 320)
        return text;
    // The first ". " outside backticks and parentheses that does not end an abbreviation ("e.g.", "i.e.").
    bool code = false;
    int depth = 0;
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        const QChar c = text[i];
        if (c == QLatin1Char('`'))
            code = !code;
        else if (!code && c == QLatin1Char('('))
            ++depth;
        else if (!code && c == QLatin1Char(')'))
            depth = std::max(0, depth - 1);
        else if (!code && depth == 0 && c == QLatin1Char('.') && text[i + 1] == QLatin1Char(' ')) {
            const QString before = text.mid(std::max<qsizetype>(0, i - 4), std::min<qsizetype>(i, 4) + 1);
            if (before.endsWith(QLatin1String("e.g.")) || before.endsWith(QLatin1String("i.e.")) ||
                before.endsWith(QLatin1String("etc.")))
                continue;
            return text.left(i + 1);
        }
    }
    return text;
}

QString ensurePeriod(QString s)
{
    s = s.trimmed();
    if (!s.isEmpty() && !s.endsWith(QLatin1Char('.')) && !s.endsWith(QLatin1Char('!')) && !s.endsWith(QLatin1Char('?')))
        s += QLatin1Char('.');
    return s;
}

QString upperFirst(QString s)
{
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    return s;
}

QString scenarioText(const RunData &run)
{
    const ScenarioSpec &sc = run.plan.scenario;
    const QString preset = run.info.scenario.isEmpty() ? sc.preset : run.info.scenario;
    double total = 0;
    for (const StageInfo &s : run.stages)
        total += s.duration_s;
    if (preset == QLatin1String("sweep") && !run.stages.empty()) {
        QStringList loads;
        bool open = false;
        for (const StageInfo &s : run.stages) {
            if (s.to <= 0)
                continue;
            open = s.open_model;
            loads << F::number(s.to, s.to < 10 && s.open_model ? 1 : 0);
        }
        return QStringLiteral("sweep: %1 %2, %3 per level (%4)")
            .arg(loads.join(QStringLiteral(", ")), open ? QStringLiteral("req/s") : QStringLiteral("users"),
                 F::seconds(run.stages.front().duration_s), F::seconds(total));
    }
    if ((preset == QLatin1String("sustain") || preset == QLatin1String("soak")) && !run.stages.empty()) {
        const StageInfo &s = run.stages.back();
        return QStringLiteral("%1: %2 for %3").arg(preset, F::load(s.to, s.open_model), F::seconds(total));
    }
    if (run.stages.empty())
        return preset;
    return QStringLiteral("%1: %2 stage%3, %4")
        .arg(preset)
        .arg(run.stages.size())
        .arg(run.stages.size() == 1 ? QString() : QStringLiteral("s"))
        .arg(F::seconds(total));
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

QString reportPageSizeId(ReportPageSize size)
{
    return size == ReportPageSize::Letter ? QStringLiteral("letter") : QStringLiteral("a4");
}

std::optional<ReportPageSize> reportPageSizeFromId(const QString &id)
{
    const QString s = id.trimmed().toLower();
    if (s == QLatin1String("a4"))
        return ReportPageSize::A4;
    if (s == QLatin1String("letter") || s == QLatin1String("us-letter"))
        return ReportPageSize::Letter;
    return std::nullopt;
}

const ReportModel::Chart *ReportModel::chart(const QString &id) const
{
    for (const Chart &c : charts)
        if (c.id == id)
            return &c;
    return nullptr;
}

ReportModel ReportModel::build(const RunData &run, const ReportOptions &options)
{
    ReportModel m;
    const auto scrub = [&run](const QString &text) { return SecretScrubber::text(text, run.plan); };
    const GateSet gateSet = resolveGates(run, options);
    std::optional<Diagnosis> own;
    const Diagnosis &d = options.diagnosis ? *options.diagnosis : own.emplace(analyze(run, gateSet));
    // What the run concluded when it was stored; a run never diagnosed gets the diagnosis of now. A run stored with
    // its verdict reason (store format 4) also carries its notes: those are read, not recomputed. Levels and the
    // capacity model are not carried by the run, so they always come from d.
    const bool stored = !run.verdict.isEmpty();
    const bool storedReason = stored && !run.verdict_reason.isEmpty();
    const std::vector<Finding> &findings = stored ? run.findings : d.findings;
    const std::vector<GateCheck> &gates = stored ? run.gates : d.gates;
    const QString verdict = stored ? run.verdict : d.verdict;
    const EndpointStats total = run.total();

    // 1. Title block.
    m.run_name = scrub(run.info.name.isEmpty() ? run.plan.name : run.info.name);
    m.title = options.title.isEmpty() ? QStringLiteral("Readiness report: %1")
                                            .arg(m.run_name.isEmpty() ? QStringLiteral("unnamed run") : m.run_name)
                                      : scrub(options.title);
    m.run_id = run.info.id;
    m.target = SecretResolver::redactUrl(run.info.target.isEmpty() ? run.plan.target.base_url : run.info.target);
    m.started_at = run.info.started_at.toUTC();
    m.generated_at = (options.generated_at.isValid() ? options.generated_at : QDateTime::currentDateTimeUtc()).toUTC();
    m.duration_s = run.info.duration_s;
    m.measured_with = run.info.tool_version.isEmpty() ? QStringLiteral(PREFLIGHT_VERSION) : run.info.tool_version;
    m.report_version = QStringLiteral(PREFLIGHT_VERSION);
    m.scenario = scenarioText(run);
    m.status = runStatusId(run.info.status);
    m.status_reason = scrub(run.info.status_reason);
    m.verdict = verdict.isEmpty() ? QStringLiteral("inconclusive") : verdict;
    m.verdict_label = verdictLabel(m.verdict);
    if (storedReason) {
        m.verdict_reason = run.verdict_reason;
    } else if (!stored || d.verdict == verdict) {
        m.verdict_reason = d.verdict_reason;
    } else {
        QStringList failed;
        for (const GateCheck &c : gates)
            if (c.measured && !c.pass)
                failed << c.label;
        m.verdict_reason =
            failed.isEmpty() ? QString() : QStringLiteral("failed: %1").arg(failed.join(QStringLiteral(", ")));
    }
    m.verdict_reason = scrub(m.verdict_reason);
    m.gate_preset = stored && !run.gate_preset.isEmpty() ? run.gate_preset : gateSet.name();
    for (const GateCheck &c : gates) {
        ++m.gates_total;
        if (!c.measured)
            ++m.gates_unmeasured;
        else if (c.pass)
            ++m.gates_passed;
        else
            ++m.gates_failed;
    }
    QStringList tally{QStringLiteral("%1 of %2 gates passed").arg(m.gates_passed).arg(m.gates_total)};
    if (m.gates_failed)
        tally << QStringLiteral("%1 failed").arg(m.gates_failed);
    if (m.gates_unmeasured)
        tally << QStringLiteral("%1 not measured").arg(m.gates_unmeasured);
    m.gate_tally = tally.join(QStringLiteral(" \u00b7 "));
    if (run.info.tls_insecure || run.plan.target.insecure)
        m.banners << QStringLiteral("TLS certificate verification was turned OFF for this run (insecure override). The "
                                    "target's identity was not checked; do not rely on this run for a TLS-terminated "
                                    "production path.");
    if (run.info.status != RunStatus::Completed)
        m.banners << QStringLiteral("This run did not complete: it was %1%2. The numbers cover only what was measured.")
                         .arg(m.status, m.status_reason.isEmpty()
                                            ? QString()
                                            : QStringLiteral(" (") + m.status_reason + QLatin1Char(')'));

    // 3. Gates.
    for (const GateCheck &c : gates) {
        GateRow row;
        row.id = c.id;
        const auto [check, threshold] = splitGateLabel(c.label.isEmpty() ? c.id : c.label);
        row.check = check;
        row.threshold = threshold.isEmpty() ? F::gateValue(c.threshold, c.unit) : threshold;
        row.value = c.measured ? F::gateValue(c.value, c.unit) : F::dash();
        if (c.id.startsWith(QLatin1String("no_finding:"))) { // "no pool-exhaustion finding": a count of findings
            row.threshold = QStringLiteral("none");
            row.value = !c.measured    ? F::dash()
                        : c.value == 0 ? QStringLiteral("none")
                        : c.value == 1 ? QStringLiteral("1 finding")
                                       : QStringLiteral("%1 findings").arg(c.value);
        }
        row.result = !c.measured ? QStringLiteral("not measured")
                     : c.pass    ? QStringLiteral("pass")
                                 : QStringLiteral("fail");
        row.note = scrub(c.note);
        row.threshold_raw = c.threshold;
        row.value_raw = c.value;
        row.measured = c.measured;
        row.pass = c.pass;
        m.gates.push_back(row);
    }

    // 4. Findings (already ordered by severity by the diagnosis).
    std::vector<const Finding *> ordered;
    for (const Finding &f : findings)
        ordered.push_back(&f);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Finding *a, const Finding *b) { return a->severity < b->severity; });
    for (const Finding *f : ordered) {
        FindingItem item;
        item.id = f->id;
        item.severity = severityId(f->severity);
        item.title = scrub(f->title);
        item.summary = scrub(f->summary);
        item.endpoint = scrub(f->endpoint);
        item.layer = f->layer.isEmpty() ? QStringLiteral("unspecified") : f->layer;
        item.recommendation = scrub(f->recommendation);
        item.confidence = f->confidence;
        for (const Evidence &e : f->evidence)
            item.evidence.push_back({e.metric, evidenceValue(e), scrub(e.note)});
        item.figures = figuresFor(f->id);
        m.findings.push_back(item);
    }

    // What the errors said.
    m.error_responses = total.errors();
    for (const ErrorSignatureSummary &s : summarizeErrors(run)) {
        ErrorGroup g;
        g.signature = s.signature;
        QStringList statuses;
        bool transport = false;
        for (int st : s.statuses) {
            if (st == 0)
                transport = true;
            else
                statuses << QString::number(st);
        }
        g.statuses = statuses.isEmpty() ? QString() : QStringLiteral("HTTP ") + statuses.join(QStringLiteral(", "));
        if (transport)
            g.statuses +=
                (g.statuses.isEmpty() ? QString() : QStringLiteral(" and ")) + QStringLiteral("no HTTP answer");
        g.endpoints = s.endpoints;
        g.count = s.count;
        g.excerpt = clip(scrub(s.example.isEmpty() ? s.normalized : s.example), 300);
        g.meaning = s.meaning;
        g.fix = s.fix;
        g.supports = s.supports;
        g.retry_after = s.retry_after;
        g.first_seen_s = s.first_seen_s;
        g.last_seen_s = s.last_seen_s;
        m.errors.push_back(g);
    }

    // 5. Damage by level.
    for (const LevelSummary &l : d.levels) {
        LevelRow row;
        row.load = l.ramp ? l.label : F::load(l.load(), l.open_model);
        row.load_raw = l.load();
        row.open_model = l.open_model;
        row.ramp = l.ramp;
        row.requests = l.requests;
        row.success_rate = l.success_rate;
        row.p50_ms = l.p50_ms;
        row.p95_ms = l.p95_ms;
        row.p99_ms = l.p99_ms;
        row.rps = l.rps;
        row.in_flight_max = l.in_flight_max;
        // Backends are PostgreSQL sessions; a SQLite file has none to count.
        const bool sessions = run.database.kind == QLatin1String("postgresql");
        row.db_backends_max = sessions ? l.db_backends_max : -1;
        row.db_active_max = sessions ? l.db_active_max : -1;
        row.pool_in_use_max = l.pool_in_use_max;
        row.pool_max = l.pool_max;
        row.within_gates = l.requests > 0 && gateSet.levelPasses(l);
        m.levels.push_back(row);
    }
    m.capacity = d.capacity;
    m.supported_load = d.capacity.supported_load;
    {
        const LevelSummary *highest = nullptr;
        const LevelSummary *lowest = nullptr;
        for (const LevelSummary &l : d.levels) {
            if (l.ramp || l.requests == 0 || l.open_model != d.capacity.supported_open_model)
                continue;
            if (!highest || l.load() > highest->load())
                highest = &l;
            if (!lowest || l.load() < lowest->load())
                lowest = &l;
        }
        const bool open = d.capacity.supported_open_model;
        if (!highest)
            m.supported = QStringLiteral("No load level completed requests, so the supported load is unknown.");
        else if (m.supported_load < 0)
            m.supported = QStringLiteral("No load level stays within the gates: even %1 breaks the per-level checks.")
                              .arg(F::load(lowest->load(), lowest->open_model));
        else if (m.supported_load >= highest->load())
            m.supported =
                QStringLiteral("The backend stays within the gates at every level tested, up to %1; its limit "
                               "lies beyond this run.")
                    .arg(F::load(m.supported_load, open));
        else
            m.supported = QStringLiteral("The backend stays within the gates up to %1; the next level breaks them.")
                              .arg(F::load(m.supported_load, open));
    }

    // 6. Charts.
    m.charts = ReportCharts::build(run, d.levels, d.capacity, gates);

    // 7. Queries. Queries per request and the statements of an endpoint are QueryCount's (data statements only,
    // grouped by fingerprint); the N+1 parent and children are the ones the finding names (its refs).
    m.database_kind = run.database.kind;
    std::vector<QString> profiled; // endpoints of the profiling pass, plan order first, then as recorded
    for (const EndpointSpec &e : run.plan.endpoints)
        if (QueryCount::perRequest(run, e.name) >= 0)
            profiled.push_back(e.name);
    for (const QueryStat &q : run.queries)
        if (q.phase == QLatin1String("profile") && !q.endpoint.isEmpty() &&
            std::find(profiled.begin(), profiled.end(), q.endpoint) == profiled.end())
            profiled.push_back(q.endpoint); // endpoints no longer in the plan
    for (const QString &name : profiled) {
        EndpointQueries row;
        row.endpoint = name;
        row.queries_per_request = QueryCount::perRequest(run, name);
        bool timed = false;
        for (const QueryStat &q : QueryCount::profiledStatements(run, name)) {
            if (q.requests > 0)
                row.db_ms_per_request += q.total_ms / q.requests;
            row.requests = std::max(row.requests, q.requests);
            timed = timed || q.mean_ms > 0;
            ++row.statements;
        }
        if (!timed)
            row.db_ms_per_request = -1; // a statement log without timings
        // Too many queries is what the diagnosis says: an N+1 finding on the endpoint, or the gate set's check.
        row.flagged = std::any_of(findings.begin(), findings.end(), [&name](const Finding &f) {
            return f.id == QLatin1String("n-plus-one") && f.endpoint == name;
        });
        for (const GateSpec &g : gateSet.checks())
            if (g.id == QLatin1String("queries_per_request") && !g.accepts(row.queries_per_request))
                row.flagged = true;
        m.endpoint_queries.push_back(row);
    }
    for (const Finding &f : findings) {
        if (f.id != QLatin1String("n-plus-one"))
            continue;
        // The finding's endpoint is the name the profiling pass recorded (the label of an unnamed endpoint).
        QString endpoint = f.endpoint;
        if (endpoint.isEmpty() && f.refs.endpoint >= 0 && size_t(f.refs.endpoint) < run.plan.endpoints.size())
            endpoint = run.plan.endpoints[size_t(f.refs.endpoint)].name;
        if (endpoint.isEmpty() || f.refs.statements.empty())
            continue; // a finding stored before statements were referenced: its card says what it found
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
        n.endpoint = endpoint;
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
        m.plan_facts.push_back(
            {QStringLiteral("Database"), plan.database.isSqlite()
                                             ? scrub(plan.database.conninfo)
                                             : SecretResolver::redactConninfo(scrub(plan.database.conninfo))});
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

    // 2. Executive summary, last: it reads everything above.
    QStringList s;
    std::vector<const FindingItem *> causes;
    for (const FindingItem &f : m.findings)
        if (f.severity != QLatin1String("info"))
            causes.push_back(&f);
    QStringList failed;
    for (const GateRow &g : m.gates)
        if (g.measured && !g.pass)
            failed << g.check + QLatin1Char(' ') + g.threshold;
    if (m.verdict == QLatin1String("not-ready")) {
        QString list = failed.mid(0, 3).join(QStringLiteral(", "));
        if (failed.size() > 3)
            list += QStringLiteral(" and %1 more").arg(failed.size() - 3);
        s << QStringLiteral("Not ready for production: %1 of %2 %3 gates failed (%4).")
                 .arg(m.gates_failed)
                 .arg(m.gates_total)
                 .arg(m.gate_preset, list);
    } else if (m.verdict == QLatin1String("ready")) {
        QString where;
        for (const GateRow &g : m.gates)
            if (g.note.startsWith(QLatin1String("at "))) {
                where = QStringLiteral(", judged ") + g.note;
                break;
            }
        s << QStringLiteral("Ready for production: all %1 %2 gates passed%3.")
                 .arg(m.gates_total)
                 .arg(m.gate_preset, where);
    } else {
        s << ensurePeriod(QStringLiteral("Inconclusive: ") + (m.verdict_reason.isEmpty()
                                                                  ? QStringLiteral("the run could not be judged")
                                                                  : m.verdict_reason));
    }
    if (!causes.empty()) {
        const FindingItem &top = *causes.front();
        const QString plain = plainWords(top.id);
        QString sentence = plain.isEmpty() ? QStringLiteral("The root cause: ") + top.title
                                           : QStringLiteral("The root cause: ") + plain;
        if (!top.endpoint.isEmpty() && !sentence.contains(top.endpoint))
            sentence += QStringLiteral(" (%1)").arg(top.endpoint);
        s << ensurePeriod(sentence);
        QStringList more;
        for (size_t i = 1; i < causes.size() && more.size() < 3; ++i)
            more << causes[i]->title;
        if (!more.isEmpty())
            s << ensurePeriod(QStringLiteral("Also found: ") + more.join(QStringLiteral("; ")));
    } else if (m.verdict == QLatin1String("not-ready")) {
        s << QStringLiteral(
            "Preflight named no single root cause for the failed gates; the damage table and the charts "
            "show where the load breaks them.");
    } else if (m.verdict == QLatin1String("ready")) {
        s << QStringLiteral("No root cause of slowness or failure was found.");
    }
    // Impact: the lowest and the highest load level.
    {
        const LevelRow *low = nullptr, *high = nullptr;
        for (const LevelRow &l : m.levels) {
            if (l.ramp || l.requests == 0)
                continue;
            if (!low || l.load_raw < low->load_raw)
                low = &l;
            if (!high || l.load_raw > high->load_raw)
                high = &l;
        }
        if (high && low && high != low && !high->within_gates)
            s << QStringLiteral(
                     "At %1 P95 latency was %2; at %3 %4 of requests succeeded, P95 reached %5 and throughput was %6.")
                     .arg(low->load, F::ms(low->p95_ms), high->load, F::percent(high->success_rate),
                          F::ms(high->p95_ms), F::rps(high->rps));
        else if (high)
            s << QStringLiteral("At %1, the highest load tested, %2 of requests succeeded with P95 %3 at %4.")
                     .arg(high->load, F::percent(high->success_rate), F::ms(high->p95_ms), F::rps(high->rps));
        if (high && m.verdict != QLatin1String("inconclusive"))
            s << m.supported;
    }
    if (!causes.empty()) {
        const QString rec = firstSentence(causes.front()->recommendation);
        if (!rec.isEmpty())
            s << ensurePeriod(QStringLiteral("Recommended fix: ") + rec);
    } else if (m.capacity.usl.valid && m.capacity.usl.peak_users > 0) {
        s << QStringLiteral("The capacity model puts the throughput peak near %1 (%2).")
                 .arg(F::load(std::round(m.capacity.usl.peak_users), false), F::rps(m.capacity.usl.peak_rps));
    }
    if (s.size() < 3)
        s << QStringLiteral("The run sent %1 requests to %2 over %3.")
                 .arg(F::count(total.requests), m.target, F::seconds(run.info.duration_s));
    if (s.size() < 3)
        s << QStringLiteral("Gate checks: %1.").arg(m.gate_tally);
    while (s.size() > 6)
        s.removeAt(s.size() - 2); // keep the recommendation, drop the least important middle sentence
    m.executive_summary = s;
    return m;
}

} // namespace Preflight
