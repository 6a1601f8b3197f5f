#pragma once

#include <QList>
#include <QPointF>

namespace Preflight {

// The points of one chart series, bounded in memory for runs of any length (docs/architecture.md).
//
// Points are appended in time order. When the buffer holds more than maxPoints(), the older half is
// decimated: neighbouring pairs are merged into one point at their mean time. Peak keeps the larger value
// (latency spikes stay visible), Average keeps the mean (rates stay rates, and stacked series that are
// appended at the same times stay consistent with each other). Recent data therefore keeps full
// resolution; old data grows coarser. Not thread-safe: GUI thread only.
class DecimatingSeries
{
public:
    enum class Mode { Peak, Average };

    explicit DecimatingSeries(Mode mode = Mode::Peak, int maxPoints = 1200);

    void append(double x, double y);
    void clear();

    const QList<QPointF> &points() const { return m_points; }
    int size() const { return int(m_points.size()); }
    bool isDirty() const { return m_dirty; }
    void markClean() { m_dirty = false; }
    int maxPoints() const { return m_maxPoints; }
    double maxY() const; // 0 when empty
    double lastX() const { return m_points.isEmpty() ? 0.0 : m_points.constLast().x(); }

private:
    void decimate();

    QList<QPointF> m_points;
    Mode m_mode;
    int m_maxPoints;
    bool m_dirty = false;
};

} // namespace Preflight
