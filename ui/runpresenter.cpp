#include "runpresenter.h"

#include "endpointtablemodel.h"
#include "errorbanner.h"
#include "errorhints.h"
#include "findingspanel.h"
#include "livedashboard.h"
#include "load/schedule.h"
#include "statusline.h"
#include "diagnosis/diagnoser.h"

#include <QtConcurrent/QtConcurrentRun>

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
    ++m_generation;
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
    if (!run->verdict.isEmpty() || run->intervals.empty())
        return;
    // Diagnosis is pure but not free (USL fit, every rule): a worker thread, never the GUI thread (STYLE §8).
    const quint64 generation = m_generation;
    QtConcurrent::run([run]() -> RunDataPtr {
        auto diagnosed = std::make_shared<RunData>(*run);
        QString error;
        std::optional<GateSet> gates = GateSet::fromPlan(diagnosed->plan, &error);
        if (!gates)
            gates = GateSet::preset(QStringLiteral("launch"));
        if (gates)
            applyDiagnosis(analyze(*diagnosed, *gates), diagnosed.get());
        return diagnosed;
    }).then(this, [this, generation](RunDataPtr diagnosed) {
        if (generation != m_generation)
            return;
        m_views.findings->setRun(*diagnosed);
        emit runDiagnosed(diagnosed);
    });
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
