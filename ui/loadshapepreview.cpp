#include "loadshapepreview.h"

#include "chartcolors.h"
#include "data/format.h"
#include "load/schedule.h"

#include <QPainter>
#include <QPainterPath>

namespace Preflight {

LoadShapePreview::LoadShapePreview(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("loadShapePreview"));
    setAccessibleName(tr("Load shape preview"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void LoadShapePreview::setScenario(const ScenarioSpec &scenario)
{
    const Schedule schedule = Schedule::compile(scenario);
    m_stages = schedule.stages();
    m_openModel = schedule.isOpenModel();
    m_duration_s = schedule.duration_s();
    m_peak = schedule.peak();
    const QString unit = m_openModel ? tr("req/s") : tr("users");
    m_summary =
        tr("%1 · %2 · peak %3 %4").arg(scenario.preset, Format::clock(m_duration_s), QString::number(m_peak), unit);
    setAccessibleDescription(m_summary);
    setToolTip(m_summary);
    update();
}

void LoadShapePreview::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(rect().adjusted(0, 0, -1, -1));

    const QFontMetrics fm(font());
    const QRectF plot = QRectF(rect()).adjusted(8, 8 + fm.height(), -8, -8 - fm.height());
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRectF(rect()).adjusted(8, 4, -8, 0), Qt::AlignLeft | Qt::AlignTop, m_summary);
    if (m_stages.empty() || !(m_duration_s > 0) || !(m_peak > 0)) {
        p.drawText(plot, Qt::AlignCenter, tr("no load"));
        return;
    }
    auto map = [&](double t, double v) {
        return QPointF(plot.left() + plot.width() * t / m_duration_s, plot.bottom() - plot.height() * v / m_peak);
    };
    QPainterPath path(map(0, 0));
    for (const StageInfo &s : m_stages) {
        path.lineTo(map(s.start_s, s.from));
        path.lineTo(map(s.start_s + s.duration_s, s.to));
    }
    path.lineTo(map(m_duration_s, 0));
    QPainterPath area = path;
    area.closeSubpath();
    QColor fill = ChartColors::throughput();
    fill.setAlpha(60);
    p.fillPath(area, fill);
    p.setPen(QPen(ChartColors::throughput(), 2));
    p.drawPath(path);
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), fm.height()), Qt::AlignLeft, QStringLiteral("0"));
    p.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), fm.height()), Qt::AlignRight,
               Format::clock(m_duration_s));
}

} // namespace Preflight
