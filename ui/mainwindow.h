#pragma once

#include "data/finding.h"
#include "plan/plan.h"
#include "run/runcontroller.h"

#include <QMainWindow>

#include <optional>

QT_BEGIN_NAMESPACE
class QAction;
class QDockWidget;
class QMenu;
class QSortFilterProxyModel;
class QTableView;
QT_END_NAMESPACE

namespace Preflight {

class EndpointTableModel;
class ComparisonView;
class ErrorBanner;
class FindingsPanel;
class ErrorsView;
class LiveDashboard;
class PlanDocument;
class QueryInspector;
class RunHistoryPanel;
class RunPresenter;
class ScenarioPanel;
class StatusLine;
class TargetPanel;

// The workbench: target and scenario panels (docks), the live dashboard (centre, under the inline error
// banner), the per-endpoint table and the findings (docks), plan documents and the run actions.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // The plan as edited (base plan overlaid with the panels). nullopt and *error when a field is invalid.
    std::optional<Plan> currentPlan(QString *error) const;
    // The options Start gives the run controller, before the non-loopback question: the distributed part from the
    // Scenario panel's agents section (agents == 0: a local run). nullopt and *error when one of its fields is wrong.
    std::optional<RunController::Options> currentRunOptions(QString *error) const;
    void setPlan(const Plan &plan);

    bool openPlan(const QString &path);
    // Shows a plan that has no file yet (the demo's), titled `title`, unmodified; Save asks for a path.
    void loadUnsavedPlan(const Plan &plan, const QString &title);
    bool savePlan(const QString &path);

    RunController *controller() const { return m_controller; }
    LiveDashboard *dashboard() const { return m_dashboard; }
    TargetPanel *targetPanel() const { return m_target; }
    ScenarioPanel *scenarioPanel() const { return m_scenario; }
    EndpointTableModel *endpointModel() const { return m_endpointModel; }
    QTableView *endpointView() const { return m_endpointView; }
    FindingsPanel *findingsPanel() const { return m_findings; }
    ErrorBanner *banner() const { return m_banner; }
    StatusLine *statusLine() const { return m_status; }
    RunHistoryPanel *historyPanel() const { return m_history; }
    ComparisonView *comparisonView() const { return m_comparison; }
    QueryInspector *queryInspector() const { return m_queries; }
    QDockWidget *queriesDock() const { return m_queriesDock; }
    RunPresenter *presenter() const { return m_presenter; }
    PlanDocument *document() const { return m_document; }
    QAction *startAction() const { return m_start; }
    QAction *stopAction() const { return m_stop; }

public slots:
    void startRun();
    void stopRun();
    void newPlan();
    void openPlanDialog();
    bool save();
    bool saveAs();
    void exportView();
    void exportReport();
    void openStoreDialog();
    // Shades the finding's span on the charts, selects its endpoint row and picks it on the latency chart;
    // raises the Queries dock on the query most involved, when there is one.
    void showEvidence(const Preflight::Finding &finding);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createDocks();
    void connectHistory();
    void updateActions();
    void updateTitle();
    void rebuildRecentMenu();
    bool maybeSave();
    void showError(const QString &message, const QString &fix = {});

    RunController *m_controller;
    PlanDocument *m_document;
    ErrorBanner *m_banner;
    LiveDashboard *m_dashboard;
    TargetPanel *m_target;
    ScenarioPanel *m_scenario;
    EndpointTableModel *m_endpointModel;
    QSortFilterProxyModel *m_endpointProxy;
    QTableView *m_endpointView;
    FindingsPanel *m_findings;
    ErrorsView *m_errors;
    StatusLine *m_status;
    RunPresenter *m_presenter;
    RunHistoryPanel *m_history;
    ComparisonView *m_comparison;
    QueryInspector *m_queries;
    QDockWidget *m_queriesDock = nullptr;
    QDockWidget *m_scenarioDock = nullptr;
    QDockWidget *m_historyDock = nullptr;
    QDockWidget *m_comparisonDock = nullptr;
    Plan m_basePlan; // what was opened; fields no panel edits (login, pool, vars) come from here

    QAction *m_start = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_new = nullptr;
    QAction *m_open = nullptr;
    QAction *m_save = nullptr;
    QAction *m_saveAs = nullptr;
    QAction *m_export = nullptr;
    QAction *m_exportReport = nullptr;
    QAction *m_openStore = nullptr;
    QAction *m_quit = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
};

} // namespace Preflight
