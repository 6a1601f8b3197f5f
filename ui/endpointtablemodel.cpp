#include "endpointtablemodel.h"

#include "data/format.h"

#include "diagnosis/querycount.h"

#include <algorithm>

namespace Preflight {

namespace {
constexpr double kRateWindow_s = 1.0;
}

EndpointTableModel::EndpointTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void EndpointTableModel::setEndpoints(const QStringList &labels)
{
    beginResetModel();
    m_rows.clear();
    m_recent.clear();
    for (const QString &label : labels)
        m_rows.push_back(Row{label, {}, 0, -1});
    endResetModel();
}

void EndpointTableModel::clear()
{
    setEndpoints({});
}

void EndpointTableModel::addSnapshot(const IntervalSnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    if (snapshot->endpoints.size() > m_rows.size()) {
        // Rows were not announced (a test, or a run started elsewhere): name them by position.
        beginInsertRows({}, int(m_rows.size()), int(snapshot->endpoints.size()) - 1);
        while (m_rows.size() < snapshot->endpoints.size())
            m_rows.push_back(Row{tr("endpoint %1").arg(m_rows.size() + 1), {}, 0, -1});
        endInsertRows();
    }
    m_recent.push_back(snapshot);
    while (!m_recent.empty() && m_recent.front()->end_s <= snapshot->end_s - kRateWindow_s + 1e-6)
        m_recent.pop_front();
    const double span = m_recent.back()->end_s - m_recent.front()->start_s;

    for (size_t i = 0; i < snapshot->endpoints.size(); ++i) {
        Row &row = m_rows[i];
        row.total.merge(snapshot->endpoints[i]);
        uint64_t recentRequests = 0;
        for (const IntervalSnapshotPtr &s : m_recent) {
            if (i < s->endpoints.size())
                recentRequests += s->endpoints[i].requests;
        }
        row.rps = span > 0 ? double(recentRequests) / span : 0;
    }
    if (!m_rows.empty())
        emit dataChanged(index(0, RequestsColumn), index(int(m_rows.size()) - 1, NUM_COLUMNS - 1),
                         {Qt::DisplayRole, SortRole});
}

void EndpointTableModel::setRun(const RunData &run)
{
    beginResetModel();
    m_rows.clear();
    m_recent.clear();
    const std::vector<EndpointStats> totals = run.endpointTotals();
    const std::vector<double> queries = queriesPerRequest(run);
    const double duration = run.info.duration_s;
    for (size_t i = 0; i < totals.size(); ++i) {
        const QString label =
            i < run.plan.endpoints.size() ? run.plan.endpoints[i].label() : tr("endpoint %1").arg(i + 1);
        // For a finished run, rps is the run average.
        m_rows.push_back(Row{label, totals[i], duration > 0 ? double(totals[i].requests) / duration : 0,
                             i < queries.size() ? queries[i] : -1});
    }
    endResetModel();
}

std::vector<double> EndpointTableModel::queriesPerRequest(const RunData &run)
{
    // QueryCount owns the figure (data statements only).
    std::vector<double> result(run.plan.endpoints.size(), -1.0);
    for (size_t i = 0; i < run.plan.endpoints.size(); ++i)
        result[i] = QueryCount::perRequest(run, int(i));
    return result;
}

void EndpointTableModel::setQueriesPerRequest(const std::vector<double> &values)
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        m_rows[i].queries_per_request = i < values.size() ? values[i] : -1;
    if (!m_rows.empty())
        emit dataChanged(index(0, QueriesColumn), index(int(m_rows.size()) - 1, QueriesColumn),
                         {Qt::DisplayRole, SortRole});
}

int EndpointTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EndpointTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant EndpointTableModel::rawValue(const Row &row, int column) const
{
    const bool hasLatency = !row.total.latency.isEmpty();
    switch (column) {
    case EndpointColumn:
        return row.label;
    case RequestsColumn:
        return qulonglong(row.total.requests);
    case RpsColumn:
        return row.rps;
    case ErrorRateColumn:
        return row.total.errorRate();
    case P50Column:
        return hasLatency ? row.total.latency.percentile_ms(50) : -1.0;
    case P95Column:
        return hasLatency ? row.total.latency.percentile_ms(95) : -1.0;
    case P99Column:
        return hasLatency ? row.total.latency.percentile_ms(99) : -1.0;
    case QueriesColumn:
        return row.queries_per_request;
    }
    return {};
}

QVariant EndpointTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case SortRole:
        return rawValue(row, column);
    case Qt::DisplayRole: {
        const QVariant raw = rawValue(row, column);
        switch (column) {
        case EndpointColumn:
            return raw;
        case RequestsColumn:
            return Format::count(raw.toULongLong());
        case RpsColumn:
            return Format::perSecond(raw.toDouble());
        case ErrorRateColumn:
            return Format::percent(raw.toDouble());
        case QueriesColumn:
            return raw.toDouble() < 0 ? QStringLiteral("–") : QString::number(raw.toDouble(), 'f', 1);
        default:
            return Format::milliseconds(raw.toDouble());
        }
    }
    case Qt::ToolTipRole:
        if (column == EndpointColumn)
            return row.label;
        return {};
    case Qt::TextAlignmentRole:
        return int(column == EndpointColumn ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant EndpointTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case EndpointColumn:
        return tr("Endpoint");
    case RequestsColumn:
        return tr("Requests");
    case RpsColumn:
        return tr("Req/s");
    case ErrorRateColumn:
        return tr("Errors");
    case P50Column:
        return tr("P50");
    case P95Column:
        return tr("P95");
    case P99Column:
        return tr("P99");
    case QueriesColumn:
        return tr("Queries/req");
    }
    return {};
}

} // namespace Preflight
