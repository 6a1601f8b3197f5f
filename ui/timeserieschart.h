#pragma once

#include "decimatingseries.h"

#include <QChartView>
#include <QColor>
#include <QString>

#include <vector>

QT_BEGIN_NAMESPACE
class QAreaSeries;
class QLineSeries;
class QAbstractAxis;
class QValueAxis;
QT_END_NAMESPACE

namespace Preflight {

// A live chart over the run clock (x = seconds since run start). Values are buffered with append*() and
// reach Qt Charts only in flush(), which the owner calls from one coalescing timer: one replace() per
// changed series per tick, never an append() per sample (docs/architecture.md). Buffers are DecimatingSeries, so a
// one-hour run costs the same per tick as a one-minute run.
//
// Colours follow the widget palette (light and dark) and are re-applied when the palette changes.
class TimeSeriesChart : public QChartView
{
    Q_OBJECT
public:
    // Log scale suits latency: sub-millisecond medians and multi-second tails (and the gate lines) on one chart.
    enum class Scale { Linear, Logarithmic };

    explicit TimeSeriesChart(const QString &title, const QString &yTitle, Scale scale = Scale::Linear,
                             QWidget *parent = nullptr);
    ~TimeSeriesChart() override;

    // A line; returns its id for append().
    int addLine(const QString &name, const QColor &color, DecimatingSeries::Mode mode = DecimatingSeries::Mode::Peak,
                Qt::PenStyle style = Qt::SolidLine);
    // A horizontal reference line (gate threshold, pool max) spanning the x range; hidden while y < 0.
    int addThreshold(const QString &name, const QColor &color);
    // One layer of the chart's single stack of areas (drawn bottom to top in the order added).
    int addStackLayer(const QString &name, const QColor &color);

    void append(int line, double t_s, double y);
    void setThreshold(int threshold, double y);
    // The y of a reference line as last set; -1 when hidden.
    double threshold(int threshold) const;
    // Values for every stack layer at one time, in layer order (missing values count as 0).
    void appendStack(double t_s, const std::vector<double> &values);

    void clear();
    // Pushes changed buffers into the chart (one replace() per changed series) and rescales the axes.
    void flush();
    // The same x range on every chart of the dashboard: one time axis.
    void setTimeRange(double max_s);

    int lineCount() const { return int(m_lines.size()); }
    int stackLayerCount() const { return int(m_stack.size()); }
    // Points currently shown (after the last flush), for tests and the benchmark.
    int shownPoints(int line) const;
    int shownStackPoints(int layer) const;
    double dataEnd_s() const;
    QAbstractAxis *yAxis() const { return m_yAxis; }
    // Shades [from_s, to_s] (the evidence of a finding); from_s < 0 removes the shading.
    void setHighlight(double from_s, double to_s);
    bool hasHighlight() const { return m_highlightFrom_s >= 0; }
    // The y range shown after the last flush.
    double yMin() const { return m_yMin; }
    double yMax() const { return m_yMax; }

protected:
    void changeEvent(QEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    struct Line
    {
        QLineSeries *series = nullptr;
        DecimatingSeries buffer;
    };
    struct Threshold
    {
        QLineSeries *series = nullptr;
        double y = -1;
        bool dirty = true;
    };
    struct Layer
    {
        QAreaSeries *area = nullptr;
        QLineSeries *upper = nullptr;
        QLineSeries *lower = nullptr;
        DecimatingSeries upperBuffer{DecimatingSeries::Mode::Average};
        DecimatingSeries lowerBuffer{DecimatingSeries::Mode::Average};
    };

    void attach(QAbstractSeries *series);
    void applyPalette();
    void updateYRange(double dataMin, double dataMax);

    QChart *m_chart;
    QValueAxis *m_xAxis;
    QAbstractAxis *m_yAxis;
    Scale m_scale;
    double m_yMin = 0;
    double m_yMax = 1;
    std::vector<Line> m_lines;
    std::vector<Threshold> m_thresholds;
    std::vector<Layer> m_stack;
    double m_timeRange_s = 10;
    bool m_rangeDirty = true;
    double m_highlightFrom_s = -1;
    double m_highlightTo_s = -1;
};

} // namespace Preflight
