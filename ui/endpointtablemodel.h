#pragma once

#include "data/intervalsnapshot.h"
#include "data/rundata.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <deque>
#include <vector>

namespace Preflight {

// Per-endpoint figures of a run, live (one dataChanged per snapshot) or from a finished run.
// Requests, error % and percentiles cover the run so far; rps covers the last second.
// Follows docs/architecture.md: Columns enum, SortRole = raw number, DisplayRole through Format.
class EndpointTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns {
        EndpointColumn,
        RequestsColumn,
        RpsColumn,
        ErrorRateColumn,
        P50Column,
        P95Column,
        P99Column,
        QueriesColumn,
        NUM_COLUMNS
    };
    enum Roles { SortRole = Qt::UserRole };

    explicit EndpointTableModel(QObject *parent = nullptr);

    // Starts a new run: one row per plan endpoint, all counts zero.
    void setEndpoints(const QStringList &labels);
    void addSnapshot(const IntervalSnapshotPtr &snapshot);
    // Shows a whole (finished or stored) run, with queries/request from its profiling pass.
    void setRun(const RunData &run);
    // Queries per request by plan endpoint index: QueryCount::perRequest (data statements of the profiling pass,
    // matched by endpoint name or label); -1 where the endpoint was not profiled. Pure.
    static std::vector<double> queriesPerRequest(const RunData &run);
    // Fills the queries/request column of the current rows (after a live run's profiling pass).
    void setQueriesPerRequest(const std::vector<double> &values);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString label;
        EndpointStats total;
        double rps = 0;
        double queries_per_request = -1; // -1: not profiled
    };
    QVariant rawValue(const Row &row, int column) const;

    std::vector<Row> m_rows;
    std::deque<IntervalSnapshotPtr> m_recent; // last second, for rps
};

} // namespace Preflight
