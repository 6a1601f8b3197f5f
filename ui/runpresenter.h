#pragma once

#include "data/intervalsnapshot.h"
#include "plan/plan.h"
#include "run/runcontroller.h"

#include <QObject>

namespace Preflight {

class ErrorBanner;
class EndpointTableModel;
class FindingsPanel;
class LiveDashboard;
class StatusLine;

// Fans the RunController's signals out to the views of the main window: dashboard, endpoint table,
// status line, findings and the error banner. Holds no state of its own beyond "is a run going".
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
    };

    RunPresenter(RunController *controller, const Views &views, QObject *parent = nullptr);

    // Resets every view for a run of this plan (endpoint rows, gate lines, time axis).
    void prepare(const Plan &plan);
    bool isRunning() const { return m_running; }

signals:
    void runningChanged(bool running);
    // The finished run with diagnosis applied (findings, gates, verdict), computed off the GUI thread.
    void runDiagnosed(const Preflight::RunDataPtr &run);

private:
    void setRunning(bool running);
    void onPhase(const QString &phase);
    void onStarted(const Preflight::RunInfo &info);
    void onSnapshot(const Preflight::IntervalSnapshotPtr &snapshot);
    void onFinished(const Preflight::RunDataPtr &run);
    void onFailed(const QString &message, int exitCode);

    RunController *m_controller;
    Views m_views;
    bool m_running = false;
    quint64 m_generation = 0;   // drops a diagnosis that arrives after the next run started
};

} // namespace Preflight
