#pragma once

#include "data/rundata.h"
#include "diagnosis/errorsignatures.h"

#include <QAbstractTableModel>

#include <vector>

namespace Preflight {

// What the errors said: one row per error signature of a run (summarizeErrors), most frequent first.
// Follows docs/architecture.md: Columns enum, SortRole = raw value, DisplayRole through Format. GUI thread only.
class ErrorsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns {
        SignatureColumn,
        CountColumn,
        EndpointsColumn,
        StatusColumn,
        FirstSeenColumn,
        LastSeenColumn,
        MessageColumn,
        NUM_COLUMNS
    };
    enum Roles { SortRole = Qt::UserRole, SummaryRole }; // SummaryRole: the row's index into summaries()

    explicit ErrorsModel(QObject *parent = nullptr);

    void setRun(const RunData &run);
    void setSummaries(std::vector<ErrorSignatureSummary> summaries);
    const std::vector<ErrorSignatureSummary> &summaries() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant rawValue(const ErrorSignatureSummary &row, int column) const;

    std::vector<ErrorSignatureSummary> m_rows;
};

} // namespace Preflight
