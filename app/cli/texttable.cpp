#include "texttable.h"

#include "data/format.h"

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
    return Format::milliseconds(ms);
}

QString formatRate(double perSecond)
{
    return Format::rate(perSecond);
}

QString formatPercent(double ratio)
{
    return Format::percent(ratio);
}

} // namespace Preflight::Cli
