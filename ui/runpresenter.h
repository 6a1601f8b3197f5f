#pragma once

#include "data/intervalsnapshot.h"
#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"
#include "plan/plan.h"
#include "run/runcontroller.h"

#include <QObject>

#include <functional>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QTimer;
QT_END_NAMESPACE

namespace Preflight {

class ErrorBanner;
class ErrorsView;
class EndpointTableModel;
class FindingsPanel;
class JobTracker;
class LiveDashboard;
class QueryInspector;
class StatusLine;

// Fans the RunController's signals out to the views of the main window: dashboard (with DB and pool
// samples, live gate chips at 1 Hz, the capacity chart at each new sweep level, the latency endpoint
// picker), endpoint table, status line, findings, the error banner, and (when given) the errors view and the
// query inspector, which get every finished, diagnosed or opened run.
class RunPresenter : public QObject
{
    Q_OBJECT
public:
    struct Views
    {
        LiveDashboard *dashboard = nullptr;
        EndpointTableModel *endpoints = nullptr;
        StatusLine *status = nullptr;
        FindingsPanel *findings = nullptr;
        ErrorBanner *banner = nullptr;
        ErrorsView *errors = nullptr;      // what failing responses said (optional)
        QueryInspector *queries = nullptr; // statements and plans (optional)
    };

    RunPresenter(RunController *controller, const Views &views, QObject *parent = nullptr);

    // Resets every view for a run of this plan (endpoint rows, gate lines, time axis).
    void prepare(const Plan &plan);
    bool isRunning() const { return m_running; }
    // The run the views show: the live or last finished one (null before any).
    RunDataPtr shownRun() const { return m_shown; }
    // Shows a finished or stored run in every view (not live); ignored while a run is going.
    void showRun(const RunDataPtr &run);

signals:
    void runningChanged(bool running);
    // The finished run with diagnosis applied (findings, gates, verdict), computed off the GUI thread.
    void runDiagnosed(const Preflight::RunDataPtr &run);

private:
    void setRunning(bool running);
    void onPhase(const QString &phase);
    void onAgentsWaiting(const Preflight::BarrierProgress &progress);
    void onStarted(const Preflight::RunInfo &info);
    void onSnapshot(const Preflight::IntervalSnapshotPtr &snapshot);
    void onFinished(const Preflight::RunDataPtr &run);
    void showFinishedRun(const Preflight::RunDataPtr &run);
    void diagnoseFinishedRun(const Preflight::RunDataPtr &run);
    // Runs the steps one per turn of the event loop, in order, each after a 1 ms timer so that input, the
    // other timers and repaints get through between them; dropped if another run starts or is opened (the
    // ticket of FillJob is no longer current).
    void runInTurns(std::vector<std::function<void()>> steps, quint64 ticket);
    // Another run starts or is shown: the last one's fill steps and diagnosis no longer apply.
    void dropPendingWork();
    void onFailed(const RunFailure &failure);
    void onWarning(const QString &message);
    void updateLiveGates();
    // Summarises the stages before beforeStage (all with -1) not summarised yet, and shows every level so far.
    void updateCapacity(const RunData &run, int beforeStage = -1);
    void onLatencyEndpointChanged(int endpoint);

    RunController *m_controller;
    Views m_views;
    QTimer *m_gateTimer;
    JobTracker *m_jobs;
    std::optional<GateSet> m_gates;
    RunDataPtr m_shown;
    int m_lastStage = -1;
    std::vector<LevelSummary> m_levels; // the running sweep's complete levels
    int m_summarisedStages = 0;         // stages [0, m_summarisedStages) are in m_levels
    bool m_sweep = false;
    bool m_running = false;
    bool m_waitingBanner = false; // the banner says how to start the agents the run waits for
};

} // namespace Preflight
