#pragma once

#include <QColor>

namespace Preflight::ChartColors {

// Series colours shared by the dashboard, the load-shape preview and the findings cards. Chosen to stay
// readable on both light and dark backgrounds.
inline QColor p50()
{
    return QColor(0x2e, 0x9e, 0x5b);
}
inline QColor p95()
{
    return QColor(0xe0, 0x8a, 0x1e);
}
inline QColor p99()
{
    return QColor(0xd6, 0x3c, 0x3c);
}
inline QColor throughput()
{
    return QColor(0x3a, 0x7b, 0xd5);
}
inline QColor timeout()
{
    return QColor(0x9b, 0x59, 0xb6);
}
inline QColor http5xx()
{
    return QColor(0xd6, 0x3c, 0x3c);
}
inline QColor http4xx()
{
    return QColor(0xe0, 0x8a, 0x1e);
}
inline QColor connect()
{
    return QColor(0x8e, 0x44, 0x2d);
}
inline QColor reset()
{
    return QColor(0xc0, 0x6c, 0x84);
}
inline QColor otherError()
{
    return QColor(0x7f, 0x8c, 0x8d);
}
inline QColor poolInUse()
{
    return QColor(0x16, 0xa0, 0x85);
}
inline QColor poolMax()
{
    return QColor(0xd6, 0x3c, 0x3c);
}
inline QColor dbActive()
{
    return QColor(0x2e, 0x9e, 0x5b);
}
inline QColor dbWaiting()
{
    return QColor(0xd6, 0x3c, 0x3c);
}
inline QColor dbIdleInTransaction()
{
    return QColor(0xe0, 0x8a, 0x1e);
}
inline QColor dbIdle()
{
    return QColor(0x95, 0xa5, 0xa6);
}

} // namespace Preflight::ChartColors
