#pragma once

#include "store/runlistentry.h"

#include <QAbstractTableModel>

#include <vector>

namespace Preflight {

// The run history (RunStore::listRuns), newest first. docs/architecture.md: Columns, SortRole = raw value,
// DisplayRole through Format; IdRole gives the run id of any cell.
class RunListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns {
        NameColumn,
        StartedColumn,
        DurationColumn,
        StatusColumn,
        VerdictColumn,
        RequestsColumn,
        ErrorRateColumn,
        P95Column,
        TargetColumn,
        NUM_COLUMNS
    };
    enum Roles { SortRole = Qt::UserRole, IdRole };

    explicit RunListModel(QObject *parent = nullptr);

    void setRuns(std::vector<RunListEntry> runs);
    const RunListEntry *entry(int row) const;
    int rowOf(qint64 id) const; // -1 when not listed

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant rawValue(const RunListEntry &run, int column) const;

    std::vector<RunListEntry> m_runs;
};

} // namespace Preflight
