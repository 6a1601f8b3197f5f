#pragma once

#include "data/intervalsnapshot.h"
#include "data/rundata.h"
#include "load/loadengine.h"
#include "plan/plan.h"

#include <QObject>
#include <QString>

#include <memory>
#include <thread>

namespace Preflight {

using RunDataPtr = std::shared_ptr<const RunData>;

// Runs one plan end to end for the CLI and the GUI alike: checks the target (reachability, health, login),
// drives the load engine, gathers every snapshot into a RunData and hands the finished run over.
//
// Lives on the thread that creates it (the GUI or the CLI's main thread) and never blocks it: network
// checks run on a helper thread, the engine on its own threads; results arrive as queued signals.
class RunController : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        EngineOptions engine;
        bool allowNonLoopback = false;  // --yes / confirmed in the GUI
    };

    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // Starts a run. Problems found before any load (bad plan, unset ${env:…}, non-loopback target without
    // confirmation, unreachable target, failed login) arrive as runFailed(message, exitCode).
    void start(const Plan &plan, const Options &options);
    // First call: no new requests (in-flight ones complete). Second call: abandon in-flight requests.
    void stop();
    bool isRunning() const { return m_running; }
    // The run so far (intervals appended as they arrive). Valid until the next start().
    const RunData &run() const { return *m_run; }

    static bool isLoopbackUrl(const QString &url);

signals:
    void phaseChanged(const QString &phase);   // "checking target", "logging in", "running", "draining"
    void runStarted(const Preflight::RunInfo &info);
    void snapshotAvailable(const Preflight::IntervalSnapshotPtr &snapshot);
    void runFinished(const Preflight::RunDataPtr &run);
    void runFailed(const QString &message, int exitCode);

private:
    struct Preparation;
    void prepare(const Plan &plan, const Options &options);
    void launch(std::shared_ptr<Preparation> preparation);
    void onSnapshot(const IntervalSnapshotPtr &snapshot);
    void onEngineFinished();
    void fail(const QString &message, int exitCode);

    std::shared_ptr<RunData> m_run;
    std::unique_ptr<LoadEngine> m_engine;
    std::thread m_preparer;
    Options m_options;
    bool m_running = false;
    int m_stopRequests = 0;
    quint64 m_generation = 0;    // drops late results of an abandoned start
};

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::RunDataPtr)
