#include "reportcharts.h"

#include "data/format.h"

#include <algorithm>
#include <cmath>

namespace Preflight {

namespace {

const QString kP50 = QStringLiteral("#2563eb");
const QString kP95 = QStringLiteral("#d97706");
const QString kP99 = QStringLiteral("#dc2626");
const QString kOk = QStringLiteral("#16a34a");
const QString kHttpError = QStringLiteral("#dc2626");
const QString kTransport = QStringLiteral("#7c3aed");
const QString kInFlight = QStringLiteral("#2563eb");
const QString kDb = QStringLiteral("#ea580c");
const QString kPool = QStringLiteral("#16a34a");
const QString kFit = QStringLiteral("#2563eb");
const QString kMeasured = QStringLiteral("#111827");

constexpr double kChartWidth = 720;
constexpr double kChartHeight = 280;

// Consecutive intervals folded into one plotted point.
struct Bucket
{
    double t0 = 0, t1 = 0;
    LatencyHistogram latency;
    uint64_t requests = 0, ok = 0, http = 0, transport = 0;
    int in_flight_max = 0;
    double seconds() const { return std::max(1e-9, t1 - t0); }
};

std::vector<Bucket> bucketIntervals(const RunData &run)
{
    const size_t n = run.intervals.size();
    std::vector<Bucket> out;
    if (n == 0)
        return out;
    // At most kMaxBuckets points, and at least one second per point: 250 ms ticks alone are jittery (a request
    // more or less in a tick is ±4 req/s) and would hide the trend.
    const double tick_s = std::max(1e-3, run.intervals.front().duration_s());
    const size_t perSecond = size_t(std::max(1.0, std::round(1.0 / tick_s)));
    const size_t per = std::max((n + ReportCharts::kMaxBuckets - 1) / ReportCharts::kMaxBuckets, perSecond);
    out.reserve(n / per + 1);
    for (size_t i = 0; i < n; i += per) {
        Bucket b;
        b.t0 = run.intervals[i].start_s;
        for (size_t j = i; j < std::min(n, i + per); ++j) {
            const IntervalSnapshot &in = run.intervals[j];
            b.t1 = in.end_s;
            b.in_flight_max = std::max(b.in_flight_max, in.in_flight);
            for (const EndpointStats &e : in.endpoints) {
                b.requests += e.requests;
                b.ok += e.ok;
                b.http += e.http_errors;
                b.transport += e.transportErrorTotal();
                if (!e.latency.isEmpty())
                    b.latency.merge(e.latency);
            }
        }
        out.push_back(std::move(b));
    }
    return out;
}

double runEnd_s(const RunData &run)
{
    double end = run.info.duration_s;
    if (!run.intervals.empty())
        end = std::max(end, run.intervals.back().end_s);
    return end > 0 ? end : 1;
}

// Stage boundaries as thin vertical rules; labels only when there are few enough to read.
void addStageRules(SvgChart &chart, const RunData &run)
{
    const bool labels = run.stages.size() <= 24;
    for (const StageInfo &s : run.stages) {
        SvgChart::Rule r;
        r.value = s.start_s;
        const bool ramp = s.from != s.to;
        r.label = !labels ? QString() : ramp || s.to <= 0 ? s.label : Format::load(s.to, s.open_model);
        r.color = QStringLiteral("#cbd5e1");
        r.dashed = false;
        chart.addVerticalRule(r);
    }
}

const GateCheck *gate(const std::vector<GateCheck> &gates, const QString &id)
{
    for (const GateCheck &g : gates)
        if (g.id == id)
            return &g;
    return nullptr;
}

QString timeAxisLabel(double end_s)
{
    return end_s >= 3600 ? QStringLiteral("run time (h:mm:ss)") : QStringLiteral("run time (min:s)");
}

// The time charts share one bucketing of the intervals (merging histograms is the expensive part).
SvgChart latencyChart(const RunData &run, const std::vector<Bucket> &buckets, const std::vector<GateCheck> &gates)
{
    SvgChart chart(kChartWidth, kChartHeight);
    chart.setDescription(QStringLiteral("Latency percentiles P50, P95 and P99 over the run, with the gate thresholds"));
    SvgChart::Series p50{QStringLiteral("P50"), kP50, {}, {}, SvgChart::Style::Line, false, 1.6};
    SvgChart::Series p95{QStringLiteral("P95"), kP95, {}, {}, SvgChart::Style::Line, false, 1.6};
    SvgChart::Series p99{QStringLiteral("P99"), kP99, {}, {}, SvgChart::Style::Line, false, 1.6};
    double lo = INFINITY, hi = 0;
    for (const Bucket &b : buckets) {
        const double t = b.t1;
        if (b.latency.isEmpty()) {
            p50.points.push_back({t, NAN});
            p95.points.push_back({t, NAN});
            p99.points.push_back({t, NAN});
            continue;
        }
        const double v50 = b.latency.percentile_ms(50), v95 = b.latency.percentile_ms(95),
                     v99 = b.latency.percentile_ms(99);
        p50.points.push_back({t, v50});
        p95.points.push_back({t, v95});
        p99.points.push_back({t, v99});
        lo = std::min(lo, std::max(0.001, v50));
        hi = std::max(hi, v99);
    }
    chart.addSeries(p50);
    chart.addSeries(p95);
    chart.addSeries(p99);
    const std::pair<const char *, QString> gateIds[] = {{"p50_ms", kP50}, {"p95_ms", kP95}, {"p99_ms", kP99}};
    for (const auto &[id, color] : gateIds) {
        if (const GateCheck *g = gate(gates, QLatin1String(id))) {
            SvgChart::Rule r;
            r.value = g->threshold;
            r.label = QStringLiteral("gate ") + g->label;
            r.color = color;
            r.strong = true;
            chart.addHorizontalRule(r);
            lo = std::min(lo, g->threshold);
            hi = std::max(hi, g->threshold);
        }
    }
    // A log axis once the percentiles span more than ~1.5 decades, so a 10 ms P50 and a 30 s P99 both read.
    const bool log = std::isfinite(lo) && hi / lo > 30;
    chart.setYAxis(
        log ? QStringLiteral("latency (log scale)") : QStringLiteral("latency"), [](double v) { return Format::ms(v); },
        log);
    const double end = runEnd_s(run);
    chart.setXAxis(
        timeAxisLabel(end), [](double v) { return Format::clock(v); }, true);
    chart.setXRange(0, end);
    addStageRules(chart, run);
    return chart;
}

SvgChart throughputChart(const RunData &run, const std::vector<Bucket> &buckets, const std::vector<GateCheck> &gates)
{
    SvgChart chart(kChartWidth, kChartHeight);
    chart.setDescription(QStringLiteral("Completed requests per second over the run: successful, HTTP errors and "
                                        "transport errors (timeouts, resets) stacked"));
    SvgChart::Series ok{QStringLiteral("successful"), kOk, {}, {}, SvgChart::Style::Area, false, 1};
    SvgChart::Series http{QStringLiteral("HTTP errors"), kHttpError, {}, {}, SvgChart::Style::Area, false, 1};
    SvgChart::Series transport{
        QStringLiteral("timeouts and transport errors"), kTransport, {}, {}, SvgChart::Style::Area, false, 1};
    bool anyHttp = false, anyTransport = false;
    for (const Bucket &b : buckets) {
        const double s = b.seconds();
        const double t = (b.t0 + b.t1) / 2;
        const double vOk = double(b.ok) / s, vHttp = double(b.http) / s, vTransport = double(b.transport) / s;
        ok.points.push_back({t, vOk});
        http.base.push_back({t, vOk});
        http.points.push_back({t, vOk + vHttp});
        transport.base.push_back({t, vOk + vHttp});
        transport.points.push_back({t, vOk + vHttp + vTransport});
        anyHttp = anyHttp || b.http > 0;
        anyTransport = anyTransport || b.transport > 0;
    }
    chart.addSeries(ok);
    if (anyHttp)
        chart.addSeries(http);
    if (anyTransport)
        chart.addSeries(transport);
    if (const GateCheck *g = gate(gates, QStringLiteral("min_rps"))) {
        SvgChart::Rule r;
        r.value = g->threshold;
        r.label = QStringLiteral("gate ") + g->label;
        r.color = QStringLiteral("#0f766e");
        r.strong = true;
        chart.addHorizontalRule(r);
    }
    chart.setYAxis(QStringLiteral("requests/s"), [](double v) { return Format::number(v, v < 10 ? 1 : 0); });
    const double end = runEnd_s(run);
    chart.setXAxis(
        timeAxisLabel(end), [](double v) { return Format::clock(v); }, true);
    chart.setXRange(0, end);
    addStageRules(chart, run);
    return chart;
}

SvgChart connectionsChart(const RunData &run, const std::vector<Bucket> &buckets)
{
    SvgChart chart(kChartWidth, kChartHeight);
    chart.setDescription(QStringLiteral("Requests in flight at the client against database backends and pool "
                                        "connections in use over the run"));
    SvgChart::Series inFlight{
        QStringLiteral("requests in flight"), kInFlight, {}, {}, SvgChart::Style::Step, false, 1.8};
    for (const Bucket &b : buckets)
        inFlight.points.push_back({b.t1, double(b.in_flight_max)});
    chart.addSeries(inFlight);

    const double end = runEnd_s(run);
    // DB and pool samples (1 Hz) bucketed by the same span so a long run stays small.
    const double span = buckets.empty() ? 1.0 : std::max(1.0, end / double(ReportCharts::kMaxBuckets));
    auto bucketMax = [span](const auto &samples, auto value) {
        std::vector<SvgChart::Point> points;
        double bucketEnd = -1;
        for (const auto &s : samples) {
            const double v = value(s);
            if (v < 0)
                continue;
            if (points.empty() || s.t_s > bucketEnd) {
                bucketEnd = (std::floor(s.t_s / span) + 1) * span;
                points.push_back({s.t_s, v});
            } else {
                points.back().y = std::max(points.back().y, v);
            }
        }
        return points;
    };
    // Sessions only mean something for a server database; a SQLite file reports none.
    const bool sessions = run.database.kind != QLatin1String("sqlite") &&
                          std::any_of(run.db_samples.begin(), run.db_samples.end(),
                                      [](const DbSample &s) { return s.backends > 0 || s.active > 0; });
    if (sessions) {
        SvgChart::Series backends{QStringLiteral("DB backends (app)"), kDb, {}, {}, SvgChart::Style::Step, false, 1.8};
        backends.points = bucketMax(run.db_samples, [](const DbSample &s) { return double(s.backends); });
        SvgChart::Series active{QStringLiteral("DB active"), kDb, {}, {}, SvgChart::Style::Step, true, 1.4};
        active.points = bucketMax(run.db_samples, [](const DbSample &s) { return double(s.active); });
        chart.addSeries(backends);
        chart.addSeries(active);
    }
    bool anyPool = false;
    for (const PoolSample &p : run.pool_samples)
        anyPool = anyPool || (p.ok && p.in_use >= 0);
    if (anyPool) {
        SvgChart::Series inUse{QStringLiteral("pool in use"), kPool, {}, {}, SvgChart::Style::Step, false, 1.8};
        inUse.points = bucketMax(run.pool_samples, [](const PoolSample &s) { return s.ok ? double(s.in_use) : -1.0; });
        SvgChart::Series max{QStringLiteral("pool max"), kPool, {}, {}, SvgChart::Style::Step, true, 1.4};
        max.points = bucketMax(run.pool_samples, [](const PoolSample &s) { return s.ok ? double(s.max) : -1.0; });
        chart.addSeries(inUse);
        if (!max.points.empty())
            chart.addSeries(max);
    }
    chart.setYAxis(QStringLiteral("connections / requests"), [](double v) { return Format::number(v, 0); });
    chart.setXAxis(
        timeAxisLabel(end), [](double v) { return Format::clock(v); }, true);
    chart.setXRange(0, end);
    addStageRules(chart, run);
    return chart;
}

} // namespace

SvgChart ReportCharts::latency(const RunData &run, const std::vector<GateCheck> &gates)
{
    return latencyChart(run, bucketIntervals(run), gates);
}

SvgChart ReportCharts::throughput(const RunData &run, const std::vector<GateCheck> &gates)
{
    return throughputChart(run, bucketIntervals(run), gates);
}

SvgChart ReportCharts::connections(const RunData &run)
{
    return connectionsChart(run, bucketIntervals(run));
}

SvgChart ReportCharts::capacity(const std::vector<LevelSummary> &levels, const CapacityModel &capacity)
{
    SvgChart chart(kChartWidth, kChartHeight);
    std::vector<const LevelSummary *> points;
    bool open = false;
    for (const LevelSummary &l : levels)
        if (!l.ramp && l.requests > 0 && l.load() > 0)
            points.push_back(&l);
    // One model only: closed when there is any closed-model level.
    const bool anyClosed =
        std::any_of(points.begin(), points.end(), [](const LevelSummary *l) { return !l->open_model; });
    points.erase(
        std::remove_if(points.begin(), points.end(), [&](const LevelSummary *l) { return l->open_model == anyClosed; }),
        points.end());
    open = !anyClosed;
    if (points.size() < 2)
        return chart; // empty: the caller leaves the figure out
    std::sort(points.begin(), points.end(),
              [](const LevelSummary *a, const LevelSummary *b) { return a->load() < b->load(); });

    SvgChart::Series measured{
        QStringLiteral("measured (successful req/s)"), kMeasured, {}, {}, SvgChart::Style::Dots, false, 1};
    double maxLoad = 0, maxRps = 0;
    for (const LevelSummary *l : points) {
        measured.points.push_back({l->load(), l->ok_rps});
        maxLoad = std::max(maxLoad, l->load());
        maxRps = std::max(maxRps, l->ok_rps);
    }
    double xMax = maxLoad;
    const UslFit &usl = capacity.usl;
    const bool showKnee = !open && usl.valid && usl.peak_users > 0 && usl.peak_users <= 2 * maxLoad;
    if (showKnee)
        xMax = std::max(xMax, usl.peak_users * 1.1);
    xMax *= 1.04;

    if (!open && usl.valid) {
        SvgChart::Series fit{QStringLiteral("USL fit"), kFit, {}, {}, SvgChart::Style::Line, false, 2};
        SvgChart::Series ideal{
            QStringLiteral("linear scaling"), QStringLiteral("#9ca3af"), {}, {}, SvgChart::Style::Line, true, 1.2};
        double fitMax = 0;
        for (int i = 0; i <= 120; ++i) {
            const double x = std::max(1.0, xMax * i / 120.0);
            const double y = usl.predict(x);
            fit.points.push_back({x, y});
            fitMax = std::max(fitMax, y);
        }
        const double yTop = std::max(maxRps, fitMax) * 1.15;
        // λ·N up to where it leaves the chart; shown only when it is long enough to read.
        const double xEnd = usl.lambda > 0 ? std::min(xMax, yTop / usl.lambda) : 0;
        if (xEnd - 1 >= 0.08 * xMax) {
            ideal.points = {{1, usl.lambda}, {xEnd, usl.lambda * xEnd}};
            chart.addSeries(ideal);
        }
        chart.addSeries(fit);
        chart.setYRange(
            0, SvgChart::linearTicks(0, yTop).empty() ? yTop : std::max(yTop, SvgChart::linearTicks(0, yTop).back()));
    } else if (open) {
        SvgChart::Series ideal{
            QStringLiteral("offered rate"), QStringLiteral("#9ca3af"), {}, {}, SvgChart::Style::Line, true, 1.2};
        ideal.points = {{0, 0}, {xMax, xMax}};
        chart.addSeries(ideal);
    }
    chart.addSeries(measured);
    if (showKnee) {
        SvgChart::Rule knee;
        knee.value = usl.peak_users;
        knee.label = QStringLiteral("USL peak ≈ %1 (%2)")
                         .arg(Format::load(std::round(usl.peak_users), false), Format::rps(usl.peak_rps));
        knee.color = kFit;
        knee.strong = true;
        chart.addVerticalRule(knee);
    }
    if (capacity.supported_load > 0 && capacity.supported_open_model == open) {
        SvgChart::Rule sup;
        sup.value = capacity.supported_load;
        sup.label = QStringLiteral("within gates up to %1").arg(Format::load(capacity.supported_load, open));
        sup.color = kOk;
        sup.strong = true;
        chart.addVerticalRule(sup);
    }
    chart.setXRange(0, xMax);
    chart.setXAxis(open ? QStringLiteral("offered rate (req/s)") : QStringLiteral("virtual users"),
                   [](double v) { return Format::number(v, v < 10 ? 1 : 0); });
    chart.setYAxis(QStringLiteral("successful requests/s"), [](double v) { return Format::number(v, v < 10 ? 1 : 0); });
    chart.setDescription(open ? QStringLiteral("Successful throughput against the offered arrival rate")
                              : QStringLiteral("Successful throughput against virtual users, with the Universal "
                                               "Scalability Law fit and its peak"));
    return chart;
}

std::vector<ReportModel::Chart> ReportCharts::build(const RunData &run, const std::vector<LevelSummary> &levels,
                                                    const CapacityModel &capacity, const std::vector<GateCheck> &gates)
{
    std::vector<ReportModel::Chart> out;
    auto add = [&](const QString &id, const QString &title, const QString &caption, const SvgChart &chart) {
        if (chart.isEmpty())
            return;
        ReportModel::Chart c;
        c.id = id;
        c.title = QStringLiteral("Figure %1. %2").arg(out.size() + 1).arg(title);
        c.caption = caption;
        c.drawing = chart.drawing();
        out.push_back(std::move(c));
    };
    if (run.intervals.empty())
        return out;
    const std::vector<Bucket> buckets = bucketIntervals(run);
    add(QStringLiteral("latency"), QStringLiteral("Latency percentiles over time"),
        QStringLiteral("P50, P95 and P99 of every request, from the intended send time; dashed lines are the gate "
                       "thresholds; vertical lines mark the load levels."),
        latencyChart(run, buckets, gates));
    add(QStringLiteral("throughput"), QStringLiteral("Throughput and errors"),
        QStringLiteral(
            "Completed requests per second, stacked: successful, HTTP errors, timeouts and transport errors. "
            "A flat top while load rises is a bottleneck."),
        throughputChart(run, buckets, gates));
    add(QStringLiteral("connections"), QStringLiteral("Connections: in flight vs database vs pool"),
        run.db_samples.empty() && run.pool_samples.empty()
            ? QStringLiteral(
                  "Requests the client had outstanding. No database or pool metrics were sampled in this run.")
            : QStringLiteral("Requests the client had outstanding against the application's database sessions and pool "
                             "connections. Many requests in flight over one busy connection means they queue."),
        connectionsChart(run, buckets));
    const bool open = std::none_of(levels.begin(), levels.end(), [](const LevelSummary &l) { return !l.open_model; });
    add(QStringLiteral("capacity"), QStringLiteral("Capacity curve"),
        open ? QStringLiteral("Successful requests per second at each offered rate; points under the dashed line are "
                              "arrivals the backend could not keep up with.")
        : capacity.usl.valid
            ? QStringLiteral("Successful requests per second at each level (dots) with the Universal Scalability "
                             "Law fit (σ = %1 contention, κ = %2 coherency, R² = %3).")
                  .arg(Format::number(capacity.usl.sigma, 3), Format::number(capacity.usl.kappa, 5),
                       Format::number(capacity.usl.r2, 3))
            : QStringLiteral("Successful requests per second at each level. No USL fit: %1.").arg(capacity.usl.reason),
        ReportCharts::capacity(levels, capacity));
    return out;
}

} // namespace Preflight
