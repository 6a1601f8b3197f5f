#include "decimatingseries.h"

#include <QtGlobal>

#include <algorithm>

namespace Preflight {

DecimatingSeries::DecimatingSeries(Mode mode, int maxPoints) : m_mode(mode), m_maxPoints(std::max(maxPoints, 8))
{
    m_points.reserve(m_maxPoints + 1);
}

void DecimatingSeries::append(double x, double y)
{
    m_points.append(QPointF(x, y));
    m_dirty = true;
    if (m_points.size() > m_maxPoints)
        decimate();
}

void DecimatingSeries::clear()
{
    m_dirty = m_dirty || !m_points.isEmpty();
    m_points.clear();
}

double DecimatingSeries::maxY() const
{
    double m = 0;
    for (const QPointF &p : m_points)
        m = std::max(m, p.y());
    return m;
}

void DecimatingSeries::decimate()
{
    // Halve the older half in place; the newer half is untouched. Amortised O(1) per append.
    const qsizetype half = (m_points.size() / 2) & ~qsizetype(1);
    qsizetype out = 0;
    for (qsizetype i = 0; i + 1 < half; i += 2) {
        const QPointF &a = m_points.at(i);
        const QPointF &b = m_points.at(i + 1);
        const double y = m_mode == Mode::Peak ? std::max(a.y(), b.y()) : (a.y() + b.y()) / 2.0;
        m_points[out++] = QPointF((a.x() + b.x()) / 2.0, y);
    }
    m_points.remove(out, half - out);
}

} // namespace Preflight
