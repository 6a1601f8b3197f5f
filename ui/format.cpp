#include "format.h"

#include <cmath>

namespace Preflight::Format {

namespace {

const QString &unknown()
{
    static const QString dash(QChar(0x2013));
    return dash;
}

bool isUnknown(double v)
{
    return std::isnan(v) || v < 0;
}

// Three significant digits for values from 0.01 up; larger values are shown whole.
QString threeDigits(double v)
{
    if (v < 10)
        return QString::number(v, 'f', 2);
    if (v < 100)
        return QString::number(v, 'f', 1);
    return QString::number(v, 'f', 0);
}

} // namespace

QString milliseconds(double ms)
{
    if (isUnknown(ms))
        return unknown();
    if (ms >= 1000)
        return threeDigits(ms / 1000.0) + QStringLiteral(" s");
    return threeDigits(ms) + QStringLiteral(" ms");
}

QString perSecond(double value)
{
    if (isUnknown(value))
        return unknown();
    if (value < 100)
        return QString::number(value, 'f', 1) + QStringLiteral("/s");
    return QString::number(value, 'f', 0) + QStringLiteral("/s");
}

QString percent(double ratio)
{
    if (isUnknown(ratio))
        return unknown();
    const double p = ratio * 100.0;
    if (p == 0)
        return QStringLiteral("0%");
    if (p >= 99.95 && p <= 100.0)
        return QStringLiteral("100%");
    if (p < 10)
        return QString::number(p, 'f', 2) + QLatin1Char('%');
    return QString::number(p, 'f', 1) + QLatin1Char('%');
}

QString count(uint64_t n)
{
    return QString::number(n);
}

QString amount(double value)
{
    if (isUnknown(value))
        return unknown();
    if (value >= 1e15 || value == std::round(value))
        return QString::number(value, 'f', 0);
    if (value < 0.01)
        return QString::number(value, 'f', 3);
    return threeDigits(value);
}

QString planCost(double startup, double total)
{
    if (isUnknown(startup) || isUnknown(total))
        return unknown();
    return QString::number(startup, 'f', 2) + QStringLiteral("..") + QString::number(total, 'f', 2);
}

QString clock(double seconds)
{
    if (isUnknown(seconds))
        return unknown();
    const qint64 total = qint64(std::floor(seconds));
    const qint64 h = total / 3600;
    const qint64 m = (total / 60) % 60;
    const qint64 s = total % 60;
    const QString ss = QStringLiteral("%1").arg(s, 2, 10, QLatin1Char('0'));
    if (h > 0)
        return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(ss);
    return QStringLiteral("%1:%2").arg(m).arg(ss);
}

} // namespace Preflight::Format
