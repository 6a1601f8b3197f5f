#include "format.h"

#include <QStringList>

#include <algorithm>
#include <cmath>

namespace Preflight::Format {

namespace {

bool isUnknown(double v)
{
    return !std::isfinite(v) || v < 0;
}

// Three significant digits; whole numbers from 100 up.
QString threeDigits(double v)
{
    if (v < 10)
        return QString::number(v, 'f', 2);
    if (v < 100)
        return QString::number(v, 'f', 1);
    return QString::number(v, 'f', 0);
}

QString trimZeros(QString s)
{
    const QChar dot = QLatin1Char('.');
    if (!s.contains(dot))
        return s;
    while (s.endsWith(QLatin1Char('0')))
        s.chop(1);
    if (s.endsWith(dot))
        s.chop(1);
    return s;
}

} // namespace

QString unknown()
{
    return QStringLiteral("\u2013");
}

QString milliseconds(double ms)
{
    if (isUnknown(ms))
        return unknown();
    // 999.6 ms rounds to "1000 ms" as milliseconds: switch to seconds where the text would.
    if (ms >= 999.5)
        return threeDigits(ms / 1000.0) + QStringLiteral(" s");
    return threeDigits(ms) + QStringLiteral(" ms");
}

QString rate(double perSecond)
{
    if (isUnknown(perSecond))
        return unknown();
    return threeDigits(perSecond);
}

QString perSecond(double value)
{
    return isUnknown(value) ? unknown() : rate(value) + QStringLiteral("/s");
}

QString rps(double value)
{
    return isUnknown(value) ? unknown() : rate(value) + QStringLiteral(" req/s");
}

QString percent(double ratio)
{
    if (isUnknown(ratio))
        return unknown();
    const double p = ratio * 100.0;
    if (p == 0)
        return QStringLiteral("0%");
    if (ratio == 1)
        return QStringLiteral("100%");
    int decimals = p < 1 ? 3 : p < 10 ? 2 : p < 100 ? 1 : 0;
    QString s = QString::number(p, 'f', decimals);
    // Never round a ratio below 1 up to 100%.
    while (ratio < 1 && s.toDouble() >= 100 && decimals < 4)
        s = QString::number(p, 'f', ++decimals);
    if (ratio < 1 && s.toDouble() >= 100)
        s = QStringLiteral("99.9999");
    return s + QLatin1Char('%');
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
    // Elapsed time floors (0:07 until the eighth second has passed); the epsilon keeps an axis tick computed as
    // 74.99999 from reading one second early.
    const qint64 total = qint64(std::floor(seconds + 1e-6));
    const qint64 h = total / 3600;
    const qint64 m = (total / 60) % 60;
    const qint64 s = total % 60;
    const QString ss = QStringLiteral("%1").arg(s, 2, 10, QLatin1Char('0'));
    if (h > 0)
        return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(ss);
    return QStringLiteral("%1:%2").arg(m).arg(ss);
}

QString seconds(double value_s)
{
    if (isUnknown(value_s))
        return unknown();
    if (value_s < 60)
        return number(value_s, value_s < 10 ? 1 : 0) + QStringLiteral(" s");
    const qint64 total = qint64(std::llround(value_s));
    const qint64 h = total / 3600, m = (total % 3600) / 60, s = total % 60;
    QStringList parts;
    if (h)
        parts << QStringLiteral("%1 h").arg(h);
    if (m)
        parts << QStringLiteral("%1 min").arg(m);
    if (s)
        parts << QStringLiteral("%1 s").arg(s);
    return parts.join(QLatin1Char(' '));
}

QString load(double value, bool openModel)
{
    if (openModel)
        return number(value, value < 10 ? 1 : 0) + QStringLiteral(" req/s");
    return value == 1 ? QStringLiteral("1 user") : number(value, 1) + QStringLiteral(" users");
}

QString gateValue(double value, const QString &unit)
{
    if (!std::isfinite(value))
        return unknown();
    if (unit == QLatin1String("ms"))
        return milliseconds(value);
    if (unit == QLatin1String("ratio"))
        return percent(value);
    if (unit == QLatin1String("req/s"))
        return rps(value);
    if (unit == QLatin1String("queries"))
        return amount(value) + (value == 1 ? QStringLiteral(" query") : QStringLiteral(" queries"));
    return amount(value);
}

QString number(double value, int decimals)
{
    if (!std::isfinite(value))
        return unknown();
    const double scale = std::pow(10.0, decimals);
    const double rounded = std::round(value * scale) / scale;
    return trimZeros(QString::number(rounded == 0 ? 0.0 : rounded, 'f', decimals));
}

QString fixed(double value, int decimals)
{
    if (!std::isfinite(value))
        return unknown();
    return QString::number(value, 'f', decimals);
}

double niceNumber(double v, NiceRounding rounding)
{
    if (!(v > 0) || !std::isfinite(v))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
    const double f = v / magnitude;
    double nice = 10;
    if (rounding == NiceRounding::Nearest)
        nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * magnitude;
}

} // namespace Preflight::Format
