#include "timeserieschart.h"

#include "chartstyle.h"

#include "data/format.h"

#include <QAreaSeries>
#include <QChart>
#include <QEvent>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Preflight {

namespace {

// Dynamic ticks: Qt Charts creates one item per tick at once, so the range and the interval must never be
// set in an order that asks, even for a moment, for thousands of ticks (that froze the GUI thread).
void setRangeAndInterval(QValueAxis *axis, double low, double high, double interval)
{
    if (interval > axis->tickInterval()) {
        axis->setTickInterval(interval);
        axis->setRange(low, high);
    } else {
        axis->setRange(low, high);
        axis->setTickInterval(interval);
    }
}

} // namespace

TimeSeriesChart::TimeSeriesChart(const QString &title, const QString &yTitle, Scale scale, QWidget *parent)
    : QChartView(parent), m_chart(new QChart), m_xAxis(new QValueAxis(m_chart)), m_yAxis(nullptr), m_scale(scale)
{
    if (scale == Scale::Logarithmic) {
        auto *log = new QLogValueAxis(m_chart);
        log->setBase(10);
        log->setLabelFormat(QStringLiteral("%g"));
        log->setMinorTickCount(8);
        log->setRange(0.1, 1000);
        m_yMin = 0.1;
        m_yMax = 1000;
        m_yAxis = log;
    } else {
        auto *linear = new QValueAxis(m_chart);
        linear->setLabelFormat(QStringLiteral("%.0f"));
        linear->setRange(0, 1);
        linear->setTickType(QValueAxis::TicksDynamic);
        linear->setTickAnchor(0);
        linear->setTickInterval(0.2);
        m_yAxis = linear;
    }
    m_chart->setTitle(title);
    ChartStyle::applyCompactChrome(m_chart);
    m_chart->setAnimationOptions(QChart::NoAnimation); // animations fight a 4 Hz replace()
    // The run clock in the labels rather than an axis title: one text row more for the plot.
    m_xAxis->setLabelFormat(QStringLiteral("%.0f s"));
    m_xAxis->setRange(0, m_timeRange_s);
    m_xAxis->setTickType(QValueAxis::TicksDynamic);
    m_xAxis->setTickAnchor(0);
    m_xAxis->setTickInterval(2);
    m_yAxis->setTitleText(yTitle);
    m_chart->addAxis(m_xAxis, Qt::AlignBottom);
    m_chart->addAxis(m_yAxis, Qt::AlignLeft);
    setChart(m_chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(150);
    setAccessibleName(title);
    applyPalette();
}

TimeSeriesChart::~TimeSeriesChart()
{
    // Lower series of areas are not owned by the chart.
    for (Layer &layer : m_stack)
        delete layer.lower;
}

void TimeSeriesChart::attach(QAbstractSeries *series)
{
    m_chart->addSeries(series);
    series->attachAxis(m_xAxis);
    series->attachAxis(m_yAxis);
}

int TimeSeriesChart::addLine(const QString &name, const QColor &color, DecimatingSeries::Mode mode, Qt::PenStyle style)
{
    Line line{new QLineSeries(m_chart), DecimatingSeries(mode)};
    line.series->setName(name);
    QPen pen(color, 2);
    pen.setStyle(style);
    line.series->setPen(pen);
    attach(line.series);
    m_lines.push_back(std::move(line));
    return int(m_lines.size()) - 1;
}

int TimeSeriesChart::addThreshold(const QString &name, const QColor &color)
{
    Threshold t;
    t.series = new QLineSeries(m_chart);
    t.series->setName(name);
    QPen pen(color, 1.5);
    pen.setStyle(Qt::DashLine);
    t.series->setPen(pen);
    attach(t.series);
    t.series->setVisible(false);
    m_thresholds.push_back(t);
    return int(m_thresholds.size()) - 1;
}

int TimeSeriesChart::addStackLayer(const QString &name, const QColor &color)
{
    Layer layer;
    layer.upper = new QLineSeries(m_chart);
    layer.lower = new QLineSeries;
    layer.area = new QAreaSeries(layer.upper, layer.lower);
    layer.area->setName(name);
    QColor fill = color;
    fill.setAlpha(170);
    layer.area->setBrush(fill);
    layer.area->setPen(QPen(color, 1));
    attach(layer.area);
    m_stack.push_back(std::move(layer));
    return int(m_stack.size()) - 1;
}

void TimeSeriesChart::append(int line, double t_s, double y)
{
    Q_ASSERT(line >= 0 && line < int(m_lines.size()));
    m_lines[size_t(line)].buffer.append(t_s, y);
}

void TimeSeriesChart::setThreshold(int threshold, double y)
{
    Q_ASSERT(threshold >= 0 && threshold < int(m_thresholds.size()));
    Threshold &t = m_thresholds[size_t(threshold)];
    if (t.y != y) {
        t.y = y;
        t.dirty = true;
    }
}

double TimeSeriesChart::threshold(int threshold) const
{
    Q_ASSERT(threshold >= 0 && threshold < int(m_thresholds.size()));
    return m_thresholds[size_t(threshold)].y;
}

void TimeSeriesChart::appendStack(double t_s, const std::vector<double> &values)
{
    double below = 0;
    for (size_t i = 0; i < m_stack.size(); ++i) {
        const double v = i < values.size() ? std::max(values[i], 0.0) : 0.0;
        m_stack[i].lowerBuffer.append(t_s, below);
        below += v;
        m_stack[i].upperBuffer.append(t_s, below);
    }
}

void TimeSeriesChart::clear()
{
    for (Line &line : m_lines)
        line.buffer.clear();
    for (Layer &layer : m_stack) {
        layer.upperBuffer.clear();
        layer.lowerBuffer.clear();
    }
    m_timeRange_s = 10;
    m_rangeDirty = true;
    flush();
}

void TimeSeriesChart::setTimeRange(double max_s)
{
    if (max_s != m_timeRange_s) {
        m_timeRange_s = max_s;
        m_rangeDirty = true;
    }
}

void TimeSeriesChart::setHighlight(double from_s, double to_s)
{
    m_highlightFrom_s = from_s;
    m_highlightTo_s = std::max(from_s, to_s);
    // The shading is painted over the cached scene; invalidate the foreground layer, not the series.
    scene()->invalidate(scene()->sceneRect(), QGraphicsScene::ForegroundLayer);
    viewport()->update();
}

void TimeSeriesChart::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    if (m_highlightFrom_s < 0 || m_lines.empty())
        return;
    // A painted band rather than a series: it needs no data, survives replace() and costs nothing per tick.
    QAbstractSeries *anchor = m_lines.front().series;
    const QRectF plot = m_chart->plotArea();
    const qreal left = m_chart->mapToPosition(QPointF(m_highlightFrom_s, m_yMax), anchor).x();
    const qreal right = m_chart->mapToPosition(QPointF(m_highlightTo_s, m_yMax), anchor).x();
    QRectF band(QPointF(std::max(left, plot.left()), plot.top()),
                QPointF(std::min(std::max(right, left + 3), plot.right()), plot.bottom()));
    band = m_chart->mapRectToScene(band);
    QColor fill = palette().color(QPalette::Highlight);
    fill.setAlpha(60);
    painter->save();
    painter->fillRect(band, fill);
    painter->setPen(QPen(palette().color(QPalette::Highlight), 1, Qt::DashLine));
    painter->drawRect(band);
    painter->restore();
}

double TimeSeriesChart::dataEnd_s() const
{
    double end = 0;
    for (const Line &line : m_lines)
        end = std::max(end, line.buffer.lastX());
    for (const Layer &layer : m_stack)
        end = std::max(end, layer.upperBuffer.lastX());
    return end;
}

void TimeSeriesChart::flush()
{
    double yMax = 0;
    double yMin = std::numeric_limits<double>::infinity();
    for (Line &line : m_lines) {
        if (line.buffer.isDirty()) {
            line.series->replace(line.buffer.points());
            line.buffer.markClean();
        }
        yMax = std::max(yMax, line.buffer.maxY());
        for (const QPointF &p : line.buffer.points()) {
            if (p.y() > 0)
                yMin = std::min(yMin, p.y());
        }
    }
    for (Layer &layer : m_stack) {
        if (layer.upperBuffer.isDirty()) {
            layer.lower->replace(layer.lowerBuffer.points());
            layer.upper->replace(layer.upperBuffer.points());
            layer.upperBuffer.markClean();
            layer.lowerBuffer.markClean();
        }
        yMax = std::max(yMax, layer.upperBuffer.maxY());
    }
    for (Threshold &t : m_thresholds) {
        if (t.y >= 0)
            yMax = std::max(yMax, t.y * 1.1);
        if (t.dirty || m_rangeDirty) {
            t.series->setVisible(t.y >= 0);
            if (t.y >= 0)
                t.series->replace(QList<QPointF>{QPointF(0, t.y), QPointF(m_timeRange_s, t.y)});
            t.dirty = false;
        }
    }
    if (m_rangeDirty) {
        setRangeAndInterval(m_xAxis, 0, m_timeRange_s,
                            Format::niceNumber(m_timeRange_s / 8.0, Format::NiceRounding::Up));
        m_rangeDirty = false;
    }
    updateYRange(yMin, yMax);
}

void TimeSeriesChart::updateYRange(double dataMin, double dataMax)
{
    double low = 0;
    double high = Format::niceNumber(dataMax * 1.05, Format::NiceRounding::Up);
    if (m_scale == Scale::Logarithmic) {
        // Whole decades, so the labels read 0.1, 1, 10, 100, 1000; from the lowest value, not from 1 ms, so
        // that a short chart does not spend a label on a decade with no data (labels that do not fit become "...").
        const double lowest = std::isfinite(dataMin) ? dataMin : 1.0;
        low = std::pow(10.0, std::floor(std::log10(std::max(lowest, 0.001))));
        high = std::pow(10.0, std::ceil(std::log10(std::max(dataMax * 1.2, low * 10))));
    }
    if (low != m_yMin || high != m_yMax) {
        m_yMin = low;
        m_yMax = high;
        if (auto *linear = qobject_cast<QValueAxis *>(m_yAxis)) {
            // Four or five labels: a chart squeezed to its minimum height has room for no more without eliding them.
            const double step = Format::niceNumber(high / 4.0, Format::NiceRounding::Up);
            setRangeAndInterval(linear, low, high, step);
            linear->setLabelFormat(step < 1 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
        } else {
            m_yAxis->setRange(low, high);
        }
    }
}

int TimeSeriesChart::shownPoints(int line) const
{
    return int(m_lines.at(size_t(line)).series->count());
}

int TimeSeriesChart::shownStackPoints(int layer) const
{
    return int(m_stack.at(size_t(layer)).upper->count());
}

void TimeSeriesChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void TimeSeriesChart::applyPalette()
{
    // No QChart theme: a theme would repaint the series colours chosen above. Only the frame follows the palette.
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlpha(40);
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->setBackgroundPen(QPen(pal.color(QPalette::Mid)));
    m_chart->setTitleBrush(text);
    m_chart->legend()->setLabelColor(text);
    for (QAbstractAxis *axis : {static_cast<QAbstractAxis *>(m_xAxis), m_yAxis}) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        QColor minor = grid;
        minor.setAlpha(15);
        axis->setMinorGridLineColor(minor);
        axis->setLinePenColor(pal.color(QPalette::Mid));
    }
    setBackgroundBrush(pal.color(QPalette::Window));
}

} // namespace Preflight
