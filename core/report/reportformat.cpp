#include "reportformat.h"

#include <QLocale>
#include <QStringList>

#include <cmath>

namespace Preflight::ReportFormat {

namespace {

bool known(double v)
{
    return std::isfinite(v) && v >= 0;
}

// Significant-digit friendly decimals: small numbers keep two, mid ones one, large ones none.
int autoDecimals(double v)
{
    const double a = std::abs(v);
    if (a == 0 || a >= 100)
        return 0;
    if (a >= 10)
        return 1;
    if (a >= 1)
        return 1;
    return 2;
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

QString dash()
{
    return QStringLiteral("\u2013");
}

QString number(double value, int decimals)
{
    if (!std::isfinite(value))
        return dash();
    QLocale c(QLocale::C);
    c.setNumberOptions(QLocale::DefaultNumberOptions); // C locale groups with ','
    const double scale = std::pow(10.0, decimals);
    const double rounded = std::round(value * scale) / scale;
    return trimZeros(c.toString(rounded == 0 ? 0.0 : rounded, 'f', decimals));
}

QString count(uint64_t value)
{
    QLocale c(QLocale::C);
    c.setNumberOptions(QLocale::DefaultNumberOptions);
    return c.toString(qulonglong(value));
}

QString ms(double value_ms)
{
    if (!known(value_ms))
        return dash();
    if (value_ms >= 1000)
        return number(value_ms / 1000.0, value_ms >= 100000 ? 0 : 1) + QStringLiteral(" s");
    return number(value_ms, autoDecimals(value_ms)) + QStringLiteral(" ms");
}

QString percent(double ratio)
{
    if (!known(ratio))
        return dash();
    const double p = ratio * 100;
    int decimals = 1;
    if (p != 0 && p < 0.1)
        decimals = 3;
    else if (p != 0 && p < 1)
        decimals = 2;
    // Never round a non-perfect ratio up to 100%: add decimals until it shows the difference.
    QString s = number(p, decimals);
    while (ratio < 1 && s == QLatin1String("100") && decimals < 4)
        s = number(p, ++decimals);
    if (ratio < 1 && s == QLatin1String("100"))
        s = QStringLiteral("99.9999");
    return s + QLatin1Char('%');
}

QString rps(double value)
{
    if (!known(value))
        return dash();
    return number(value, value >= 100 ? 0 : 1) + QStringLiteral(" req/s");
}

QString seconds(double value_s)
{
    if (!known(value_s))
        return dash();
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

QString clock(double value_s)
{
    const qint64 total = qint64(std::llround(std::max(0.0, value_s)));
    const qint64 h = total / 3600, m = (total % 3600) / 60, s = total % 60;
    if (h)
        return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
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
        return dash();
    if (unit == QLatin1String("ms"))
        return ms(value);
    if (unit == QLatin1String("ratio"))
        return percent(value);
    if (unit == QLatin1String("req/s"))
        return rps(value);
    if (unit == QLatin1String("queries"))
        return number(value, value < 10 ? 1 : 0) + (value == 1 ? QStringLiteral(" query") : QStringLiteral(" queries"));
    return number(value, autoDecimals(value));
}

} // namespace Preflight::ReportFormat
