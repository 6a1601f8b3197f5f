#pragma once

#include "data/dbsample.h"
#include "data/intervalsnapshot.h"
#include "data/rundata.h"
#include "diagnosis/gates.h"

#include <QWidget>

#include <deque>

QT_BEGIN_NAMESPACE
class QComboBox;
class QTimer;
QT_END_NAMESPACE

namespace Preflight {

class CapacityChart;
class GateChips;
class TimeSeriesChart;

// The live charts of a run on one time axis: latency percentiles with gate lines, throughput with errors
// stacked by class, and connections (client in-flight vs database backends by state, pool max).
//
// Samples are buffered as they arrive; a 4 Hz coalescing timer pushes them into the charts while live.
// Snapshots, database samples and pool samples come from RunController (snapshotAvailable,
// dbSampleAvailable, poolSampleAvailable), forwarded by RunPresenter.
class LiveDashboard : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kRepaintInterval_ms = 250;
    static constexpr double kPercentileWindow_s = 1.0;

    explicit LiveDashboard(QWidget *parent = nullptr);

    TimeSeriesChart *latencyChart() const { return m_latency; }
    TimeSeriesChart *throughputChart() const { return m_throughput; }
    TimeSeriesChart *connectionsChart() const { return m_connections; }
    CapacityChart *capacityChart() const { return m_capacity; }
    GateChips *gateChips() const { return m_gates; }
    QComboBox *endpointPicker() const { return m_endpointPicker; }
    // Plan endpoint index the latency chart shows; -1 = all endpoints.
    int latencyEndpoint() const;

    // Latency series ids on latencyChart().
    enum LatencyLine { P50, P95, P99 };
    enum ThroughputLine { RequestsPerSecond };
    enum ConnectionLine { InFlight, PoolInUse };

    // The latency gate line drawn for a percentile (ms); -1 when there is none.
    double latencyGate(LatencyLine line) const;

public slots:
    // Empties every chart; expected_s (the schedule's length, 0 if unknown) fixes the time axis.
    void reset(double expected_s = 0);
    // Latency gate lines at the set's p50_ms, p95_ms and p99_ms thresholds (GateSet owns them; custom gates
    // included); a percentile the set does not check has no line. The `launch` preset until first called.
    void setGates(const Preflight::GateSet &gates);
    void setLive(bool live);
    void addSnapshot(const Preflight::IntervalSnapshotPtr &snapshot);
    void addDbSample(const Preflight::DbSample &sample);
    void addPoolSample(const Preflight::PoolSample &sample);
    // Pushes buffered samples into the charts now (the timer calls it; also after the last snapshot).
    void flush();
    // Labels of the plan's endpoints for the latency picker ("All endpoints" first); keeps "all" selected.
    void setEndpoints(const QStringList &labels);
    // Redraws the latency lines from these intervals for the picked endpoint (after the pick changed).
    void replayLatency(const std::vector<Preflight::IntervalSnapshot> &intervals);
    // Shows a whole run (finished or stored): every chart replayed, not live. The gate lines are the thresholds
    // of the run's gate checks when it was diagnosed (else those of the last setGates()).
    void showRun(const Preflight::RunData &run);
    // Shades [from_s, to_s] on every time chart (a finding's evidence); from_s < 0 clears it.
    void highlightRange(double from_s, double to_s);

signals:
    void latencyEndpointChanged(int endpoint);

private:
    void updateTimeRange(double t_s);
    void appendLatency(const IntervalSnapshot &s);

    TimeSeriesChart *m_latency;
    TimeSeriesChart *m_throughput;
    TimeSeriesChart *m_connections;
    CapacityChart *m_capacity;
    GateChips *m_gates;
    QComboBox *m_endpointPicker;
    QTimer *m_repaint;
    int m_gateP50 = -1, m_gateP95 = -1, m_gateP99 = -1, m_poolMax = -1;
    std::deque<IntervalSnapshotPtr> m_window; // snapshots of the last kPercentileWindow_s
    double m_expected_s = 0;
    double m_range_s = 10;
};

} // namespace Preflight
