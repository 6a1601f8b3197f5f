#pragma once

#include "data/rundata.h"
#include "querytablemodel.h"
#include "run/runcontroller.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTreeView;
QT_END_NAMESPACE

namespace Preflight {

class PlanTreeModel;

// The query inspector (a dock of the main window): the run's statements in a sortable table (per endpoint from
// the profiling pass, or over the whole run) and, beside it, the plan of the selected statement with its
// flagged and costliest nodes highlighted. When the run has no statements it says why and what to do instead
// (no database configured, pg_stat_statements unavailable, …). GUI thread only.
class QueryInspector : public QWidget
{
    Q_OBJECT
public:
    explicit QueryInspector(QWidget *parent = nullptr);

    // Shows a finished (or stored, or diagnosed) run; keeps the selected statement when it is still there, else
    // selects the first one. Null clears.
    void setRun(const Preflight::RunDataPtr &run);
    // Nothing to show yet; `message` says why (default: no run shown yet).
    void clear(const QString &message = {});
    // Selects the statement with this fingerprint (when given) or normalised text and scrolls to it: on the plan
    // endpoint with this index (into the run's plan.endpoints; -1: any) in the profiling pass first, then over the
    // whole run, then on any endpoint. Switches the phase when needed. False (selection unchanged) when the run
    // has no such statement.
    bool focusQuery(const QString &normalisedText, int endpoint = -1, const QString &fingerprint = {});

    void setPhase(QueryTableModel::Phase phase);
    // The selected statement (null when none).
    const QueryTableModel::Row *currentStatement() const;
    // What the inspector says above the table: the empty state or a note; empty when it has nothing to say.
    QString stateText() const;
    // What the plan pane says about the selected statement's plan (or why there is none).
    QString planNote() const;

    QueryTableModel *queryModel() const { return m_model; }
    PlanTreeModel *planModel() const { return m_planModel; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    QTreeView *planView() const { return m_planView; }
    QComboBox *phaseCombo() const { return m_phaseCombo; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void showCurrentPlan();
    void updateState();
    void selectSourceRow(int row);
    QString emptyRunText() const;

    RunDataPtr m_run;
    QueryTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    PlanTreeModel *m_planModel;
    QComboBox *m_phaseCombo;
    QLabel *m_state;
    QSplitter *m_splitter;
    QTableView *m_table;
    QLabel *m_planNote;
    QTreeView *m_planView;
    QString m_clearedText;
};

} // namespace Preflight
