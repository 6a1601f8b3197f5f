#pragma once

#include "diagnosis/capacitymodel.h"
#include "diagnosis/levelsummary.h"

#include <QChartView>

#include <vector>

QT_BEGIN_NAMESPACE
class QLineSeries;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace Preflight {

// Capacity of a sweep: measured throughput and P95 against users (one point per closed-model level), the
// USL fit of throughput as a curve, and the knee (USL peak, else the parallelism plateau) as a marker.
// Fed with whole values (summarizeLevels + buildCapacityModel), so the same widget shows a live run, a
// finished one or a stored one. Open-model and ramp levels are left out: users is the x axis.
class CapacityChart : public QChartView
{
    Q_OBJECT
public:
    explicit CapacityChart(QWidget *parent = nullptr);

    void setLevels(const std::vector<LevelSummary> &levels, const CapacityModel &model);
    void clear();

    int pointCount() const;                           // measured levels shown
    int fitPointCount() const;                        // points of the USL curve (0 without a valid fit)
    double kneeUsers() const { return m_knee_users; } // -1 when no knee is marked

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    QChart *m_chart;
    QValueAxis *m_users;
    QValueAxis *m_rps;
    QValueAxis *m_p95;
    QLineSeries *m_throughput;
    QScatterSeries *m_throughputPoints;
    QLineSeries *m_latency;
    QLineSeries *m_fit;
    QScatterSeries *m_knee;
    double m_knee_users = -1;
};

} // namespace Preflight
