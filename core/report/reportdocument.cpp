#include "reportdocument.h"

#include "data/format.h"

#include <algorithm>
#include <cmath>

namespace Preflight {

namespace F = Format;

namespace {

QString dateText(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'")) : F::unknown();
}

QString toneOfDelta(const QString &verdict)
{
    if (verdict == QLatin1String("better"))
        return QStringLiteral("pass");
    if (verdict == QLatin1String("worse"))
        return QStringLiteral("fail");
    if (verdict == QLatin1String("inconclusive"))
        return QStringLiteral("muted");
    return QString();
}

QString connections(int value, int max = -1)
{
    if (value < 0)
        return F::unknown();
    return max > 0 ? QStringLiteral("%1 / %2").arg(value).arg(max) : QString::number(value);
}

QString layerWords(const QString &layer)
{
    if (layer == QLatin1String("code"))
        return QStringLiteral("code (a change in the application)");
    if (layer == QLatin1String("configuration"))
        return QStringLiteral("configuration (a setting, no code change)");
    if (layer == QLatin1String("architecture"))
        return QStringLiteral("architecture (how the parts are put together)");
    if (layer == QLatin1String("capacity"))
        return QStringLiteral("capacity (more or bigger resources)");
    if (layer == QLatin1String("database"))
        return QStringLiteral("database (schema or server)");
    return layer;
}

class Composer
{
public:
    explicit Composer(const ReportModel &m) : m(m) {}

    ReportDocument run()
    {
        doc.title = m.title;
        doc.footer =
            QStringLiteral("Preflight %1 \u00b7 %2%3 \u00b7 generated %4")
                .arg(m.report_version, m.run_name,
                     m.run_id >= 0 ? QStringLiteral(" (run #%1)").arg(m.run_id) : QString(), dateText(m.generated_at));
        titleBlock();
        summary();
        gates();
        findings();
        errors();
        damage();
        charts();
        queries();
        comparison();
        method();
        return std::move(doc);
    }

private:
    ReportBlock &add(ReportBlock::Kind kind)
    {
        doc.blocks.emplace_back();
        doc.blocks.back().kind = kind;
        return doc.blocks.back();
    }
    void heading(int level, const QString &text, const QString &id = QString(), const QString &badge = QString(),
                 const QString &tone = QString())
    {
        ReportBlock &b = add(ReportBlock::Kind::Heading);
        b.level = level;
        b.text = text;
        b.id = id;
        b.badge = badge;
        b.tone = tone;
    }
    void paragraph(const QString &text, bool keepWithNext = false)
    {
        ReportBlock &b = add(ReportBlock::Kind::Paragraph);
        b.text = text;
        b.keep_with_next = keepWithNext;
    }
    void facts(std::vector<std::pair<QString, QString>> pairs)
    {
        if (!pairs.empty())
            add(ReportBlock::Kind::Facts).facts = std::move(pairs);
    }
    void table(ReportTable t) { add(ReportBlock::Kind::Table).table = std::move(t); }
    void code(const QStringList &lines, const QString &label = QString(), std::vector<bool> marked = {})
    {
        ReportBlock &b = add(ReportBlock::Kind::Code);
        b.items = lines;
        b.text = label;
        b.marked = std::move(marked);
    }
    void bullets(const QStringList &items)
    {
        if (!items.isEmpty())
            add(ReportBlock::Kind::Bullets).items = items;
    }
    QString figureRef(const QStringList &ids)
    {
        QStringList refs;
        for (const QString &id : ids)
            if (const ReportModel::Chart *c = m.chart(id))
                refs << c->title.section(QLatin1Char('.'), 0, 0); // "Figure 3"
        return refs.join(QStringLiteral(", "));
    }

    void titleBlock()
    {
        add(ReportBlock::Kind::Title).text = m.title;
        std::vector<std::pair<QString, QString>> f{
            {QStringLiteral("Target"), m.target},
            {QStringLiteral("Run"),
             QStringLiteral("%1 \u00b7 %2").arg(dateText(m.started_at), F::seconds(m.duration_s))},
            {QStringLiteral("Scenario"), m.scenario},
            {QStringLiteral("Gates"), m.gate_preset},
            {QStringLiteral("Preflight"),
             m.measured_with == m.report_version
                 ? m.report_version
                 : QStringLiteral("%1 (report by %2)").arg(m.measured_with, m.report_version)},
            {QStringLiteral("Generated"), dateText(m.generated_at)},
        };
        facts(f);
        ReportBlock &v = add(ReportBlock::Kind::Verdict);
        v.text = m.verdict_label;
        v.tone = m.verdict;
        v.items << m.gate_tally;
        if (!m.verdict_reason.isEmpty())
            v.items << m.verdict_reason;
        for (const QString &b : m.banners) {
            ReportBlock &banner = add(ReportBlock::Kind::Banner);
            banner.text = b;
            banner.tone = QStringLiteral("danger");
        }
    }

    void summary()
    {
        heading(2, QStringLiteral("Executive summary"), QStringLiteral("summary"));
        paragraph(m.executive_summary.join(QLatin1Char(' ')));
    }

    void gates()
    {
        heading(2, QStringLiteral("Launch gates"), QStringLiteral("gates"));
        if (m.gates.empty()) {
            paragraph(QStringLiteral("No gate was evaluated for this run."));
            return;
        }
        paragraph(QStringLiteral("Gate set **%1**: %2.").arg(m.gate_preset, m.gate_tally));
        ReportTable t;
        t.id = QStringLiteral("gate-table");
        t.header = {QStringLiteral("Check"), QStringLiteral("Threshold"), QStringLiteral("Measured"),
                    QStringLiteral("Result"), QStringLiteral("Where")};
        t.numeric = {false, true, true, false, false};
        t.widths = {2.2, 1.4, 1.4, 1.2, 2.6};
        for (const ReportModel::GateRow &g : m.gates) {
            ReportTable::Row r;
            r.cells = {g.check, g.threshold, g.value,
                       g.result == QLatin1String("pass")   ? QStringLiteral("PASS")
                       : g.result == QLatin1String("fail") ? QStringLiteral("FAIL")
                                                           : QStringLiteral("NOT MEASURED"),
                       g.note};
            const QString tone = !g.measured ? QStringLiteral("warn")
                                 : g.pass    ? QStringLiteral("pass")
                                             : QStringLiteral("fail");
            r.cell_tones[3] = tone;
            if (g.measured && !g.pass)
                r.cell_tones[2] = tone;
            r.data[QStringLiteral("check")] = g.id;
            r.data[QStringLiteral("threshold")] = QString::number(g.threshold_raw, 'g', 12);
            r.data[QStringLiteral("value")] = g.measured ? QString::number(g.value_raw, 'g', 12) : QString();
            r.data[QStringLiteral("pass")] = g.pass ? QStringLiteral("true") : QStringLiteral("false");
            t.rows.push_back(r);
        }
        table(t);
    }

    void findings()
    {
        heading(2, QStringLiteral("Root causes"), QStringLiteral("findings"));
        if (m.findings.empty()) {
            paragraph(QStringLiteral("No finding: nothing in this run points at a root cause of slowness or failure."));
            return;
        }
        QStringList counts;
        for (const char *sev : {"critical", "high", "medium", "low", "info"}) {
            const auto n = std::count_if(m.findings.begin(), m.findings.end(), [&](const ReportModel::FindingItem &f) {
                return f.severity == QLatin1String(sev);
            });
            if (n)
                counts << QStringLiteral("%1 %2").arg(n).arg(QLatin1String(sev));
        }
        paragraph(QStringLiteral("Most severe first: %1.").arg(counts.join(QStringLiteral(", "))), true);
        for (const ReportModel::FindingItem &f : m.findings) {
            add(ReportBlock::Kind::GroupBegin).tone = f.severity;
            heading(3, f.title, QStringLiteral("finding-") + f.id, f.severity.toUpper(), f.severity);
            paragraph(QStringLiteral("**What happens.** ") + f.summary);
            std::vector<std::pair<QString, QString>> fs;
            fs.push_back({QStringLiteral("Layer"), layerWords(f.layer)});
            if (!f.endpoint.isEmpty())
                fs.push_back({QStringLiteral("Endpoint"), f.endpoint});
            fs.push_back({QStringLiteral("Finding id"),
                          QStringLiteral("`%1` \u00b7 confidence %2%").arg(f.id).arg(std::lround(f.confidence * 100))});
            const QString figs = figureRef(f.figures);
            if (!figs.isEmpty())
                fs.push_back({QStringLiteral("Shown in"), figs});
            facts(fs);
            if (!f.evidence.empty()) {
                ReportTable t;
                t.header = {QStringLiteral("Evidence"), QStringLiteral("Value"), QStringLiteral("Note")};
                t.numeric = {false, true, false};
                t.widths = {2, 1.3, 4};
                for (const ReportModel::EvidenceRow &e : f.evidence)
                    t.rows.push_back({{e.metric, e.value, e.note}, QString(), {}, {}});
                table(t);
            }
            if (!f.recommendation.isEmpty())
                paragraph(QStringLiteral("**Recommendation.** ") + f.recommendation);
            add(ReportBlock::Kind::GroupEnd);
        }
    }

    void errors()
    {
        heading(2, QStringLiteral("What the errors said"), QStringLiteral("errors"));
        if (m.error_responses == 0 && m.errors.empty()) {
            paragraph(QStringLiteral("No request failed."));
            return;
        }
        if (m.errors.empty()) {
            paragraph(
                QStringLiteral("%1 requests failed, but no failing response was sampled (transport failures such as "
                               "timeouts carry no body).")
                    .arg(F::count(m.error_responses)));
            return;
        }
        paragraph(
            QStringLiteral("%1 requests failed. The responses are grouped by what their bodies say, most frequent "
                           "first; each group keeps one example.")
                .arg(F::count(m.error_responses)),
            true);
        for (const ReportModel::ErrorGroup &g : m.errors) {
            add(ReportBlock::Kind::GroupBegin).tone =
                g.supports.isEmpty() ? QStringLiteral("low") : QStringLiteral("medium");
            heading(3,
                    QStringLiteral("%1 \u00b7 %2 response%3")
                        .arg(g.statuses.isEmpty() ? QStringLiteral("error") : g.statuses, F::count(g.count),
                             g.count == 1 ? QString() : QStringLiteral("s")),
                    QString(),
                    g.signature == QLatin1String("unrecognised") ? QStringLiteral("UNRECOGNISED") : g.signature);
            std::vector<std::pair<QString, QString>> fs;
            if (!g.endpoints.isEmpty())
                fs.push_back({QStringLiteral("Endpoints"), g.endpoints.join(QStringLiteral(", "))});
            fs.push_back({QStringLiteral("Seen"),
                          QStringLiteral("%1 to %2 run time").arg(F::clock(g.first_seen_s), F::clock(g.last_seen_s))});
            if (!g.retry_after.isEmpty())
                fs.push_back({QStringLiteral("Retry-After"), g.retry_after});
            if (!g.meaning.isEmpty())
                fs.push_back({QStringLiteral("Meaning"), g.meaning});
            if (!g.supports.isEmpty())
                fs.push_back({QStringLiteral("Backs finding"), QStringLiteral("`%1`").arg(g.supports)});
            facts(fs);
            if (!g.excerpt.isEmpty())
                code({g.excerpt}, QStringLiteral("Example body"));
            if (!g.fix.isEmpty())
                paragraph(QStringLiteral("**Typical fix.** ") + g.fix);
            add(ReportBlock::Kind::GroupEnd);
        }
    }

    void damage()
    {
        heading(2, QStringLiteral("Damage assessment"), QStringLiteral("damage"));
        if (m.levels.empty()) {
            paragraph(QStringLiteral("No load level was measured."));
            return;
        }
        paragraph(QStringLiteral("**%1**").arg(m.supported));
        const bool open =
            std::all_of(m.levels.begin(), m.levels.end(), [](const ReportModel::LevelRow &l) { return l.open_model; });
        ReportTable t;
        t.id = QStringLiteral("damage-table");
        t.header = {open ? QStringLiteral("Rate") : QStringLiteral("Users"),
                    QStringLiteral("Requests"),
                    QStringLiteral("Success"),
                    QStringLiteral("P50"),
                    QStringLiteral("P95"),
                    QStringLiteral("P99"),
                    QStringLiteral("req/s"),
                    QStringLiteral("In flight"),
                    QStringLiteral("DB backends"),
                    QStringLiteral("Pool in use")};
        t.numeric = {false, true, true, true, true, true, true, true, true, true};
        t.widths = {1.15, 1.05, 0.95, 0.95, 0.95, 0.95, 0.85, 0.85, 1.2, 1.0};
        for (const ReportModel::LevelRow &l : m.levels) {
            ReportTable::Row r;
            r.cells = {l.load,
                       F::count(l.requests),
                       l.requests ? F::percent(l.success_rate) : F::unknown(),
                       l.requests ? F::ms(l.p50_ms) : F::unknown(),
                       l.requests ? F::ms(l.p95_ms) : F::unknown(),
                       l.requests ? F::ms(l.p99_ms) : F::unknown(),
                       F::number(l.rps, l.rps < 10 ? 1 : 0),
                       QString::number(l.in_flight_max),
                       connections(l.db_backends_max),
                       connections(l.pool_in_use_max, l.pool_max)};
            r.tone = l.within_gates ? QString() : QStringLiteral("fail");
            r.data[QStringLiteral("within-gates")] = l.within_gates ? QStringLiteral("true") : QStringLiteral("false");
            t.rows.push_back(r);
        }
        // Open model: how many arrivals never got a connection (LevelSummary::never_sent), beside Success.
        const bool anyOpen =
            std::any_of(m.levels.begin(), m.levels.end(), [](const ReportModel::LevelRow &l) { return l.open_model; });
        if (anyOpen) {
            t.header.insert(3, QStringLiteral("Never sent"));
            t.numeric.insert(t.numeric.begin() + 3, true);
            t.widths.insert(t.widths.begin() + 3, 0.95);
            for (size_t i = 0; i < t.rows.size(); ++i)
                t.rows[i].cells.insert(3, m.levels[i].open_model ? F::count(m.levels[i].never_sent) : F::unknown());
        }
        table(t);
        paragraph(
            QStringLiteral("Rows in red break at least one per-level gate check. Latency and req/s leave out the "
                           "first half second of each level (warm-up); counts cover the whole level. "
                           "\u201cDB backends\u201d are the application's database sessions; \u201cPool in use\u201d "
                           "is what the application's pool reported.") +
            (anyOpen ? QStringLiteral(" \u201cNever sent\u201d counts arrivals that found every one of Preflight's "
                                      "connections busy for longer than the timeout: each is also a timeout, "
                                      "counted in Success and in the percentiles with the time it waited.")
                     : QString()));
        const CapacityModel &c = m.capacity;
        std::vector<std::pair<QString, QString>> fs;
        if (c.service_time_ms > 0)
            fs.push_back({QStringLiteral("Service time"),
                          QStringLiteral("%1 (mean latency at %2)")
                              .arg(F::ms(c.service_time_ms), F::load(c.service_time_from_load, false))});
        if (c.effective_parallelism_max > 0)
            fs.push_back(
                {QStringLiteral("Effective parallelism"),
                 QStringLiteral("%1 at most: requests served at once (Little's law: throughput \u00d7 service time)")
                     .arg(F::number(c.effective_parallelism_max, 1))});
        if (c.plateau_reached)
            fs.push_back(
                {QStringLiteral("Plateau"), QStringLiteral("throughput stops growing from %1 (parallelism \u2248 %2)")
                                                .arg(F::load(c.plateau_load, false), F::number(c.plateau_value, 1))});
        if (c.usl.valid)
            fs.push_back({QStringLiteral("USL fit"),
                          QStringLiteral("\u03c3 = %1, \u03ba = %2, R\u00b2 = %3%4")
                              .arg(F::number(c.usl.sigma, 3), F::number(c.usl.kappa, 5), F::number(c.usl.r2, 3),
                                   c.usl.peak_users > 0
                                       ? QStringLiteral("; peak near %1 (%2)")
                                             .arg(F::load(std::round(c.usl.peak_users), false), F::rps(c.usl.peak_rps))
                                       : QString())});
        else if (!c.usl.reason.isEmpty())
            fs.push_back({QStringLiteral("USL fit"), QStringLiteral("none: ") + c.usl.reason});
        facts(fs);
    }

    void charts()
    {
        heading(2, QStringLiteral("Charts"), QStringLiteral("charts"));
        if (m.charts.empty()) {
            paragraph(QStringLiteral("Nothing was measured over time."));
            return;
        }
        for (const ReportModel::Chart &c : m.charts) {
            ReportBlock &b = add(ReportBlock::Kind::Chart);
            b.id = QStringLiteral("chart-") + c.id;
            b.text = c.title;
            b.caption = c.caption;
            b.chart = c.drawing;
        }
    }

    void queries()
    {
        heading(2, QStringLiteral("Queries"), QStringLiteral("queries"));
        if (!m.queries_note.isEmpty())
            paragraph(m.queries_note);
        if (!m.endpoint_queries.empty()) {
            paragraph(
                m.database_kind == QLatin1String("postgresql")
                    ? QStringLiteral("Profiling pass: each endpoint alone, sequential requests, database statements "
                                     "counted before and after (pg_stat_statements).")
                    : QStringLiteral("Profiling pass: each endpoint alone, sequential requests, statements counted "
                                     "from the application's statement log (no timings: DB time is not known)."));
            ReportTable t;
            t.id = QStringLiteral("queries-table");
            t.header = {QStringLiteral("Endpoint"), QStringLiteral("Queries per request"),
                        QStringLiteral("Distinct statements"), QStringLiteral("DB time per request"),
                        QStringLiteral("Requests profiled")};
            t.numeric = {false, true, true, true, true};
            t.widths = {2.4, 1.3, 1.3, 1.3, 1.2};
            for (const ReportModel::EndpointQueries &q : m.endpoint_queries) {
                ReportTable::Row r;
                r.cells = {q.endpoint, F::number(q.queries_per_request, q.queries_per_request < 10 ? 1 : 0),
                           QString::number(q.statements), F::ms(q.db_ms_per_request), F::number(q.requests)};
                if (q.flagged)
                    r.cell_tones[1] = QStringLiteral("fail");
                t.rows.push_back(r);
            }
            table(t);
        }
        if (!m.n_plus_one.empty()) {
            heading(3, QStringLiteral("N+1 patterns"), QStringLiteral("n-plus-one"));
            for (const ReportModel::NPlusOne &n : m.n_plus_one) {
                const QString nested =
                    n.m >= 0 ? QStringLiteral(" and M = %1 rows per per-row query").arg(F::number(n.m, 1)) : QString();
                if (n.n >= 0)
                    paragraph(
                        QStringLiteral("**%1** runs **%2** queries per request: with N = %3 %4%5, %6 (measured: %7).")
                            .arg(n.endpoint, n.formula, F::number(n.n, 1),
                                 n.n_from_rows ? QStringLiteral("rows from the parent query")
                                               : QStringLiteral("runs of each per-row query per request"),
                                 nested, n.worked, F::number(n.measured, 1)),
                        true);
                else
                    paragraph(QStringLiteral("**%1** repeats %2 within each request (measured: %3 queries per "
                                             "request); no parent query returning that many rows was measured, so N is "
                                             "not known.")
                                  .arg(n.endpoint,
                                       n.k == 1 ? QStringLiteral("a query") : QStringLiteral("%1 queries").arg(n.k),
                                       F::number(n.measured, 1)),
                              true);
                ReportTable t;
                t.header = {QStringLiteral("Runs"), QStringLiteral("Calls per request"),
                            QStringLiteral("Query (normalised, no literal values)")};
                t.numeric = {false, true, false};
                t.widths = {1.5, 1.0, 4.5};
                for (const ReportModel::NPlusOne::Statement &st : n.statements)
                    t.rows.push_back(
                        {{st.role, st.calls_per_request < 0 ? F::unknown() : F::number(st.calls_per_request, 1),
                          QStringLiteral("`%1`").arg(st.text)},
                         st.role == QLatin1String("other") ? QStringLiteral("muted") : QString(),
                         {},
                         {}});
                table(t);
            }
        }
        if (!m.plans.empty()) {
            heading(3, QStringLiteral("Query plans"), QStringLiteral("plans"));
            paragraph(
                QStringLiteral("EXPLAIN plans (without ANALYZE) of the statements Preflight inspected, flagged ones "
                               "first. \u25c0 SEQ SCAN marks a sequential scan of a large table with a filter: the "
                               "usual sign of a missing index."));
            for (const ReportModel::PlanItem &p : m.plans) {
                QString label = QStringLiteral("Query");
                if (p.mean_ms > 0)
                    label += QStringLiteral(" \u00b7 mean %1").arg(F::ms(p.mean_ms));
                if (p.calls > 0)
                    label += QStringLiteral(" \u00b7 %1 calls").arg(F::number(p.calls));
                code({p.text}, label);
                doc.blocks.back().keep_with_next = true; // the query with its plan
                if (!p.error.isEmpty())
                    paragraph(QStringLiteral("No plan: ") + p.error);
                else
                    code(p.lines, QStringLiteral("Plan"), p.flagged);
            }
        }
    }

    void comparison()
    {
        if (!m.comparison)
            return;
        const ReportModel::Comparison &c = *m.comparison;
        heading(2, QStringLiteral("Before and after"), QStringLiteral("comparison"));
        paragraph(
            QStringLiteral("Baseline: **%1**%2, started %3. \u201cChange\u201d is after minus before; the verdict "
                           "applies the noise rule of the run store (5% band for latency and throughput, a z-test "
                           "for error rates).")
                .arg(c.baseline_name, c.baseline_id >= 0 ? QStringLiteral(" (run #%1)").arg(c.baseline_id) : QString(),
                     dateText(c.baseline_started_at)));
        auto compareTable = [&](const std::vector<ReportModel::CompareRow> &rows, const QString &first) {
            if (rows.empty())
                return;
            ReportTable t;
            t.header = {first, QStringLiteral("Before"), QStringLiteral("After"), QStringLiteral("Change"),
                        QStringLiteral("Verdict")};
            t.numeric = {false, true, true, true, false};
            t.widths = {2.6, 1.3, 1.3, 1.6, 1.1};
            for (const ReportModel::CompareRow &r : rows) {
                ReportTable::Row row;
                row.cells = {r.label, r.before, r.after, r.delta, r.verdict};
                row.cell_tones[4] = toneOfDelta(r.verdict);
                t.rows.push_back(row);
            }
            table(t);
        };
        compareTable(c.headline, QStringLiteral("Headline"));
        if (!c.findings_resolved.isEmpty() || !c.findings_new.isEmpty()) {
            QStringList items;
            if (!c.findings_resolved.isEmpty())
                items << QStringLiteral("Resolved since the baseline: ") +
                             c.findings_resolved.join(QStringLiteral(", "));
            if (!c.findings_new.isEmpty())
                items << QStringLiteral("New since the baseline: ") + c.findings_new.join(QStringLiteral(", "));
            bullets(items);
        }
        auto lineTable = [&](const std::vector<ReportModel::CompareLine> &lines, const QString &first) {
            ReportTable t;
            t.header = {first, QStringLiteral("P95 before \u2192 after"), QStringLiteral("req/s before \u2192 after"),
                        QStringLiteral("Errors before \u2192 after")};
            t.numeric = {false, true, true, true};
            t.widths = {2.2, 1.8, 1.8, 1.8};
            for (const ReportModel::CompareLine &l : lines) {
                ReportTable::Row row;
                row.cells = {l.label, l.p95, l.rps, l.error_rate};
                row.cell_tones[1] = toneOfDelta(l.p95_verdict);
                row.cell_tones[2] = toneOfDelta(l.rps_verdict);
                row.cell_tones[3] = toneOfDelta(l.error_rate_verdict);
                t.rows.push_back(row);
            }
            table(t);
        };
        if (!c.endpoints.empty()) {
            heading(3, QStringLiteral("By endpoint"));
            lineTable(c.endpoints, QStringLiteral("Endpoint"));
        }
        if (!c.levels.empty()) {
            heading(3, QStringLiteral("By load level"));
            lineTable(c.levels, QStringLiteral("Level"));
        }
        paragraph(QStringLiteral("Green: better beyond the noise band; red: worse; grey: too few requests to tell."));
    }

    void method()
    {
        heading(2, QStringLiteral("Method"), QStringLiteral("method"));
        for (const QString &b : m.banners) {
            ReportBlock &banner = add(ReportBlock::Kind::Banner);
            banner.text = b;
            banner.tone = QStringLiteral("danger");
        }
        heading(3, QStringLiteral("Plan"));
        facts(m.plan_facts);
        if (!m.plan_endpoints.empty()) {
            ReportTable t;
            t.header = {QStringLiteral("Endpoint"), QStringLiteral("Method"), QStringLiteral("Path"),
                        QStringLiteral("Weight")};
            t.numeric = {false, false, false, true};
            t.widths = {1.8, 0.8, 3.6, 0.8};
            for (const ReportModel::EndpointRow &e : m.plan_endpoints)
                t.rows.push_back({{e.name, e.method, QStringLiteral("`%1`").arg(e.path), F::number(e.weight, 2)},
                                  QString(),
                                  {},
                                  {}});
            table(t);
        }
        if (!m.stages.empty()) {
            heading(3, QStringLiteral("Scenario stages"));
            ReportTable t;
            t.header = {QStringLiteral("#"), QStringLiteral("Stage"), QStringLiteral("Model"),
                        QStringLiteral("Starts at"), QStringLiteral("Duration")};
            t.numeric = {true, false, false, true, true};
            t.widths = {0.5, 2.4, 1.4, 1.2, 1.2};
            for (const StageInfo &s : m.stages)
                t.rows.push_back(
                    {{QString::number(s.index + 1), s.label,
                      s.open_model ? QStringLiteral("open (arrivals/s)") : QStringLiteral("closed (users)"),
                      F::clock(s.start_s), F::seconds(s.duration_s)},
                     QString(),
                     {},
                     {}});
            table(t);
        }
        heading(3, QStringLiteral("Tool and machine"));
        facts(m.tool_facts);
        heading(3, QStringLiteral("Database"));
        facts(m.database_facts);
        if (!m.remediation.isEmpty())
            code(m.remediation,
                 QStringLiteral("To enable what was missing (run by a DBA; Preflight never runs these)"));
        heading(3, QStringLiteral("Warnings and limits of this run"));
        if (m.warnings.isEmpty())
            paragraph(QStringLiteral("None."));
        else
            bullets(m.warnings);
    }

    const ReportModel &m;
    ReportDocument doc;
};

} // namespace

QString reportHtmlEscape(const QString &text)
{
    return text.toHtmlEscaped();
}

QString reportInlineHtml(const QString &text, bool strongTag)
{
    // `code` first (its content is literal), then **bold** in what is left; both escaped.
    QString out;
    out.reserve(text.size() + 16);
    bool bold = false;
    qsizetype i = 0;
    const QString bOpen = strongTag ? QStringLiteral("<strong>") : QStringLiteral("<b>");
    const QString bClose = strongTag ? QStringLiteral("</strong>") : QStringLiteral("</b>");
    while (i < text.size()) {
        const QChar c = text[i];
        if (c == QLatin1Char('`')) {
            const qsizetype end = text.indexOf(QLatin1Char('`'), i + 1);
            if (end > i) {
                out +=
                    QStringLiteral("<code>") + text.mid(i + 1, end - i - 1).toHtmlEscaped() + QStringLiteral("</code>");
                i = end + 1;
                continue;
            }
        }
        if (c == QLatin1Char('*') && i + 1 < text.size() && text[i + 1] == QLatin1Char('*')) {
            if (bold || text.indexOf(QStringLiteral("**"), i + 2) > 0) {
                out += bold ? bClose : bOpen;
                bold = !bold;
                i += 2;
                continue;
            }
        }
        out += QString(c).toHtmlEscaped();
        ++i;
    }
    if (bold)
        out += bClose;
    return out;
}

QStringList ReportDocument::sectionIds() const
{
    QStringList ids;
    for (const ReportBlock &b : blocks)
        if (b.kind == ReportBlock::Kind::Heading && b.level == 2)
            ids << b.id;
    return ids;
}

ReportDocument ReportDocument::compose(const ReportModel &model)
{
    return Composer(model).run();
}

} // namespace Preflight
