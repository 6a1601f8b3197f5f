#pragma once

#include "barrierprogress.h"
#include "data/errorsample.h"
#include "distributedoptions.h"
#include "intervalmerger.h"
#include "load/failuresampler.h"
#include "load/loadsource.h"
#include "segmentplan.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QTimer;
class QWebSocket;
class QWebSocketServer;

namespace Preflight {

class TlsAcceptor;

// The coordinator's side of a distributed run: accepts agents over TLS WebSockets (TlsAcceptor bounds each
// connection's handshake and how many run at once), authenticates them, measures
// their clocks, holds them at a ready barrier, assigns segments, starts them at one wall-clock instant and
// merges their interval streams (IntervalMerger). An agent that goes silent for heartbeatTimeout_ms during the
// load, disconnects or reports an error stops every agent: the run ends with what was measured and a
// LoadFailure naming the agent.
//
// Lives on one thread with an event loop (DistributedLoad's); every member is called on it. Results leave
// through the callbacks, called on that thread.
class AgentCoordinator : public QObject
{
    Q_OBJECT
public:
    explicit AgentCoordinator(const DistributedOptions &options, QObject *parent = nullptr);
    ~AgentCoordinator() override;

    std::function<void()> onReady;                           // every agent authenticated and its clock accepted
    std::function<void(const BarrierProgress &)> onProgress; // the barrier listens, an agent came, was refused or left
    std::function<void(const QString &)> onBarrierFailed;    // listening failed or the barrier timed out
    std::function<void(const QString &)> onAssigned;         // every agent took its segment (""), or why not
    std::function<void(IntervalSnapshotPtr)> onSnapshot;     // the merged stream
    std::function<void()> onFinished;                        // after the last merged interval

    // Starts listening and the barrier's timer.
    void listen();
    // Sends each ready agent its segment of the plan (`planJson`: Plan::toJson(), secrets as placeholders).
    void assign(const QJsonObject &planJson, const Schedule &schedule, const QStringList &headers,
                bool allowNonLoopback);
    // Starts every agent at `wall_ms` on the coordinator's wall clock (ms since the epoch).
    void startAt(double wall_ms);
    // 1: no new requests; 2: abandon in-flight requests.
    void stopAll(int level);
    // Ends every connection (the run was abandoned before it started).
    void closeAll(const QString &reason);

    int workerCount() const;
    // The load paths the agents reported when assigned ("curl", "raw", "curl+raw"); "" before.
    QString engineId() const;
    // The agents' failure samples folded as one engine folds its workers': equal bodies of one endpoint and status
    // are one sample with the summed count, within FailureSampler's bounds.
    std::vector<ErrorSample> errorSamples() const { return m_errorSamples.samples(); }
    LoadFailure failure() const { return m_failure; }

    static double wallClock_ms(); // the coordinator's wall clock, ms since the epoch, µs resolution

private:
    struct Agent;
    void onNewConnection();
    void onMessage(Agent *agent, const QByteArray &text);
    void onDisconnected(Agent *agent);
    void refuse(Agent *agent, const QString &reason);
    void sendPing(Agent *agent);
    void onHeartbeat();
    void onBarrierTimeout();
    void lose(Agent *agent, const QString &cause);
    void release(const std::vector<IntervalSnapshotPtr> &merged);
    void finishIfDone();
    QString describe(const Agent &agent) const;
    QString url() const;
    int readyCount() const;
    // Calls onProgress while the barrier waits, when the count of ready or refused agents changed.
    void reportProgress();

    DistributedOptions m_options;
    quint16 m_port = 0;                   // the listening port (the chosen one for port 0)
    TlsAcceptor *m_acceptor = nullptr;    // listens and runs each TLS handshake
    QWebSocketServer *m_server = nullptr; // upgrades the encrypted sockets to WebSockets
    QTimer *m_barrierTimer = nullptr;
    QTimer *m_heartbeatTimer = nullptr;
    std::vector<std::unique_ptr<Agent>> m_agents; // every connection, in arrival order
    std::vector<Agent *> m_run;                   // the agents of the run, by segment index
    QStringList m_refusals;                       // why connections were refused (no secrets)
    std::unique_ptr<IntervalMerger> m_merger;
    FailureSampler m_errorSamples;
    LoadFailure m_failure;
    QElapsedTimer m_clock; // heartbeat clock
    int m_workers = 0;
    int m_assignedCount = 0;
    QStringList m_engines; // load paths reported by the agents, sorted, distinct
    bool m_readySignalled = false;
    int m_reportedReady = -1;
    int m_reportedRefused = -1;
    bool m_started = false;
    bool m_finished = false;
    double m_startWall_ms = 0;
};

} // namespace Preflight
