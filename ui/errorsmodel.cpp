#include "errorsmodel.h"

#include "data/format.h"

#include <QStringList>

namespace Preflight {

namespace {
QString statusesText(const std::vector<int> &statuses)
{
    QStringList parts;
    for (int s : statuses)
        parts.append(s == 0 ? QStringLiteral("transport") : QString::number(s));
    return parts.join(QStringLiteral(", "));
}
} // namespace

ErrorsModel::ErrorsModel(QObject *parent) : QAbstractTableModel(parent) {}

void ErrorsModel::setRun(const RunData &run)
{
    setSummaries(summarizeErrors(run));
}

void ErrorsModel::setSummaries(std::vector<ErrorSignatureSummary> summaries)
{
    beginResetModel();
    m_rows = std::move(summaries);
    endResetModel();
}

int ErrorsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ErrorsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant ErrorsModel::rawValue(const ErrorSignatureSummary &row, int column) const
{
    switch (column) {
    case SignatureColumn:
        return row.signature;
    case CountColumn:
        return qulonglong(row.count);
    case EndpointsColumn:
        return row.endpoints.join(QStringLiteral(", "));
    case StatusColumn:
        return row.statuses.empty() ? 0 : row.statuses.front();
    case FirstSeenColumn:
        return row.first_seen_s;
    case LastSeenColumn:
        return row.last_seen_s;
    case MessageColumn:
        return row.normalized;
    }
    return {};
}

QVariant ErrorsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ErrorSignatureSummary &row = m_rows[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case SortRole:
        return rawValue(row, column);
    case SummaryRole:
        return index.row();
    case Qt::DisplayRole:
        switch (column) {
        case CountColumn:
            return Format::count(row.count);
        case StatusColumn:
            return statusesText(row.statuses);
        case FirstSeenColumn:
            return Format::clock(row.first_seen_s);
        case LastSeenColumn:
            return Format::clock(row.last_seen_s);
        default:
            return rawValue(row, column);
        }
    case Qt::ToolTipRole:
        if (column == SignatureColumn || column == MessageColumn)
            return row.meaning.isEmpty() ? tr("Not in the signature catalogue") : row.meaning;
        return {};
    case Qt::TextAlignmentRole:
        if (column == CountColumn || column == FirstSeenColumn || column == LastSeenColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant ErrorsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SignatureColumn:
        return tr("Signature");
    case CountColumn:
        return tr("Count");
    case EndpointsColumn:
        return tr("Endpoints");
    case StatusColumn:
        return tr("Status");
    case FirstSeenColumn:
        return tr("First seen");
    case LastSeenColumn:
        return tr("Last seen");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}

} // namespace Preflight
