#include "comparisonmodel.h"

#include "chartcolors.h"
#include "data/format.h"

#include <QColor>

namespace Preflight {

namespace {

QString metricName(int column)
{
    switch (column) {
    case ComparisonModel::P50Column:
        return QStringLiteral("p50_ms");
    case ComparisonModel::P95Column:
        return QStringLiteral("p95_ms");
    case ComparisonModel::P99Column:
        return QStringLiteral("p99_ms");
    case ComparisonModel::RpsColumn:
        return QStringLiteral("rps");
    case ComparisonModel::ErrorRateColumn:
        return QStringLiteral("error_rate");
    }
    return {};
}

QString formatValue(int column, double v)
{
    switch (column) {
    case ComparisonModel::RpsColumn:
        return Format::perSecond(v);
    case ComparisonModel::ErrorRateColumn:
        return Format::percent(v);
    default:
        return Format::milliseconds(v);
    }
}

} // namespace

ComparisonModel::ComparisonModel(QObject *parent) : QAbstractTableModel(parent) {}

void ComparisonModel::setComparison(const RunComparison &comparison)
{
    beginResetModel();
    m_rows.clear();
    m_rows.push_back(comparison.total);
    m_rows.insert(m_rows.end(), comparison.endpoints.begin(), comparison.endpoints.end());
    m_rows.insert(m_rows.end(), comparison.levels.begin(), comparison.levels.end());
    endResetModel();
}

void ComparisonModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QString ComparisonModel::verdictText(DeltaVerdict verdict)
{
    switch (verdict) {
    case DeltaVerdict::Better:
        return tr("better");
    case DeltaVerdict::Worse:
        return tr("worse");
    case DeltaVerdict::Unchanged:
        return tr("unchanged");
    case DeltaVerdict::Inconclusive:
        return tr("inconclusive");
    }
    return {};
}

QColor ComparisonModel::verdictColor(DeltaVerdict verdict)
{
    switch (verdict) {
    case DeltaVerdict::Better:
        return ChartColors::p50();
    case DeltaVerdict::Worse:
        return ChartColors::p99();
    case DeltaVerdict::Unchanged:
        return ChartColors::otherError();
    case DeltaVerdict::Inconclusive:
        return ChartColors::p95();
    }
    return {};
}

const MetricDelta *ComparisonModel::metric(const ComparisonRow &row, int column) const
{
    const QString name = metricName(column);
    return name.isEmpty() ? nullptr : row.metric(name);
}

int ComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant ComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ComparisonRow &row = m_rows[size_t(index.row())];
    const int column = index.column();
    if (column == ScopeColumn || column == LabelColumn) {
        const QString text = column == ScopeColumn ? row.scope : (row.label.isEmpty() ? row.key : row.label);
        if (role == Qt::DisplayRole || role == SortRole)
            return text;
        if (role == Qt::ToolTipRole && column == LabelColumn)
            return tr("%1 requests before, %2 after").arg(row.requests_before).arg(row.requests_after);
        return {};
    }
    const MetricDelta *m = metric(row, column);
    if (!m)
        return role == Qt::DisplayRole ? QVariant(QStringLiteral("–")) : QVariant();
    switch (role) {
    case Qt::DisplayRole: {
        const QString change = m->before != 0 ? QStringLiteral(" (%1%2%)")
                                                    .arg(m->relative >= 0 ? QStringLiteral("+") : QString())
                                                    .arg(m->relative * 100, 0, 'f', 1)
                                              : QString();
        return QStringLiteral("%1 → %2%3").arg(formatValue(column, m->before), formatValue(column, m->after), change);
    }
    case SortRole:
        return m->relative;
    case VerdictRole:
        return int(m->verdict);
    case Qt::ForegroundRole:
        return verdictColor(m->verdict);
    case Qt::ToolTipRole:
        return QStringLiteral("%1: %2").arg(verdictText(m->verdict), m->reason);
    case Qt::AccessibleDescriptionRole:
        return verdictText(m->verdict);
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ScopeColumn:
        return tr("Scope");
    case LabelColumn:
        return tr("What");
    case P50Column:
        return tr("P50");
    case P95Column:
        return tr("P95");
    case P99Column:
        return tr("P99");
    case RpsColumn:
        return tr("Req/s");
    case ErrorRateColumn:
        return tr("Errors");
    }
    return {};
}

} // namespace Preflight
