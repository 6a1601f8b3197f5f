#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace Preflight::Cli {

// A plain-text table for terminal output: left-aligned first column, right-aligned numbers.
class TextTable
{
public:
    explicit TextTable(QStringList headers) : m_headers(std::move(headers)) {}
    void addRow(QStringList cells) { m_rows.push_back(std::move(cells)); }
    bool isEmpty() const { return m_rows.empty(); }
    QString render() const;

private:
    QStringList m_headers;
    std::vector<QStringList> m_rows;
};

// The table's cells in the words of data/format.h (the one formatter): "3.21 ms", "1.24 s", "–" when unknown.
QString formatMs(double ms);
QString formatRate(double perSecond); // "1235", "42.0"
QString formatPercent(double ratio);  // "0.120%"

} // namespace Preflight::Cli
