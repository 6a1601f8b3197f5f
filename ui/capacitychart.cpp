#include "capacitychart.h"

#include "chartcolors.h"
#include "chartstyle.h"

#include "data/format.h"

#include <QChart>
#include <QEvent>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace Preflight {

CapacityChart::CapacityChart(QWidget *parent)
    : QChartView(parent), m_chart(new QChart), m_users(new QValueAxis(m_chart)), m_rps(new QValueAxis(m_chart)),
      m_p95(new QValueAxis(m_chart)), m_throughput(new QLineSeries(m_chart)),
      m_throughputPoints(new QScatterSeries(m_chart)), m_latency(new QLineSeries(m_chart)),
      m_fit(new QLineSeries(m_chart)), m_knee(new QScatterSeries(m_chart))
{
    setObjectName(QStringLiteral("capacityChart"));
    setAccessibleName(tr("Capacity chart"));
    setAccessibleDescription(tr("Throughput and P95 latency against users, with the USL fit and the knee"));
    m_chart->setTitle(tr("Capacity (sweep levels)"));
    m_chart->setAnimationOptions(QChart::NoAnimation);
    ChartStyle::applyCompactChrome(m_chart);
    m_users->setTitleText(tr("users"));
    m_users->setLabelFormat(QStringLiteral("%.0f"));
    m_rps->setTitleText(tr("req/s"));
    m_rps->setLabelFormat(QStringLiteral("%.0f"));
    m_p95->setTitleText(tr("P95 ms"));
    m_p95->setLabelFormat(QStringLiteral("%.0f"));
    // Three labels per axis: the chart shares its row with the connections chart and has no room for more
    // (labels that do not fit are shown as "...").
    for (QValueAxis *axis : {m_users, m_rps, m_p95})
        axis->setTickCount(3);
    m_chart->addAxis(m_users, Qt::AlignBottom);
    m_chart->addAxis(m_rps, Qt::AlignLeft);
    m_chart->addAxis(m_p95, Qt::AlignRight);

    m_throughput->setName(tr("throughput"));
    m_throughputPoints->setName(tr("measured"));
    m_throughputPoints->setMarkerSize(8);
    m_latency->setName(tr("P95"));
    m_fit->setName(tr("USL fit"));
    m_knee->setName(tr("knee"));
    m_knee->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_knee->setMarkerSize(13);
    for (QAbstractSeries *series :
         std::initializer_list<QAbstractSeries *>{m_throughput, m_throughputPoints, m_fit, m_knee}) {
        m_chart->addSeries(series);
        series->attachAxis(m_users);
        series->attachAxis(m_rps);
    }
    m_chart->addSeries(m_latency);
    m_latency->attachAxis(m_users);
    m_latency->attachAxis(m_p95);
    // The measured-points scatter duplicates the throughput line in the legend.
    m_chart->legend()->markers(m_throughputPoints).first()->setVisible(false);
    setChart(m_chart);
    setRenderHint(QPainter::Antialiasing);
    applyPalette();
    clear();
}

void CapacityChart::applyPalette()
{
    const QPalette pal = palette();
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->setTitleBrush(pal.color(QPalette::Text));
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
    for (QValueAxis *axis : {m_users, m_rps, m_p95}) {
        axis->setLabelsColor(pal.color(QPalette::Text));
        axis->setTitleBrush(pal.color(QPalette::Text));
        QColor grid = pal.color(QPalette::Text);
        grid.setAlpha(40);
        axis->setGridLineColor(grid);
    }
    m_p95->setGridLineVisible(false);
    m_throughput->setPen(QPen(ChartColors::throughput(), 2));
    m_throughputPoints->setColor(ChartColors::throughput());
    m_throughputPoints->setBorderColor(ChartColors::throughput());
    m_latency->setPen(QPen(ChartColors::p95(), 2));
    m_fit->setPen(QPen(pal.color(QPalette::Text), 1.5, Qt::DashLine));
    m_knee->setColor(ChartColors::p99());
    m_knee->setBorderColor(pal.color(QPalette::Text));
}

void CapacityChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void CapacityChart::clear()
{
    for (QXYSeries *series :
         std::initializer_list<QXYSeries *>{m_throughput, m_throughputPoints, m_latency, m_fit, m_knee})
        series->clear();
    m_knee_users = -1;
    m_users->setRange(0, 10);
    m_rps->setRange(0, 10);
    m_p95->setRange(0, 100);
}

void CapacityChart::setLevels(const std::vector<LevelSummary> &levels, const CapacityModel &model)
{
    QList<QPointF> rps, p95;
    double maxUsers = 0, maxRps = 0, maxP95 = 0;
    for (const LevelSummary &level : levels) {
        if (level.open_model || level.ramp || level.users <= 0 || level.requests == 0)
            continue;
        rps << QPointF(level.users, level.rps);
        p95 << QPointF(level.users, level.p95_ms);
        maxUsers = std::max(maxUsers, level.users);
        maxRps = std::max(maxRps, level.rps);
        maxP95 = std::max(maxP95, level.p95_ms);
    }
    std::sort(rps.begin(), rps.end(), [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
    std::sort(p95.begin(), p95.end(), [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
    m_throughput->replace(rps);
    m_throughputPoints->replace(rps);
    m_latency->replace(p95);

    QList<QPointF> fit;
    if (model.usl.valid && maxUsers > 0) {
        constexpr int kSteps = 60;
        for (int i = 0; i <= kSteps; ++i) {
            const double users = 1 + (maxUsers - 1) * double(i) / kSteps;
            const double x = model.usl.predict(users);
            fit << QPointF(users, x);
            maxRps = std::max(maxRps, x);
        }
    }
    m_fit->replace(fit);

    // The knee: where adding users stops adding throughput. The USL peak when it lies within the sweep,
    // otherwise the plateau of effective parallelism.
    m_knee_users = -1;
    double kneeRps = 0;
    if (model.usl.valid && model.usl.peak_users > 0 && model.usl.peak_users <= maxUsers * 1.5) {
        m_knee_users = model.usl.peak_users;
        kneeRps = model.usl.peak_rps;
    } else if (model.plateau_reached && model.plateau_load > 0) {
        m_knee_users = model.plateau_load;
        for (const QPointF &p : rps) {
            if (p.x() == model.plateau_load)
                kneeRps = p.y();
        }
    }
    QList<QPointF> knee;
    if (m_knee_users > 0)
        knee << QPointF(m_knee_users, kneeRps);
    m_knee->replace(knee);
    m_knee->setName(m_knee_users > 0 ? tr("knee ≈ %1 users").arg(m_knee_users, 0, 'f', m_knee_users < 10 ? 1 : 0)
                                     : tr("knee"));

    m_users->setRange(0, Format::niceNumber(std::max(maxUsers, m_knee_users) * 1.05, Format::NiceRounding::Up));
    m_rps->setRange(0, Format::niceNumber(maxRps * 1.1, Format::NiceRounding::Up));
    m_p95->setRange(0, Format::niceNumber(maxP95 * 1.1, Format::NiceRounding::Up));
}

int CapacityChart::pointCount() const
{
    return int(m_throughputPoints->count());
}

int CapacityChart::fitPointCount() const
{
    return int(m_fit->count());
}

} // namespace Preflight
