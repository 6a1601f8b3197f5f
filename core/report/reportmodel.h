#pragma once

#include "data/rundata.h"
#include "diagnosis/capacitymodel.h"
#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "report/chartdrawing.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace Preflight {

enum class ReportPageSize { A4, Letter };
QString reportPageSizeId(ReportPageSize size);                         // "a4" | "letter"
std::optional<ReportPageSize> reportPageSizeFromId(const QString &id); // case-insensitive; nullopt when unknown

// How a report is made. Every field is optional.
struct ReportOptions
{
    // The run to compare against (before/after section). Not owned; must outlive the call it is passed to.
    const RunData *baseline = nullptr;
    // The gates the run was judged by. Not owned. Null: the plan's gates, else the stored preset, else `launch`.
    const GateSet *gates = nullptr;
    // The run's diagnosis when the caller already has it (analyze(run, gates)); saves re-analysing a long run.
    // Not owned. Null: build() analyses the run itself.
    const Diagnosis *diagnosis = nullptr;
    ReportPageSize page_size = ReportPageSize::A4; // PDF only
    QString title;                                 // empty: "Readiness report: <run name>"
    QDateTime generated_at;                        // invalid: now (UTC); tests fix it for stable output
};

// What the readiness report says (docs/report.md), in the order it says it, independent of the format.
// Built by ReportModel::build() from a RunData alone: pure, Qt Core only, thread-safe, never throws.
//
// Findings, gates, verdict, verdict reason and notes are the ones stored in the run (what the JSON summary and the
// exit code said); only when the run was never diagnosed does build() diagnose it (a run stored before verdict
// reasons were kept gets the reason and notes of now). Levels and the capacity model are always derived from the
// run's intervals. Queries per request come from QueryCount, the N+1 tables from the findings' references. Every
// text is made safe: the target through SecretResolver::redactUrl, free text through SecretScrubber::text, header
// values and the conninfo are never copied.
struct ReportModel
{
    // 1. Title block.
    QString title;
    QString run_name;
    qint64 run_id = -1;
    QString target;         // base URL, no credentials
    QDateTime started_at;   // UTC
    QDateTime generated_at; // UTC
    double duration_s = 0;
    QString measured_with;  // Preflight version that measured the run
    QString report_version; // Preflight version that wrote the report
    QString scenario;       // "sweep: 1, 2, 5, 10, 20, 50 users, 5 s per level"
    QString status;         // completed | aborted | interrupted | failed | running
    QString status_reason;
    QString verdict;        // ready | not-ready | inconclusive
    QString verdict_label;  // READY | NOT READY | INCONCLUSIVE
    QString verdict_reason; // one sentence
    QString gate_preset;
    int gates_total = 0, gates_passed = 0, gates_failed = 0, gates_unmeasured = 0;
    QString gate_tally;  // "2 of 5 gates passed · 3 failed"
    QStringList banners; // shown in a visible box at the top (insecure TLS, aborted run)

    // 2. Executive summary: three to six sentences.
    QStringList executive_summary;

    // 3. Launch gates.
    struct GateRow
    {
        QString id;        // stable check id ("p95_ms")
        QString check;     // "P95"
        QString threshold; // "≤ 120 ms"
        QString value;     // "31.2 s" or "–" when not measured
        QString result;    // "pass" | "fail" | "not measured"
        QString note;      // where it was evaluated ("at 50 users")
        double threshold_raw = 0;
        double value_raw = 0;
        bool measured = false;
        bool pass = false;
    };
    std::vector<GateRow> gates;

    // 4. Findings, most severe first.
    struct EvidenceRow
    {
        QString metric;
        QString value; // number with unit
        QString note;
    };
    struct FindingItem
    {
        QString id;
        QString severity; // critical | high | medium | low | info
        QString title;
        QString summary; // what happens
        QString endpoint;
        QString layer; // code | configuration | architecture | capacity | database
        QString recommendation;
        double confidence = 0;
        std::vector<EvidenceRow> evidence;
        QStringList figures; // chart ids (ReportChart::id) that show it
    };
    std::vector<FindingItem> findings;

    // What the errors said: failing responses grouped by error signature (core/diagnosis/errorsignatures.h).
    struct ErrorGroup
    {
        QString signature;     // catalogue entry id, or "unrecognised"
        QString statuses;      // "HTTP 503", "HTTP 500, 502", "no HTTP answer"
        QStringList endpoints; // endpoint names
        uint64_t count = 0;    // responses the samples stand for
        QString excerpt;       // an example body, whitespace folded, ≤ 300 characters, scrubbed
        QString meaning;       // what the signature means (empty when unrecognised)
        QString fix;
        QString supports; // the finding it backs
        QString retry_after;
        double first_seen_s = 0;
        double last_seen_s = 0;
    };
    std::vector<ErrorGroup> errors;
    uint64_t error_responses = 0; // all failed requests of the run (the samples keep a bounded subset)

    // 5. Damage assessment by load level.
    struct LevelRow
    {
        QString load; // "20 users" / "50 req/s"
        double load_raw = 0;
        bool open_model = false;
        bool ramp = false;
        uint64_t requests = 0;
        double success_rate = 1;
        uint64_t never_sent = 0; // open model: arrivals never sent, all connections busy (LevelSummary::never_sent)
        double p50_ms = 0, p95_ms = 0, p99_ms = 0;
        double rps = 0; // completed requests/s over the steady span
        int in_flight_max = 0;
        int db_backends_max = -1; // -1: no sample
        int db_active_max = -1;
        int pool_in_use_max = -1;
        int pool_max = -1;
        bool within_gates = false; // passes the per-level gate checks
    };
    std::vector<LevelRow> levels;
    QString supported; // "The backend stays within the gates up to 5 users." (or why not known)
    double supported_load = -1;
    CapacityModel capacity;

    // 6. Charts, laid out by SvgChart: the HTML writes drawing.toSvg(), the PDF paints the primitives.
    struct Chart
    {
        QString id;      // "latency" | "throughput" | "connections" | "capacity"
        QString title;   // "Figure 1. Latency percentiles over time"
        QString caption; // what to look at
        ChartDrawing drawing;
    };
    std::vector<Chart> charts;
    const Chart *chart(const QString &id) const;

    // 7. Queries.
    struct EndpointQueries
    {
        QString endpoint;
        double queries_per_request = 0; // QueryCount::perRequest: data statements only
        int statements = 0;             // distinct data statements (by fingerprint)
        double db_ms_per_request = 0;   // of those statements; -1: no timings (a statement log)
        bool flagged = false;           // an n-plus-one finding names it, or it fails the queries_per_request gate
        double requests = 0;            // profiling requests
    };
    std::vector<EndpointQueries> endpoint_queries;
    // One n-plus-one finding as a table: its statements (Finding::refs) with their calls per request from the
    // profiling pass (QueryCount::profiledStatements), and its parameters (evidence values k, N, M).
    struct NPlusOne
    {
        QString endpoint;
        QString formula;          // "1 + 3·N", "1 + 2·N + N·M"; without a parent "3·N"
        QString worked;           // "1 + 3·20 = 61"; empty when N was not measured
        double n = -1;            // N (the finding's n_rows); -1: not measured, no N claimed
        double m = -1;            // M (m_rows) of a nested loop; -1: none
        bool n_from_rows = false; // N is the parent's rows per call (pg_stat_statements), else the per-row
                                  // queries' calls per request (a statement log has no row counts)
        int k = 0;                // children_per_row
        double measured = 0;      // data statements per request measured in the profiling pass
        struct Statement
        {
            QString role;                 // "once per request (parent)" | "once per parent row" |
                                          // "once per row of a per-row query" | "other"
            double calls_per_request = 0; // -1: the statement is not in the run's profiling pass
            QString text;
        };
        std::vector<Statement> statements; // parent, per-row queries, nested per-row queries, then the rest
    };
    std::vector<NPlusOne> n_plus_one;
    struct PlanItem
    {
        QString text; // normalised query text
        double mean_ms = -1;
        double calls = 0;
        QStringList lines;         // compact tree, one node per line
        std::vector<bool> flagged; // per line: Seq Scan on a large relation with a filter
        bool has_flagged = false;
        QString error; // why there is no plan
    };
    std::vector<PlanItem> plans;
    QString database_kind; // postgresql | sqlite | none
    QString queries_note;  // why the section is empty (no database, pg_stat_statements missing, …)

    // 8. Before/after (only with a baseline).
    struct CompareRow
    {
        QString label; // "P95 latency", "GET /search P95"
        QString before;
        QString after;
        QString delta;   // "−12.3 ms (−40%)"
        QString verdict; // better | worse | unchanged | inconclusive
    };
    // One endpoint or level before/after: "1.1 s → 30.7 ms" per metric, with the metric's verdict.
    struct CompareLine
    {
        QString label;
        QString p95, rps, error_rate;                         // "before → after"
        QString p95_verdict, rps_verdict, error_rate_verdict; // better | worse | unchanged | inconclusive
    };
    struct Comparison
    {
        QString baseline_name;
        qint64 baseline_id = -1;
        QDateTime baseline_started_at;
        std::vector<CompareRow> headline; // verdict, gates, supported load, totals
        std::vector<CompareLine> endpoints;
        std::vector<CompareLine> levels;
        QStringList findings_resolved;
        QStringList findings_new;
    };
    std::optional<Comparison> comparison;

    // 9. Method appendix.
    struct EndpointRow
    {
        QString name, method, path;
        double weight = 1;
    };
    std::vector<EndpointRow> plan_endpoints;
    std::vector<std::pair<QString, QString>> plan_facts; // key → value (target, timeout, headers, …)
    std::vector<StageInfo> stages;
    std::vector<std::pair<QString, QString>> tool_facts;     // version, machine, workers, run id …
    std::vector<std::pair<QString, QString>> database_facts; // kind, version, max_connections, pg_stat_statements …
    QStringList warnings;                                    // run + database warnings + what diagnosis could not check
    QStringList remediation;                                 // lines to run (never run by Preflight)

    static ReportModel build(const RunData &run, const ReportOptions &options = {});

private:
    struct Inputs;                          // reportsections.h
    void buildQueries(const Inputs &in);    // 7. Queries
    void buildComparison(const Inputs &in); // 8. Before/after
    void buildMethod(const Inputs &in);     // 9. Method appendix
};

} // namespace Preflight
