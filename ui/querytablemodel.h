#pragma once

#include "data/finding.h"
#include "data/querystat.h"
#include "data/rundata.h"
#include "diagnosis/nplusone.h"

#include <QAbstractTableModel>

#include <vector>

namespace Preflight {

// The statements of a run, one phase at a time: for the profiling pass (phase "profile": each endpoint alone, K
// requests) QueryCount::profiledStatements of each endpoint, i.e. the data statements the diagnosis counted
// (no BEGIN/SAVEPOINT/SET), grouped by fingerprint; for the whole run ("run", or "log" when the whole run was
// read from a statement log) one row per fingerprint. The N+1 column marks what the run's n-plus-one findings name
// (NPlusOne::role), so it says exactly what the diagnosis says; before diagnosis it is empty.
// Follows docs/architecture.md: Columns enum, SortRole = raw value, DisplayRole through Format. GUI thread only.
class QueryTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns {
        EndpointColumn,
        QueryColumn,
        CallsPerRequestColumn,
        RowsPerCallColumn,
        MeanColumn,
        TotalColumn,
        NPlusOneColumn,
        NUM_COLUMNS
    };
    enum Roles {
        SortRole = Qt::UserRole,
        FullTextRole,    // the statement's normalised text as recorded (multi-line)
        FingerprintRole, // libpg_query fingerprint (may be empty for a statement log)
        NPlusOneRole,    // int(NPlusOne::Role)
    };
    enum class Phase { Profile, Run };

    struct Row
    {
        QueryStat stat;
        NPlusOne::Role role = NPlusOne::Role::None;
        QString finding_title; // the n-plus-one finding naming the statement
    };

    explicit QueryTableModel(QObject *parent = nullptr);

    // Takes the run's statements and findings (copied); keeps the phase.
    void setRun(const RunData &run);
    void clear();
    void setPhase(Phase phase);
    Phase phase() const { return m_phase; }
    // Statements of a phase in the run last set (whatever phase is shown): rows of the profiling pass, recorded
    // statements of the whole run.
    int statementCount(Phase phase) const;

    const Row &row(int row) const { return m_rows[size_t(row)]; }
    // The row of this statement in the shown phase: by fingerprint when given, else by text (exact, then
    // whitespace-simplified), on this endpoint (index into the run's plan.endpoints) when ≥ 0 (ignored for the
    // whole-run phase); -1 when absent.
    int findRow(const QString &text, int endpoint = -1, const QString &fingerprint = {}) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static bool inPhase(const QueryStat &stat, Phase phase);

private:
    void rebuild();
    QVariant rawValue(const Row &row, int column) const;

    std::vector<QueryStat> m_queries;
    Plan m_plan;                       // the run's: the endpoint column reads a statement's endpoint name from it
    std::vector<QueryStat> m_profiled; // QueryCount::profiledStatements of every profiled endpoint
    std::vector<Finding> m_findings;
    Phase m_phase = Phase::Profile;
    std::vector<Row> m_rows;
};

} // namespace Preflight
