#include "texttable.h"

#include <algorithm>

namespace Preflight::Cli {

QString TextTable::render() const
{
    std::vector<qsizetype> widths(size_t(m_headers.size()), 0);
    auto measure = [&widths](const QStringList &cells) {
        for (qsizetype i = 0; i < cells.size() && size_t(i) < widths.size(); ++i)
            widths[size_t(i)] = std::max(widths[size_t(i)], cells[i].size());
    };
    measure(m_headers);
    for (const QStringList &row : m_rows)
        measure(row);
    auto line = [&widths](const QStringList &cells) -> QString {
        QString out;
        for (size_t i = 0; i < widths.size(); ++i) {
            const QString cell = qsizetype(i) < cells.size() ? cells[qsizetype(i)] : QString();
            if (i > 0)
                out += QStringLiteral("  ");
            out += i == 0 ? cell.leftJustified(widths[i]) : cell.rightJustified(widths[i]);
        }
        while (out.endsWith(QLatin1Char(' ')))
            out.chop(1);
        return out + QLatin1Char('\n');
    };
    QString out = line(m_headers);
    for (const QStringList &row : m_rows)
        out += line(row);
    return out;
}

QString formatMs(double ms)
{
    if (ms < 0)
        return QStringLiteral("—");
    if (ms >= 1000)
        return QString::number(ms / 1000.0, 'f', 2) + QStringLiteral(" s");
    if (ms >= 100)
        return QString::number(ms, 'f', 0) + QStringLiteral(" ms");
    return QString::number(ms, 'f', ms >= 10 ? 1 : 2) + QStringLiteral(" ms");
}

QString formatRate(double perSecond)
{
    return QString::number(perSecond, 'f', perSecond >= 100 ? 0 : 1);
}

QString formatPercent(double ratio)
{
    const double pct = ratio * 100.0;
    return QString::number(pct, 'f', pct > 0 && pct < 0.1 ? 3 : (pct < 10 ? 2 : 1)) + QLatin1Char('%');
}

} // namespace Preflight::Cli
