#include "runpresenter.h"

#include "errorsview.h"

#include "capacitychart.h"
#include "diagnosis/capacitymodel.h"
#include "diagnosis/diagnoser.h"
#include "diagnosis/levelsummary.h"
#include "endpointtablemodel.h"
#include "errorbanner.h"
#include "findingspanel.h"
#include "gatechips.h"
#include "jobtracker.h"
#include "livedashboard.h"
#include "load/schedule.h"
#include "queryinspector.h"
#include "rungates.h"
#include "statusline.h"
#include "timeserieschart.h"

#include <QTimer>

#include <utility>

namespace Preflight {

namespace {
// The end of a run fills the views in turns, then diagnoses it: both are dropped when another run starts or is
// opened.
enum Job { FillJob, DiagnosisJob };
} // namespace

RunPresenter::RunPresenter(RunController *controller, const Views &views, QObject *parent)
    : QObject(parent), m_controller(controller), m_views(views), m_gateTimer(new QTimer(this)),
      m_jobs(new JobTracker(this))
{
    m_gateTimer->setInterval(1000);
    connect(m_gateTimer, &QTimer::timeout, this, &RunPresenter::updateLiveGates);
    connect(controller, &RunController::dbSampleAvailable, views.dashboard, &LiveDashboard::addDbSample);
    connect(controller, &RunController::poolSampleAvailable, views.dashboard, &LiveDashboard::addPoolSample);
    connect(controller, &RunController::warningRaised, this, &RunPresenter::onWarning);
    connect(views.dashboard, &LiveDashboard::latencyEndpointChanged, this, &RunPresenter::onLatencyEndpointChanged);
    connect(controller, &RunController::phaseChanged, this, &RunPresenter::onPhase);
    connect(controller, &RunController::agentsWaiting, this, &RunPresenter::onAgentsWaiting);
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
    m_views.dashboard->setEndpoints(labels);
    // The run's gate set (a custom gates file included), as the run controller judges the run by it.
    m_gates = RunGates::forPlan(plan);
    m_views.dashboard->setGates(*m_gates);
    m_views.dashboard->reset(Schedule::compile(plan.scenario).duration_s());
    m_views.status->reset();
    m_views.findings->clear(tr("The run is going; findings appear when it finishes."));
    if (m_views.queries)
        m_views.queries->clear(tr("The run is going; its queries appear when it finishes (after the profiling pass)."));
    m_sweep = plan.scenario.preset == QLatin1String("sweep");
    m_lastStage = -1;
    m_levels.clear();
    m_summarisedStages = 0;
    m_waitingBanner = false;
    m_shown.reset();
    dropPendingWork();
    setRunning(true);
}

void RunPresenter::showRun(const RunDataPtr &run)
{
    if (m_running || !run)
        return;
    dropPendingWork();
    m_shown = run;
    // A run diagnosed when it was stored shows the thresholds of its gate checks; one never diagnosed those of its
    // plan's gate set.
    m_views.dashboard->setGates(RunGates::forPlan(run->plan, run->gate_preset));
    m_views.dashboard->showRun(*run);
    m_views.endpoints->setRun(*run);
    m_views.findings->setRun(*run);
    if (m_views.errors)
        m_views.errors->setRun(*run);
    if (m_views.queries)
        m_views.queries->setRun(run);
    m_views.status->reset();
    m_views.status->setPhase(tr("stored run: %1 (%2)").arg(run->info.name, runStatusId(run->info.status)));
}

void RunPresenter::onWarning(const QString &message)
{
    m_views.banner->showMessage(ErrorBanner::Kind::Warning, message);
}

void RunPresenter::updateLiveGates()
{
    if (!m_running || !m_gates)
        return;
    // evaluateLive only reads the intervals of the last window; the vector is the controller's, on this thread.
    m_views.dashboard->gateChips()->setChecks(m_gates->evaluateLive(m_controller->run().intervals, 10),
                                              tr("Gates, live (last 10 s):"));
}

void RunPresenter::updateCapacity(const RunData &run, int beforeStage)
{
    // Each stage is summarised once, when it is complete: summarising the whole run again at every level
    // stalled the GUI thread for 130-200 ms an hour into a 50-endpoint run (docs/benchmarks.md).
    const int end = beforeStage < 0 ? int(run.stages.size()) : std::min(beforeStage, int(run.stages.size()));
    for (; m_summarisedStages < end; ++m_summarisedStages)
        if (std::optional<LevelSummary> level =
                summarizeLevel(run, run.stages[size_t(m_summarisedStages)], LevelDetail::Totals))
            m_levels.push_back(std::move(*level));
    std::vector<LevelSummary> levels = m_levels;
    fillEffectiveParallelism(levels);
    m_views.dashboard->capacityChart()->setLevels(levels, buildCapacityModel(levels));
}

void RunPresenter::onLatencyEndpointChanged(int)
{
    if (m_running)
        m_views.dashboard->replayLatency(m_controller->run().intervals);
    else if (m_shown)
        m_views.dashboard->replayLatency(m_shown->intervals);
}

void RunPresenter::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    m_views.dashboard->setLive(running);
    if (running)
        m_gateTimer->start();
    else
        m_gateTimer->stop();
    emit runningChanged(running);
}

void RunPresenter::onPhase(const QString &phase)
{
    m_views.status->setPhase(phase == QLatin1String("draining") ? tr("draining (Stop again to abort)") : phase);
}

void RunPresenter::onAgentsWaiting(const BarrierProgress &progress)
{
    m_views.status->setPhase(progress.describe() + QStringLiteral("…"));
    const QString port = progress.listen.section(QLatin1Char(':'), -1);
    m_views.banner->showMessage(
        ErrorBanner::Kind::Info, progress.describe() + QStringLiteral("…"),
        tr("On each agent host: preflight agent --coordinator wss://THIS-HOST:%1 --ca-file CA.pem --agent-token-file "
           "TOKEN-FILE (docs/distributed.md). Stop cancels the wait.")
            .arg(port));
    m_waitingBanner = true;
}

void RunPresenter::onStarted(const RunInfo &)
{
    m_views.dashboard->setLive(true);
    if (std::exchange(m_waitingBanner, false))
        m_views.banner->dismiss();
}

void RunPresenter::onSnapshot(const IntervalSnapshotPtr &snapshot)
{
    m_views.dashboard->addSnapshot(snapshot);
    m_views.endpoints->addSnapshot(snapshot);
    m_views.status->addSnapshot(snapshot);
    // A new sweep level: the previous one is complete, so the capacity chart gains a point. Summarising the
    // run so far merges its histograms once per level (a few ms), not per tick.
    if (m_sweep && snapshot && snapshot->stage_index != m_lastStage) {
        m_lastStage = snapshot->stage_index;
        updateCapacity(m_controller->run(), snapshot->stage_index);
    }
}

void RunPresenter::dropPendingWork()
{
    m_jobs->cancel(FillJob);
    m_jobs->cancel(DiagnosisJob);
}

void RunPresenter::runInTurns(std::vector<std::function<void()>> steps, quint64 ticket)
{
    if (steps.empty())
        return;
    // A timer, not a queued call: Qt delivers posted events that are posted while it delivers others in the
    // same turn, so queued steps ran back to back (measured: one 63 ms turn of 142 events).
    QTimer::singleShot(1, this, [this, steps = std::move(steps), ticket]() mutable {
        if (!m_jobs->isCurrent(FillJob, ticket))
            return;
        steps.front()();
        steps.erase(steps.begin());
        runInTurns(std::move(steps), ticket);
    });
}

// The end of a run fills every view from the whole run. Each view is filled on its own turn of the event
// loop, so that input, timers and repaints get through between them: together they took one 58 ms turn at
// the end of the 1-hour replay (docs/benchmarks.md, "GUI"), over the 50 ms the GUI thread may be blocked.
void RunPresenter::onFinished(const RunDataPtr &run)
{
    if (std::exchange(m_waitingBanner, false))
        m_views.banner->dismiss(); // stopped at the barrier
    m_views.dashboard->flush();
    m_views.status->setPhase(tr("finished: %1").arg(runStatusId(run->info.status)));
    // A distributed run that lost an agent is kept (aborted, with what was measured); the banner says which agent.
    if (const LoadFailure lost = m_controller->loadFailure(); lost.kind == LoadFailure::Kind::AgentLost)
        m_views.banner->showMessage(ErrorBanner::Kind::Error, lost.message,
                                    tr("What was measured until then is stored; start the run again once every agent "
                                       "is back."));
    m_shown = run;
    setRunning(false);
    runInTurns({[this, run] { m_views.findings->setRun(*run); }, [this, run] { showFinishedRun(run); },
                [this, run] { updateCapacity(*run); }, [this, run] { diagnoseFinishedRun(run); }},
               m_jobs->begin(FillJob));
}

void RunPresenter::showFinishedRun(const RunDataPtr &run)
{
    if (m_views.errors)
        m_views.errors->setRun(*run);
    if (m_views.queries)
        m_views.queries->setRun(run);
    m_views.endpoints->setQueriesPerRequest(EndpointTableModel::queriesPerRequest(*run));
}

void RunPresenter::diagnoseFinishedRun(const RunDataPtr &run)
{
    if (!run->verdict.isEmpty()) {
        m_views.dashboard->gateChips()->setChecks(run->gates, tr("Gates (verdict: %1):").arg(run->verdict));
        emit runDiagnosed(run);
        return;
    }
    if (run->intervals.empty())
        return;
    // Diagnosis is pure but not free (USL fit, every rule): a worker thread, never the GUI thread
    // (docs/architecture.md).
    m_jobs->start(
        DiagnosisJob,
        [run]() -> RunDataPtr {
            auto diagnosed = std::make_shared<RunData>(*run);
            const GateSet gates = RunGates::forPlan(diagnosed->plan, diagnosed->gate_preset);
            applyDiagnosis(analyze(*diagnosed, gates), diagnosed.get());
            return diagnosed;
        },
        [this](const RunDataPtr &diagnosed) {
            m_views.findings->setRun(*diagnosed);
            if (m_views.queries)
                m_views.queries->setRun(diagnosed); // the N+1 marks come from the findings
            m_views.dashboard->gateChips()->setChecks(diagnosed->gates,
                                                      tr("Gates (verdict: %1):").arg(diagnosed->verdict));
            m_shown = diagnosed;
            emit runDiagnosed(diagnosed);
        });
}

void RunPresenter::onFailed(const RunFailure &failure)
{
    m_waitingBanner = false; // the failure replaces it
    m_views.dashboard->flush();
    m_views.status->setPhase(tr("failed"));
    m_views.findings->clear(tr("The run did not start. See the message above the charts."));
    if (m_views.queries)
        m_views.queries->clear(tr("The run did not start, so there are no queries. See the message above the charts."));
    // The failure names its own fix (docs/architecture.md): the banner shows it as it comes.
    m_views.banner->showMessage(ErrorBanner::Kind::Error, failure.message, failure.fix);
    setRunning(false);
}

} // namespace Preflight
