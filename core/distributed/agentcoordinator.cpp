#include "agentcoordinator.h"

#include "agentprotocol.h"
#include "distributedsetup.h"
#include "tlsacceptor.h"

#include <QJsonArray>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <chrono>
#include <cmath>

namespace Preflight {

namespace {
constexpr int kClockPings = 8;
// A busy coordinator (many agents joining at once) or agent delays pongs; the offset estimate is only good to
// half the round trip, so pinging goes on, up to this many pings, until a round trip short enough to judge it.
constexpr int kMaxClockPings = 40;
// At most this many agents or refusals are named in one message; the rest are counted.
constexpr int kNamedInMessage = 5;

QString listed(const QStringList &items, const QString &separator)
{
    if (items.size() <= kNamedInMessage)
        return items.join(separator);
    return items.mid(0, kNamedInMessage).join(separator) +
           QStringLiteral("%1and %2 more").arg(separator).arg(items.size() - kNamedInMessage);
}

QString key(const char *k)
{
    return QString::fromLatin1(k);
}
} // namespace

struct AgentCoordinator::Agent
{
    enum class State { Hello, Challenged, Clock, Ready, Assigned, Running, Done, Lost, Refused };
    QWebSocket *socket = nullptr;
    State state = State::Hello;
    QString name;
    QString address;
    int workers = 1;
    QByteArray agentNonce;
    QByteArray coordinatorNonce;
    int pongs = 0;
    double bestRtt_ms = 1e18;
    double offset_ms = 0; // agent clock − coordinator clock
    int segment = -1;
    qint64 lastSeen_ms = 0;
};

AgentCoordinator::AgentCoordinator(const DistributedOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_port(options.port)
{
    m_clock.start();
}

AgentCoordinator::~AgentCoordinator()
{
    for (auto &a : m_agents)
        if (a->socket)
            a->socket->abort();
}

double AgentCoordinator::wallClock_ms()
{
    using namespace std::chrono;
    return duration<double, std::milli>(system_clock::now().time_since_epoch()).count();
}

QString AgentCoordinator::url() const
{
    return QStringLiteral("wss://%1:%2").arg(m_options.listenHost).arg(m_port);
}

void AgentCoordinator::listen()
{
    // Checked before the run (DistributedSetup::check); read again here, where it is used.
    QList<QSslCertificate> chain;
    QSslKey sslKey;
    DistributedSetup::Problem problem;
    if (!DistributedSetup::readTlsIdentity(m_options.certFile, m_options.keyFile, DistributedSetup::FieldNames::flags(),
                                           &chain, &sslKey, &problem)) {
        onBarrierFailed(problem.message);
        return;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(sslKey);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // agents prove themselves with the token, not a certificate
    tls.setProtocol(QSsl::TlsV1_2OrLater);

    // The WebSocket server only upgrades sockets that TlsAcceptor has encrypted: it neither listens nor runs TLS, so
    // Qt 6.4's QSslServer (SecureMode), which crashed when handshakes timed out under load (issue 17), is not used.
    m_server = new QWebSocketServer(QStringLiteral("preflight"), QWebSocketServer::NonSecureMode, this);
    m_server->setMaxPendingConnections(std::max(30, m_options.agents * 2));
    connect(m_server, &QWebSocketServer::newConnection, this, &AgentCoordinator::onNewConnection);
    m_acceptor = new TlsAcceptor(tls, m_options.handshakeTimeout_ms, m_options.maxPendingHandshakes, this);
    m_acceptor->setListenBacklogSize(std::max(50, m_options.agents * 2)); // all N may dial at once
    m_acceptor->onEncrypted = [this](QSslSocket *socket) { m_server->handleConnection(socket); };
    if (!m_acceptor->listen(QHostAddress(m_options.listenHost), m_options.port)) {
        onBarrierFailed(
            QStringLiteral("cannot listen for agents on %1: %2; choose another listen address (HOST:PORT, --listen)")
                .arg(url(), m_acceptor->errorString()));
        return;
    }
    m_port = m_acceptor->serverPort(); // the chosen one when asked for port 0
    m_barrierTimer = new QTimer(this);
    m_barrierTimer->setSingleShot(true);
    connect(m_barrierTimer, &QTimer::timeout, this, &AgentCoordinator::onBarrierTimeout);
    m_barrierTimer->start(m_options.readyTimeout_ms);
    reportProgress();
}

void AgentCoordinator::reportProgress()
{
    if (m_readySignalled || !m_barrierTimer || !onProgress)
        return;
    const int ready = readyCount();
    const int refused = int(m_refusals.size());
    if (ready == m_reportedReady && refused == m_reportedRefused)
        return;
    m_reportedReady = ready;
    m_reportedRefused = refused;
    const QString host = m_options.listenHost.contains(QLatin1Char(':'))
                             ? QLatin1Char('[') + m_options.listenHost + QLatin1Char(']')
                             : m_options.listenHost;
    onProgress({m_options.agents, ready, refused, host + QLatin1Char(':') + QString::number(m_port)});
}

void AgentCoordinator::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        m_acceptor->settle(socket->peerAddress(), socket->peerPort()); // upgraded: its handshake deadline ends
        auto agent = std::make_unique<Agent>();
        agent->socket = socket;
        agent->address = socket->peerAddress().toString();
        socket->setParent(this);
        Agent *raw = agent.get();
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, raw](const QString &text) { onMessage(raw, text.toUtf8()); });
        connect(socket, &QWebSocket::disconnected, this, [this, raw] { onDisconnected(raw); });
        m_agents.push_back(std::move(agent));
        if (m_readySignalled)
            refuse(raw, QStringLiteral("this run already has its %1 agents").arg(m_options.agents));
    }
}

QString AgentCoordinator::describe(const Agent &agent) const
{
    const QString who =
        agent.name.isEmpty() ? agent.address : agent.name + QStringLiteral(" (") + agent.address + QLatin1Char(')');
    return agent.segment >= 0 ? QStringLiteral("agent %1, %2").arg(agent.segment).arg(who) : who;
}

int AgentCoordinator::readyCount() const
{
    return int(
        std::count_if(m_agents.begin(), m_agents.end(), [](const auto &a) { return a->state == Agent::State::Ready; }));
}

void AgentCoordinator::refuse(Agent *agent, const QString &reason)
{
    if (agent->state == Agent::State::Refused)
        return;
    agent->state = Agent::State::Refused;
    m_refusals << describe(*agent) + QStringLiteral(": ") + reason;
    agent->socket->sendTextMessage(
        QString::fromUtf8(AgentProtocol::encode(QJsonObject{{key("type"), key("error")}, {key("message"), reason}})));
    agent->socket->flush();
    agent->socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("refused"));
    reportProgress();
}

void AgentCoordinator::sendPing(Agent *agent)
{
    agent->socket->sendTextMessage(
        QString::fromUtf8(AgentProtocol::encode(QJsonObject{{key("type"), key("ping")}, {key("t0"), wallClock_ms()}})));
    agent->socket->flush(); // t0 is the moment it leaves, not when the event loop next writes
}

void AgentCoordinator::onMessage(Agent *agent, const QByteArray &text)
{
    agent->lastSeen_ms = m_clock.elapsed();
    const auto message = AgentProtocol::decode(text);
    if (!message)
        return refuse(agent, QStringLiteral("sent a message that is not Preflight's protocol"));
    const QString type = message->value(QLatin1String("type")).toString();
    const QByteArray token = m_options.token;
    using State = Agent::State;

    if (type == QLatin1String("error")) {
        const QString reason = message->value(QLatin1String("message")).toString().left(500);
        if (agent->state == State::Running || agent->state == State::Assigned)
            return lose(agent, QStringLiteral("%1 failed: %2").arg(describe(*agent), reason));
        if (agent->state == State::Ready && m_readySignalled && !m_started && onAssigned) {
            agent->state = State::Refused;
            m_refusals << describe(*agent) + QStringLiteral(": ") + reason;
            return onAssigned(QStringLiteral("%1 refused its segment: %2").arg(describe(*agent), reason));
        }
        agent->state = State::Refused;
        m_refusals << describe(*agent) + QStringLiteral(": ") + reason;
        return reportProgress();
    }
    switch (agent->state) {
    case State::Hello: {
        if (type != QLatin1String("hello"))
            return refuse(agent, QStringLiteral("expected hello"));
        if (message->value(QLatin1String("version")).toInt() != AgentProtocol::kVersion)
            return refuse(agent, QStringLiteral("protocol version %1, the coordinator speaks %2: run the same "
                                                "Preflight version everywhere")
                                     .arg(message->value(QLatin1String("version")).toInt())
                                     .arg(AgentProtocol::kVersion));
        agent->name = message->value(QLatin1String("name")).toString().left(100);
        agent->workers = std::max(1, message->value(QLatin1String("workers")).toInt(1));
        agent->agentNonce = message->value(QLatin1String("nonce")).toString().toLatin1();
        if (agent->agentNonce.size() < 32)
            return refuse(agent, QStringLiteral("hello without a nonce"));
        agent->coordinatorNonce = AgentProtocol::newNonce();
        agent->state = State::Challenged;
        agent->socket->sendTextMessage(QString::fromUtf8(AgentProtocol::encode(
            QJsonObject{{key("type"), key("challenge")},
                        {key("nonce"), QString::fromLatin1(agent->coordinatorNonce)},
                        {key("proof"), QString::fromLatin1(AgentProtocol::proof(token, "coordinator", agent->agentNonce,
                                                                                agent->coordinatorNonce))}})));
        return;
    }
    case State::Challenged: {
        const QByteArray expected = AgentProtocol::proof(token, "agent", agent->coordinatorNonce, agent->agentNonce);
        if (type != QLatin1String("auth") ||
            !AgentProtocol::sameProof(message->value(QLatin1String("proof")).toString().toLatin1(), expected))
            return refuse(agent, QStringLiteral("wrong agent token (the agent's token differs from the "
                                                "coordinator's)"));
        agent->state = State::Clock;
        agent->socket->sendTextMessage(
            QString::fromUtf8(AgentProtocol::encode(QJsonObject{{key("type"), key("welcome")}})));
        return sendPing(agent);
    }
    case State::Clock: {
        if (type != QLatin1String("pong"))
            return refuse(agent, QStringLiteral("expected pong"));
        // NTP's estimate: the agent read t1 halfway through the round trip t0 → t2.
        const double t2 = wallClock_ms();
        const double t0 = message->value(QLatin1String("t0")).toDouble();
        const double t1 = message->value(QLatin1String("t1")).toDouble();
        const double rtt = t2 - t0;
        if (rtt >= 0 && rtt < agent->bestRtt_ms) {
            agent->bestRtt_ms = rtt;
            agent->offset_ms = t1 - (t0 + t2) / 2;
        }
        // The true offset lies within ±rtt/2 of the estimate: keep pinging while that is wider than the bound.
        ++agent->pongs;
        if (agent->pongs < kClockPings ||
            (agent->pongs < kMaxClockPings && agent->bestRtt_ms / 2 > m_options.maxClockOffset_ms))
            return sendPing(agent);
        // Refused only for a skew the measurement proves: even the nearest offset the round trip allows is beyond
        // the bound. An agent on a busy host whose round trips stay long is not refused for the delay itself.
        if (std::abs(agent->offset_ms) - agent->bestRtt_ms / 2 > m_options.maxClockOffset_ms)
            return refuse(agent, QStringLiteral("its clock is %1 ms off the coordinator's (round trip %2 ms); more "
                                                "than %3 ms would misalign the 250 ms intervals: synchronise both "
                                                "clocks (chrony / systemd-timesyncd)")
                                     .arg(agent->offset_ms, 0, 'f', 1)
                                     .arg(agent->bestRtt_ms, 0, 'f', 1)
                                     .arg(m_options.maxClockOffset_ms));
        if (m_readySignalled)
            return refuse(agent, QStringLiteral("this run already has its %1 agents").arg(m_options.agents));
        agent->state = State::Ready;
        if (readyCount() == m_options.agents) {
            m_readySignalled = true;
            m_barrierTimer->stop();
            for (auto &a : m_agents)
                if (a->state == State::Ready)
                    m_run.push_back(a.get());
            if (onReady)
                onReady();
            return;
        }
        return reportProgress();
    }
    case State::Ready:
        if (type == QLatin1String("assigned")) {
            agent->state = State::Assigned;
            // Each agent resolves target.engine "auto" on its own machine (a proxy there means libcurl).
            const QString engine = message->value(QLatin1String("engine")).toString();
            if (!engine.isEmpty() && !m_engines.contains(engine)) {
                m_engines << engine;
                m_engines.sort();
            }
            if (++m_assignedCount == int(m_run.size()) && onAssigned)
                onAssigned(QString());
        }
        return;
    case State::Assigned:
    case State::Running: {
        if (type == QLatin1String("snapshot")) {
            const auto interval = AgentProtocol::intervalFrom(message->value(QLatin1String("interval")).toObject());
            if (!interval)
                return lose(agent, QStringLiteral("%1 sent an interval that cannot be read").arg(describe(*agent)));
            return release(m_merger->add(agent->segment, std::make_shared<IntervalSnapshot>(*interval)));
        }
        if (type == QLatin1String("error_samples")) {
            for (const QJsonValue &v : message->value(QLatin1String("samples")).toArray())
                m_errorSamples.offer(AgentProtocol::errorSampleFrom(v.toObject())); // scrubbed on the agent already
            return;
        }
        if (type == QLatin1String("done")) {
            agent->state = State::Done;
            release(m_merger->finish(agent->segment));
            return finishIfDone();
        }
        return;
    }
    default:
        return;
    }
}

void AgentCoordinator::onDisconnected(Agent *agent)
{
    using State = Agent::State;
    if ((agent->state == State::Ready || agent->state == State::Assigned) && m_readySignalled && !m_started) {
        agent->state = State::Lost;
        if (onAssigned)
            onAssigned(QStringLiteral("%1 disconnected before the run started").arg(describe(*agent)));
        return;
    }
    if (agent->state == State::Running || agent->state == State::Assigned)
        return lose(agent, QStringLiteral("%1 disconnected during the run").arg(describe(*agent)));
    if (agent->state == State::Hello || agent->state == State::Challenged || agent->state == State::Clock)
        m_refusals << describe(*agent) + QStringLiteral(": disconnected during the handshake");
    if (agent->state != State::Done && agent->state != State::Refused)
        agent->state = State::Lost;
    reportProgress();
}

void AgentCoordinator::onBarrierTimeout()
{
    if (m_readySignalled)
        return;
    QStringList ready;
    for (auto &a : m_agents)
        if (a->state == Agent::State::Ready)
            ready << describe(*a);
    QString message = QStringLiteral("waited %1 s for %2 agents at %3; %4 ready")
                          .arg(m_options.readyTimeout_ms / 1000.0)
                          .arg(m_options.agents)
                          .arg(url())
                          .arg(ready.size());
    if (!ready.isEmpty())
        message += QStringLiteral(" (") + listed(ready, QStringLiteral(", ")) + QLatin1Char(')');
    message += QStringLiteral(", %1 missing").arg(m_options.agents - int(ready.size()));
    if (!m_refusals.isEmpty())
        message += QStringLiteral("; refused: ") + listed(m_refusals, QStringLiteral("; "));
    // What to do about it is the run failure's fix (RunController): one sentence for the CLI and the GUI.
    closeAll(QStringLiteral("the ready barrier timed out"));
    if (onBarrierFailed)
        onBarrierFailed(message);
}

void AgentCoordinator::assign(const QJsonObject &planJson, const Schedule &schedule, const QStringList &headers,
                              bool allowNonLoopback)
{
    std::vector<int> workers;
    for (Agent *a : m_run)
        workers.push_back(a->workers);
    const std::vector<Segment> segments = SegmentPlan::split(schedule, workers);
    m_workers = segments.empty() ? 0 : segments.front().workers * int(segments.size());
    m_merger = std::make_unique<IntervalMerger>(int(m_run.size()));
    for (size_t i = 0; i < m_run.size(); ++i) {
        Agent *a = m_run[i];
        a->segment = int(i);
        a->socket->sendTextMessage(
            QString::fromUtf8(AgentProtocol::encode(QJsonObject{{key("type"), key("assign")},
                                                                {key("plan"), planJson},
                                                                {key("segment"), AgentProtocol::segment(segments[i])},
                                                                {key("headers"), QJsonArray::fromStringList(headers)},
                                                                {key("allow_non_loopback"), allowNonLoopback}})));
    }
}

void AgentCoordinator::startAt(double wall_ms)
{
    m_started = true;
    m_startWall_ms = wall_ms;
    for (Agent *a : m_run) {
        if (a->state != Agent::State::Assigned)
            continue;
        a->state = Agent::State::Running;
        a->lastSeen_ms = m_clock.elapsed() + qint64(std::max(0.0, wall_ms - wallClock_ms()));
        // The agent's own clock reads the same instant offset_ms later.
        a->socket->sendTextMessage(QString::fromUtf8(AgentProtocol::encode(
            QJsonObject{{key("type"), key("start_at")}, {key("wall_ms"), wall_ms + a->offset_ms}})));
    }
    m_heartbeatTimer = new QTimer(this);
    connect(m_heartbeatTimer, &QTimer::timeout, this, &AgentCoordinator::onHeartbeat);
    m_heartbeatTimer->start(100);
}

void AgentCoordinator::onHeartbeat()
{
    const qint64 now = m_clock.elapsed();
    for (Agent *a : m_run)
        if (a->state == Agent::State::Running && now - a->lastSeen_ms > m_options.heartbeatTimeout_ms)
            return lose(a, QStringLiteral("%1 sent nothing for %2 s (4 intervals a second are expected)")
                               .arg(describe(*a))
                               .arg(m_options.heartbeatTimeout_ms / 1000.0));
}

void AgentCoordinator::lose(Agent *agent, const QString &cause)
{
    agent->state = Agent::State::Lost;
    if (!m_failure.failed()) {
        m_failure.kind = LoadFailure::Kind::AgentLost;
        m_failure.message = QStringLiteral("a distributed run lost an agent: ") + cause +
                            QStringLiteral("; every agent was stopped and the run keeps what was measured until "
                                           "then. Check that agent's log, network and CPU");
    }
    agent->socket->abort();
    stopAll(2);
    if (m_merger)
        release(m_merger->finish(agent->segment));
    finishIfDone();
}

void AgentCoordinator::stopAll(int level)
{
    for (Agent *a : m_run)
        if (a->state == Agent::State::Running || a->state == Agent::State::Assigned) {
            a->socket->sendTextMessage(QString::fromUtf8(
                AgentProtocol::encode(QJsonObject{{key("type"), key("stop")}, {key("level"), level}})));
            a->socket->flush();
        }
}

void AgentCoordinator::closeAll(const QString &reason)
{
    for (auto &a : m_agents)
        if (a->socket && a->socket->state() == QAbstractSocket::ConnectedState) {
            a->socket->sendTextMessage(QString::fromUtf8(
                AgentProtocol::encode(QJsonObject{{key("type"), key("error")}, {key("message"), reason}})));
            a->socket->close();
        }
    if (m_server)
        m_server->close();
    if (m_acceptor)
        m_acceptor->closeAll();
}

void AgentCoordinator::release(const std::vector<IntervalSnapshotPtr> &merged)
{
    if (m_finished)
        return;
    for (const IntervalSnapshotPtr &s : merged)
        if (onSnapshot)
            onSnapshot(s);
}

void AgentCoordinator::finishIfDone()
{
    if (m_finished || !m_started || !m_merger || !m_merger->isFinished())
        return;
    m_finished = true;
    if (m_heartbeatTimer)
        m_heartbeatTimer->stop();
    for (Agent *a : m_run)
        if (a->socket->state() == QAbstractSocket::ConnectedState)
            a->socket->close();
    if (m_server)
        m_server->close();
    if (m_acceptor)
        m_acceptor->closeAll();
    if (onFinished)
        onFinished();
}

int AgentCoordinator::workerCount() const
{
    return m_workers;
}

QString AgentCoordinator::engineId() const
{
    return m_engines.join(QLatin1Char('+'));
}

} // namespace Preflight
