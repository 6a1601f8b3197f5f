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
// Follows STYLE §10: Columns enum, SortRole = raw number, DisplayRole through Format.
class EndpointTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { EndpointColumn, RequestsColumn, RpsColumn, ErrorRateColumn, P50Column, P95Column, P99Column, NUM_COLUMNS };
    enum Roles { SortRole = Qt::UserRole };

    explicit EndpointTableModel(QObject *parent = nullptr);

    // Starts a new run: one row per plan endpoint, all counts zero.
    void setEndpoints(const QStringList &labels);
    void addSnapshot(const IntervalSnapshotPtr &snapshot);
    // Shows a whole (finished or stored) run.
    void setRun(const RunData &run);
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
    };
    QVariant rawValue(const Row &row, int column) const;

    std::vector<Row> m_rows;
    std::deque<IntervalSnapshotPtr> m_recent;  // last second, for rps
};

} // namespace Preflight
