#include "runlistmodel.h"

#include "data/format.h"

namespace Preflight {

RunListModel::RunListModel(QObject *parent) : QAbstractTableModel(parent) {}

void RunListModel::setRuns(std::vector<RunListEntry> runs)
{
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

const RunListEntry *RunListModel::entry(int row) const
{
    return row >= 0 && row < int(m_runs.size()) ? &m_runs[size_t(row)] : nullptr;
}

int RunListModel::rowOf(qint64 id) const
{
    for (size_t i = 0; i < m_runs.size(); ++i) {
        if (m_runs[i].id == id)
            return int(i);
    }
    return -1;
}

int RunListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant RunListModel::rawValue(const RunListEntry &run, int column) const
{
    switch (column) {
    case NameColumn:
        return run.name;
    case StartedColumn:
        return run.started_at;
    case DurationColumn:
        return run.duration_s;
    case StatusColumn:
        return runStatusId(run.status);
    case VerdictColumn:
        return run.verdict;
    case RequestsColumn:
        return qulonglong(run.requests);
    case ErrorRateColumn:
        return run.errorRate();
    case P95Column:
        return run.requests ? run.p95_ms : -1.0;
    case TargetColumn:
        return run.target;
    }
    return {};
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunListEntry &run = m_runs[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case SortRole:
        return rawValue(run, column);
    case IdRole:
        return run.id;
    case Qt::DisplayRole: {
        const QVariant raw = rawValue(run, column);
        switch (column) {
        case StartedColumn:
            return run.started_at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        case DurationColumn:
            return Format::clock(run.duration_s);
        case VerdictColumn:
            return run.verdict.isEmpty() ? QStringLiteral("–") : run.verdict;
        case RequestsColumn:
            return Format::count(run.requests);
        case ErrorRateColumn:
            return Format::percent(run.errorRate());
        case P95Column:
            return Format::milliseconds(raw.toDouble());
        default:
            return raw;
        }
    }
    case Qt::ToolTipRole:
        if (column == StatusColumn && !run.status_reason.isEmpty())
            return run.status_reason;
        if (column == NameColumn)
            return tr("Run %1 against %2").arg(run.id).arg(run.target);
        return {};
    case Qt::TextAlignmentRole:
        switch (column) {
        case DurationColumn:
        case RequestsColumn:
        case ErrorRateColumn:
        case P95Column:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    }
    return {};
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Run");
    case StartedColumn:
        return tr("Started");
    case DurationColumn:
        return tr("Duration");
    case StatusColumn:
        return tr("Status");
    case VerdictColumn:
        return tr("Verdict");
    case RequestsColumn:
        return tr("Requests");
    case ErrorRateColumn:
        return tr("Errors");
    case P95Column:
        return tr("P95");
    case TargetColumn:
        return tr("Target");
    }
    return {};
}

} // namespace Preflight
