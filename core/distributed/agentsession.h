#pragma once

#include "load/loadengine.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

class QTimer;
class QWebSocket;

namespace Preflight {

struct AgentOptions
{
    QUrl coordinator; // wss://host:port
    QByteArray token;
    QString caFile;                // CA that signed the coordinator's certificate; empty: the system's
    QString name;                  // shown by the coordinator; default: the host name
    int workers = 0;               // load threads offered; 0: cores − 1
    int connectTimeout_ms = 60000; // keep dialling this long (the coordinator may start later)
    double clockSkew_ms = 0;       // tests only (PREFLIGHT_AGENT_CLOCK_SKEW_MS): added to every wall-clock reading
    // Once authenticated, the agent pings the coordinator (WebSocket ping frames) every 500 ms; a coordinator
    // that answers nothing for this long (its process hangs, the network drops without a reset) is lost and
    // the load is abandoned: an agent never keeps loading a target for a coordinator that is gone.
    int coordinatorSilence_ms = 2000;
};

// `preflight agent`: one run's load on behalf of a coordinator. Dials it over TLS, checks that it knows the token
// before proving its own knowledge, answers clock pings, takes its segment (the plan's safety rules checked
// here too: validated limits, a non-loopback target only if the coordinator's user allowed it), starts at the
// coordinator's instant and streams every interval, error samples and done. Keeps no store; prints no secret.
// A coordinator that disconnects mid-run aborts the load at once; one that stops answering pings for
// AgentOptions::coordinatorSilence_ms aborts it then.
//
// Lives on the thread that creates it (the agent's main thread).
class AgentSession : public QObject
{
    Q_OBJECT
public:
    enum Exit { Done = 0, Refused = 2, Unreachable = 3, Lost = 5 };

    explicit AgentSession(const AgentOptions &options, QObject *parent = nullptr);
    ~AgentSession() override;

    void start();
    // Ctrl-C on the agent: abandon the load.
    void abortRun();

signals:
    void logMessage(const QString &message);
    void finished(int exitCode, const QString &message);

private:
    void connectNow();
    void onConnected();
    void onMessage(const QString &text);
    void onDisconnected();
    void send(const QJsonObject &message);
    void fail(int exitCode, const QString &message);
    QString takeAssignment(const QJsonObject &message);
    void onEngineFinished();
    void checkCoordinator();
    double wallClock_ms() const;

    AgentOptions m_options;
    QWebSocket *m_socket = nullptr;
    QTimer *m_retry = nullptr;
    QTimer *m_startTimer = nullptr;
    QTimer *m_watchdog = nullptr; // pings the coordinator; see AgentOptions::coordinatorSilence_ms
    qint64 m_lastHeard_ms = 0;    // the coordinator's last message or pong (QDateTime ms)
    qint64 m_deadline_ms = 0;
    QByteArray m_nonce;
    bool m_authenticated = false;
    bool m_finished = false;
    bool m_running = false;
    std::unique_ptr<LoadEngine> m_engine;
    std::shared_ptr<RequestFactory> m_factory;
    EngineClock::time_point m_start;
};

} // namespace Preflight
