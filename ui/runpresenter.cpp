#include "runpresenter.h"

#include "endpointtablemodel.h"
#include "errorbanner.h"
#include "errorhints.h"
#include "findingspanel.h"
#include "livedashboard.h"
#include "load/schedule.h"
#include "statusline.h"

namespace Preflight {

RunPresenter::RunPresenter(RunController *controller, const Views &views, QObject *parent)
    : QObject(parent), m_controller(controller), m_views(views)
{
    connect(controller, &RunController::phaseChanged, this, &RunPresenter::onPhase);
    connect(controller, &RunController::runStarted, this, &RunPresenter::onStarted);
    connect(controller, &RunController::snapshotAvailable, this, &RunPresenter::onSnapshot);
    connect(controller, &RunController::runFinished, this, &RunPresenter::onFinished);
    connect(controller, &RunController::runFailed, this, &RunPresenter::onFailed);
}

void RunPresenter::prepare(const Plan &plan)
{
    QStringList labels;
    for (const EndpointSpec &e : plan.endpoints)
        labels << (e.name.isEmpty() ? e.label() : e.name);
    m_views.endpoints->setEndpoints(labels);
    m_views.dashboard->setGatePreset(plan.gates);
    m_views.dashboard->reset(Schedule::compile(plan.scenario).duration_s());
    m_views.status->reset();
    m_views.findings->clear(tr("The run is going; findings appear when it finishes."));
    setRunning(true);
}

void RunPresenter::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    m_views.dashboard->setLive(running);
    emit runningChanged(running);
}

void RunPresenter::onPhase(const QString &phase)
{
    m_views.status->setPhase(phase == QLatin1String("draining") ? tr("draining (Stop again to abort)") : phase);
}

void RunPresenter::onStarted(const RunInfo &)
{
    m_views.dashboard->setLive(true);
}

void RunPresenter::onSnapshot(const IntervalSnapshotPtr &snapshot)
{
    m_views.dashboard->addSnapshot(snapshot);
    m_views.endpoints->addSnapshot(snapshot);
    m_views.status->addSnapshot(snapshot);
}

void RunPresenter::onFinished(const RunDataPtr &run)
{
    m_views.dashboard->flush();
    m_views.status->setPhase(tr("finished: %1").arg(runStatusId(run->info.status)));
    m_views.findings->setRun(*run);
    setRunning(false);
}

void RunPresenter::onFailed(const QString &message, int exitCode)
{
    m_views.dashboard->flush();
    m_views.status->setPhase(tr("failed"));
    m_views.findings->clear(tr("The run did not start. See the message above the charts."));
    m_views.banner->showMessage(ErrorBanner::Kind::Error, message, ErrorHints::suggestedFix(message, exitCode));
    setRunning(false);
}

} // namespace Preflight
