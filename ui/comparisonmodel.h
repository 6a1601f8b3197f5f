#pragma once

#include "store/runcomparison.h"

#include <QAbstractTableModel>

#include <vector>

namespace Preflight {

// Two runs side by side (RunComparison): the run total, then endpoints, then levels; one column per metric
// showing "before → after (±%)", coloured by its verdict. docs/architecture.md: SortRole = the relative change,
// VerdictRole = the DeltaVerdict as int.
class ComparisonModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { ScopeColumn, LabelColumn, P50Column, P95Column, P99Column, RpsColumn, ErrorRateColumn, NUM_COLUMNS };
    enum Roles { SortRole = Qt::UserRole, VerdictRole };

    explicit ComparisonModel(QObject *parent = nullptr);

    void setComparison(const RunComparison &comparison);
    void clear();

    // The text and colour of one verdict, shared with the legend of the comparison view.
    static QString verdictText(DeltaVerdict verdict);
    static QColor verdictColor(DeltaVerdict verdict);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const MetricDelta *metric(const ComparisonRow &row, int column) const;

    std::vector<ComparisonRow> m_rows;
};

} // namespace Preflight
