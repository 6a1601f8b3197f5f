#pragma once

#include "data/dbsample.h"
#include "data/intervalsnapshot.h"
#include "data/rundataptr.h"
#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "distributed/barrierprogress.h"
#include "distributed/distributedoptions.h"
#include "load/loadengine.h"
#include "plan/plan.h"
#include "runfailure.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace Preflight {

class DatabaseSession;
class DistributedLoad;
class DbSampler;
class PoolSampler;
class RunRecorder;

using DiagnosisPtr = std::shared_ptr<const Diagnosis>;

// Runs one plan end to end for the CLI and the GUI alike (docs/architecture.md):
//  1. checks on a helper thread: the plan's gates, the target (reachability, health, login), the database
//     (capabilities, pg_stat_statements before the load);
//  2. the load: engine, DB sampler and pool sampler on one clock, every sample recorded in the run store
//     as it arrives, the safety guards watched on every tick;
//  3. after the load, on a helper thread: pg_stat_statements deltas, the profiling pass, plans, diagnosis,
//     gates and verdict; then the run is finished in the store and handed over with runFinished.
//
// Lives on the thread that creates it (the GUI or the CLI's main thread) and never blocks it; results
// arrive as queued signals.
class RunController : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        EngineOptions engine;
        bool allowNonLoopback = false; // --yes / confirmed in the GUI
        bool store = true;             // record the run in the run store
        QString storePath;             // empty: RunStore::defaultPath()
        // agents > 0: the load comes from that many `preflight agent` processes (core/distributed)
        DistributedOptions distributed;
    };

    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // Starts a run. Problems found before any load (bad plan, unset ${env:…}, non-loopback target without
    // confirmation, unreachable target, failed login, database, run store) arrive as runFailed(failure), always
    // queued (after start() returns). A run that starts ends with runFinished, whatever its status.
    void start(const Plan &plan, const Options &options);
    // First call: no new requests (in-flight ones complete). Second call: abandon in-flight requests.
    void stop();
    bool isRunning() const { return m_running; }
    // The run so far (intervals appended as they arrive). Valid until the next start().
    const RunData &run() const { return *m_run; }
    // The analysis of the last finished run (levels, capacity model, findings, gates); null before.
    DiagnosisPtr diagnosis() const { return m_diagnosis; }
    // Why the load of the last run ended by itself (a distributed run lost an agent); Kind::None otherwise.
    LoadFailure loadFailure() const { return m_loadFailure; }

    static bool isLoopbackUrl(const QString &url);

signals:
    // "checking target", "running", "draining", "aborting", "profiling", "analysing"
    void phaseChanged(const QString &phase);
    void runStarted(const Preflight::RunInfo &info);
    void snapshotAvailable(const Preflight::IntervalSnapshotPtr &snapshot);
    void dbSampleAvailable(const Preflight::DbSample &sample);
    void poolSampleAvailable(const Preflight::PoolSample &sample);
    // A distributed run waits at its ready barrier (after "checking target"): where it listens, how many agents
    // came. Emitted when it starts listening and whenever an agent is ready, refused or leaves before the load.
    void agentsWaiting(const Preflight::BarrierProgress &progress);
    // A problem that does not stop the run (pool endpoint broken, DB sampler lost its connection, …).
    void warningRaised(const QString &message);
    void runFinished(const Preflight::RunDataPtr &run);
    void runFailed(const Preflight::RunFailure &failure);

private:
    struct Preparation;
    void launch(std::shared_ptr<Preparation> preparation);
    void onSnapshot(const IntervalSnapshotPtr &snapshot);
    void onDbSample(const DbSample &sample);
    void onPoolSample(const PoolSample &sample);
    void onEngineFinished();
    void onAnalysed(std::shared_ptr<RunData> run, DiagnosisPtr diagnosis);
    void fail(const RunFailure &failure);
    void stopSamplers();
    void joinHelpers();

    std::shared_ptr<RunData> m_run;
    std::shared_ptr<LoadSource> m_engine;           // a LoadEngine, or a DistributedLoad with --agents
    std::shared_ptr<DistributedLoad> m_distributed; // while its agents are being gathered (stop() cancels)
    std::mutex m_distributedMutex;
    bool m_stoppedBeforeLoad = false; // stop() before the load started; guarded by m_distributedMutex
    LoadFailure m_loadFailure;
    std::shared_ptr<RequestFactory> m_factory;
    std::shared_ptr<DatabaseSession> m_database;
    std::unique_ptr<DbSampler> m_dbSampler;
    std::unique_ptr<PoolSampler> m_poolSampler;
    std::unique_ptr<RunRecorder> m_recorder;
    std::optional<GateSet> m_gates;
    DiagnosisPtr m_diagnosis;
    std::thread m_preparer;
    std::thread m_analyser;
    std::atomic<bool> m_analysisStop{false};
    Options m_options;
    bool m_running = false;
    bool m_guardTripped = false;
    bool m_loadFinished = false; // the engine finished: m_run is read-only (the analyser thread copies it)
    int m_stopRequests = 0;
    quint64 m_generation = 0; // drops late results of an abandoned start
};

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::DiagnosisPtr)
