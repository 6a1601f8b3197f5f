#include "livedashboard.h"

#include "capacitychart.h"
#include "chartcolors.h"
#include "diagnosis/capacitymodel.h"
#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "gatechips.h"
#include "timeserieschart.h"
#include "uiwiring.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace Preflight {

namespace {

// A log axis has no 0: a latency point below 1 µs is drawn at 1 µs (not a gate; the gates are the GateSet's).
constexpr double kLogFloor_ms = 0.001;

// Errors per class in one interval, in the stack order of the throughput chart.
std::vector<double> errorsByClass(const EndpointStats &s)
{
    uint64_t http5xx = 0, http4xx = 0;
    for (const auto &[status, n] : s.status_counts) {
        if (status >= 500)
            http5xx += n;
        else if (status >= 400)
            http4xx += n;
    }
    const ErrorCounts &t = s.transport_errors;
    const uint64_t other =
        t[int(ErrorClass::Dns)] + t[int(ErrorClass::Tls)] + t[int(ErrorClass::TooLarge)] + t[int(ErrorClass::Other)];
    return {double(t[int(ErrorClass::Timeout)]), double(http5xx), double(http4xx), double(t[int(ErrorClass::Connect)]),
            double(t[int(ErrorClass::Reset)]),   double(other)};
}

} // namespace

LiveDashboard::LiveDashboard(QWidget *parent)
    : QWidget(parent), m_latency(new TimeSeriesChart(tr("Latency (all endpoints, 1 s window)"), tr("ms (log)"),
                                                     TimeSeriesChart::Scale::Logarithmic)),
      m_throughput(new TimeSeriesChart(tr("Throughput and errors"), tr("req/s"))),
      m_connections(new TimeSeriesChart(tr("Connections"), tr("count"))), m_capacity(new CapacityChart),
      m_gates(new GateChips), m_endpointPicker(new QComboBox), m_repaint(new QTimer(this))
{
    m_latency->setObjectName(QStringLiteral("latencyChart"));
    m_throughput->setObjectName(QStringLiteral("throughputChart"));
    m_connections->setObjectName(QStringLiteral("connectionsChart"));

    m_latency->addLine(tr("P50"), ChartColors::p50());
    m_latency->addLine(tr("P95"), ChartColors::p95());
    m_latency->addLine(tr("P99"), ChartColors::p99());
    m_gateP50 = m_latency->addThreshold(tr("P50 gate"), ChartColors::p50());
    m_gateP95 = m_latency->addThreshold(tr("P95 gate"), ChartColors::p95());
    m_gateP99 = m_latency->addThreshold(tr("P99 gate"), ChartColors::p99());

    m_throughput->addLine(tr("requests/s"), ChartColors::throughput(), DecimatingSeries::Mode::Average);
    m_throughput->addStackLayer(tr("timeouts/s"), ChartColors::timeout());
    m_throughput->addStackLayer(tr("5xx/s"), ChartColors::http5xx());
    m_throughput->addStackLayer(tr("4xx/s"), ChartColors::http4xx());
    m_throughput->addStackLayer(tr("refused/s"), ChartColors::connect());
    m_throughput->addStackLayer(tr("resets/s"), ChartColors::reset());
    m_throughput->addStackLayer(tr("other errors/s"), ChartColors::otherError());

    m_connections->addLine(tr("in flight (client)"), ChartColors::throughput());
    m_connections->addLine(tr("pool in use"), ChartColors::poolInUse(), DecimatingSeries::Mode::Peak, Qt::DotLine);
    m_poolMax = m_connections->addThreshold(tr("pool max"), ChartColors::poolMax());
    m_connections->addStackLayer(tr("DB active"), ChartColors::dbActive());
    m_connections->addStackLayer(tr("DB waiting on lock"), ChartColors::dbWaiting());
    m_connections->addStackLayer(tr("DB idle in transaction"), ChartColors::dbIdleInTransaction());
    m_connections->addStackLayer(tr("DB idle"), ChartColors::dbIdle());

    m_endpointPicker->setObjectName(QStringLiteral("latencyEndpoint"));
    UiWiring::name(m_endpointPicker, tr("Latency of endpoint"), tr("Which endpoint the latency chart shows"));
    m_endpointPicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setEndpoints({});
    connect(m_endpointPicker, &QComboBox::currentIndexChanged, this,
            [this] { emit latencyEndpointChanged(latencyEndpoint()); });

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_gates, 1);
    auto *pickerLabel = new QLabel(tr("Latency of:"));
    pickerLabel->setBuddy(m_endpointPicker);
    top->addWidget(pickerLabel);
    top->addWidget(m_endpointPicker);

    auto *bottom = new QSplitter(Qt::Horizontal);
    bottom->setChildrenCollapsible(false);
    bottom->addWidget(m_connections);
    bottom->addWidget(m_capacity);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_latency);
    splitter->addWidget(m_throughput);
    splitter->addWidget(bottom);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    m_repaint->setInterval(kRepaintInterval_ms);
    connect(m_repaint, &QTimer::timeout, this, &LiveDashboard::flush);
    if (const std::optional<GateSet> launch = GateSet::preset(QStringLiteral("launch")))
        setGates(*launch);
}

int LiveDashboard::latencyEndpoint() const
{
    return m_endpointPicker->currentData().toInt();
}

void LiveDashboard::setEndpoints(const QStringList &labels)
{
    const QSignalBlocker blocker(m_endpointPicker);
    m_endpointPicker->clear();
    m_endpointPicker->addItem(tr("All endpoints"), -1);
    for (int i = 0; i < labels.size(); ++i)
        m_endpointPicker->addItem(labels[i], i);
    m_latency->chart()->setTitle(tr("Latency (all endpoints, 1 s window)"));
}

void LiveDashboard::replayLatency(const std::vector<IntervalSnapshot> &intervals)
{
    const int endpoint = latencyEndpoint();
    m_latency->chart()->setTitle(endpoint < 0 ? tr("Latency (all endpoints, 1 s window)")
                                              : tr("Latency of %1 (1 s window)").arg(m_endpointPicker->currentText()));
    m_latency->clear();
    m_latency->setTimeRange(m_range_s);
    // Non-owning pointers: the window only lives for this replay, the intervals outlive it.
    std::deque<IntervalSnapshotPtr> saved;
    saved.swap(m_window);
    for (const IntervalSnapshot &interval : intervals)
        appendLatency(interval);
    m_window.swap(saved);
    m_latency->flush();
}

void LiveDashboard::showRun(const RunData &run)
{
    setLive(false);
    QStringList labels;
    for (const EndpointSpec &e : run.plan.endpoints)
        labels << (e.name.isEmpty() ? e.label() : e.name);
    setEndpoints(labels);
    reset(run.info.duration_s);
    for (const IntervalSnapshot &interval : run.intervals) {
        // Aliasing constructor with no owner: the run outlives this loop and m_window is cleared after it.
        addSnapshot(IntervalSnapshotPtr(std::shared_ptr<const IntervalSnapshot>(), &interval));
    }
    m_window.clear();
    for (const DbSample &sample : run.db_samples)
        addDbSample(sample);
    for (const PoolSample &sample : run.pool_samples)
        addPoolSample(sample);
    const std::vector<LevelSummary> levels = summarizeLevels(run);
    m_capacity->setLevels(levels, buildCapacityModel(levels));
    m_gates->setChecks(run.gates, run.verdict.isEmpty() ? tr("Gates") : tr("Gates (verdict: %1)").arg(run.verdict));
    if (!run.gates.empty()) {
        // The thresholds the run was judged by, as its diagnosis stored them.
        const auto stored = [&run](const QString &id) {
            for (const GateCheck &c : run.gates)
                if (c.id == id)
                    return c.threshold;
            return -1.0;
        };
        m_latency->setThreshold(m_gateP50, stored(QStringLiteral("p50_ms")));
        m_latency->setThreshold(m_gateP95, stored(QStringLiteral("p95_ms")));
        m_latency->setThreshold(m_gateP99, stored(QStringLiteral("p99_ms")));
    }
    flush();
}

void LiveDashboard::highlightRange(double from_s, double to_s)
{
    for (TimeSeriesChart *chart : {m_latency, m_throughput, m_connections})
        chart->setHighlight(from_s, to_s);
}

void LiveDashboard::reset(double expected_s)
{
    m_window.clear();
    m_expected_s = expected_s;
    m_capacity->clear();
    m_gates->clear();
    highlightRange(-1, -1);
    for (TimeSeriesChart *chart : {m_latency, m_throughput, m_connections}) {
        chart->clear();
        chart->setTimeRange(expected_s > 0 ? expected_s : 10);
        chart->flush();
    }
    m_connections->setThreshold(m_poolMax, -1);
}

void LiveDashboard::setGates(const GateSet &gates)
{
    m_latency->setThreshold(m_gateP50, gates.threshold(QStringLiteral("p50_ms"), -1));
    m_latency->setThreshold(m_gateP95, gates.threshold(QStringLiteral("p95_ms"), -1));
    m_latency->setThreshold(m_gateP99, gates.threshold(QStringLiteral("p99_ms"), -1));
    m_latency->flush();
}

double LiveDashboard::latencyGate(LatencyLine line) const
{
    return m_latency->threshold(line == P50 ? m_gateP50 : line == P95 ? m_gateP95 : m_gateP99);
}

void LiveDashboard::setLive(bool live)
{
    if (live)
        m_repaint->start();
    else
        m_repaint->stop();
}

void LiveDashboard::updateTimeRange(double t_s)
{
    // The axis covers the planned schedule; past it (drain, longer than planned) it grows in 10 s steps.
    double range = std::max(m_expected_s, 10.0);
    if (t_s > range + 1.0) // the drain's last tick may end just after the schedule
        range = std::ceil(t_s / 10.0) * 10.0;
    m_range_s = range;
    for (TimeSeriesChart *chart : {m_latency, m_throughput, m_connections})
        chart->setTimeRange(range);
}

void LiveDashboard::appendLatency(const IntervalSnapshot &s)
{
    const double t = s.end_s;
    const int endpoint = latencyEndpoint();
    m_window.push_back(IntervalSnapshotPtr(std::shared_ptr<const IntervalSnapshot>(), &s));
    while (!m_window.empty() && m_window.front()->end_s <= t - kPercentileWindow_s + 1e-6)
        m_window.pop_front();
    // Percentiles of a 250 ms tick are noisy; a one-second window reads like the "per second" figure users expect.
    LatencyHistogram recent;
    for (const IntervalSnapshotPtr &w : m_window) {
        if (endpoint >= 0) {
            if (size_t(endpoint) < w->endpoints.size())
                recent.merge(w->endpoints[size_t(endpoint)].latency);
            continue;
        }
        for (const EndpointStats &e : w->endpoints)
            recent.merge(e.latency);
    }
    if (!recent.isEmpty()) {
        // The axis is logarithmic: a 0 µs bucket would be off the chart, 1 µs is the histogram's floor anyway.
        m_latency->append(P50, t, std::max(recent.percentile_ms(50), kLogFloor_ms));
        m_latency->append(P95, t, std::max(recent.percentile_ms(95), kLogFloor_ms));
        m_latency->append(P99, t, std::max(recent.percentile_ms(99), kLogFloor_ms));
    }
}

void LiveDashboard::addSnapshot(const IntervalSnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    const IntervalSnapshot &s = *snapshot;
    const double t = s.end_s;
    appendLatency(s);
    // Keep the owning pointer too: a live snapshot has no other owner once the signal is delivered.
    m_window.back() = snapshot;

    const EndpointStats total = s.total();
    const double duration = s.duration_s() > 0 ? s.duration_s() : 0.25;
    m_throughput->append(RequestsPerSecond, t, double(total.requests) / duration);
    std::vector<double> errors = errorsByClass(total);
    for (double &e : errors)
        e /= duration;
    m_throughput->appendStack(t, errors);

    m_connections->append(InFlight, t, s.in_flight);
    updateTimeRange(t);
}

void LiveDashboard::addDbSample(const DbSample &sample)
{
    const int waiting = std::max(sample.waiting_on_lock, 0);
    const int active = std::max(sample.active - waiting, 0);
    m_connections->appendStack(sample.t_s,
                               {double(active), double(waiting), double(std::max(sample.idle_in_transaction, 0)),
                                double(std::max(sample.idle, 0))});
    updateTimeRange(sample.t_s);
}

void LiveDashboard::addPoolSample(const PoolSample &sample)
{
    if (!sample.ok)
        return;
    if (sample.in_use >= 0)
        m_connections->append(PoolInUse, sample.t_s, sample.in_use);
    if (sample.max >= 0)
        m_connections->setThreshold(m_poolMax, sample.max);
    updateTimeRange(sample.t_s);
}

void LiveDashboard::flush()
{
    for (TimeSeriesChart *chart : {m_latency, m_throughput, m_connections})
        chart->flush();
}

} // namespace Preflight
