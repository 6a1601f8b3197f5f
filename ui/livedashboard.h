#pragma once

#include "data/dbsample.h"
#include "data/intervalsnapshot.h"

#include <QWidget>

#include <deque>

QT_BEGIN_NAMESPACE
class QTimer;
QT_END_NAMESPACE

namespace Preflight {

class TimeSeriesChart;

// The live charts of a run on one time axis: latency percentiles with gate lines, throughput with errors
// stacked by class, and connections (client in-flight vs database backends by state, pool max).
//
// Samples are buffered as they arrive; a 4 Hz coalescing timer pushes them into the charts while live.
// Snapshots arrive from RunController::snapshotAvailable; database and pool samples through the public
// slots below (RunController will emit them once the DB sampler is wired in).
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

    // Latency series ids on latencyChart().
    enum LatencyLine { P50, P95, P99 };
    enum ThroughputLine { RequestsPerSecond };
    enum ConnectionLine { InFlight, PoolInUse };

public slots:
    // Empties every chart; expected_s (the schedule's length, 0 if unknown) fixes the time axis.
    void reset(double expected_s = 0);
    // "launch" → P95 120 ms, P99 200 ms lines; "revised" → P50 50, P95 200, P99 500; other → none.
    void setGatePreset(const QString &preset);
    void setLive(bool live);
    void addSnapshot(const Preflight::IntervalSnapshotPtr &snapshot);
    void addDbSample(const Preflight::DbSample &sample);
    void addPoolSample(const Preflight::PoolSample &sample);
    // Pushes buffered samples into the charts now (the timer calls it; also after the last snapshot).
    void flush();

private:
    void updateTimeRange(double t_s);

    TimeSeriesChart *m_latency;
    TimeSeriesChart *m_throughput;
    TimeSeriesChart *m_connections;
    QTimer *m_repaint;
    int m_gateP50 = -1, m_gateP95 = -1, m_gateP99 = -1, m_poolMax = -1;
    std::deque<IntervalSnapshotPtr> m_window;  // snapshots of the last kPercentileWindow_s
    double m_expected_s = 0;
};

} // namespace Preflight
