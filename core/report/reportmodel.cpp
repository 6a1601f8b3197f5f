#include "reportmodel.h"

#include "data/format.h"
#include "reportcharts.h"
#include "reportsections.h"

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

namespace F = Format;
using ReportSections::clip;
using ReportSections::verdictLabel;

namespace {

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
        row.value = c.measured ? F::gateValue(c.value, c.unit) : F::unknown();
        if (c.id.startsWith(QLatin1String("no_finding:"))) { // "no pool-exhaustion finding": a count of findings
            row.threshold = QStringLiteral("none");
            row.value = !c.measured    ? F::unknown()
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
        row.never_sent = l.never_sent;
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

    // 7-9. Queries, before/after, method appendix (reportsections.cpp).
    const Inputs in{run, options, gateSet, d, findings, gates, stored, storedReason, total};
    m.buildQueries(in);
    m.buildComparison(in);
    m.buildMethod(in);

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
