#include "agentsession.h"

#include "agentprotocol.h"
#include "plan/planparser.h"
#include "plan/secretresolver.h"
#include "plan/targethost.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSysInfo>
#include <QTimer>
#include <QWebSocket>

#include <chrono>

namespace Preflight {

namespace {
QString key(const char *k)
{
    return QString::fromLatin1(k);
}
} // namespace

AgentSession::AgentSession(const AgentOptions &options, QObject *parent) : QObject(parent), m_options(options)
{
    if (m_options.name.isEmpty())
        m_options.name = QSysInfo::machineHostName();
}

AgentSession::~AgentSession()
{
    if (m_engine)
        m_engine->abort();
    m_engine.reset();
}

double AgentSession::wallClock_ms() const
{
    using namespace std::chrono;
    return duration<double, std::milli>(system_clock::now().time_since_epoch()).count() + m_options.clockSkew_ms;
}

void AgentSession::start()
{
    m_deadline_ms = QDateTime::currentMSecsSinceEpoch() + m_options.connectTimeout_ms;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!m_options.caFile.isEmpty()) {
        QFile ca(m_options.caFile);
        const QList<QSslCertificate> certs = ca.open(QIODevice::ReadOnly)
                                                 ? QSslCertificate::fromData(ca.readAll(), QSsl::Pem)
                                                 : QList<QSslCertificate>();
        if (certs.isEmpty())
            return fail(Refused,
                        QStringLiteral("cannot read a PEM certificate from --ca-file %1").arg(m_options.caFile));
        tls.addCaCertificates(certs);
    }
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    m_socket->setSslConfiguration(tls);
    connect(m_socket, &QWebSocket::connected, this, &AgentSession::onConnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &AgentSession::onMessage);
    connect(m_socket, &QWebSocket::disconnected, this, &AgentSession::onDisconnected);
    // The coordinator's WebSocket stack answers pings by itself; a pong says its event loop is alive.
    connect(m_socket, &QWebSocket::pong, this, [this] { m_lastHeard_ms = QDateTime::currentMSecsSinceEpoch(); });
    // A refused connection never connected, so it is an error without a disconnect: retry the same way.
    connect(m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) {
                if (!m_authenticated)
                    onDisconnected();
            });
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QStringList text;
        for (const QSslError &e : errors)
            text << e.errorString();
        fail(Refused, QStringLiteral("the coordinator's TLS certificate was not accepted (%1); pass the CA that "
                                     "signed it with --ca-file and dial the name or address it was issued for")
                          .arg(text.join(QStringLiteral("; "))));
    });
    m_retry = new QTimer(this);
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &AgentSession::connectNow);
    connectNow();
}

void AgentSession::connectNow()
{
    if (m_finished)
        return;
    m_socket->open(m_options.coordinator);
}

void AgentSession::onConnected()
{
    emit logMessage(QStringLiteral("connected to %1").arg(m_options.coordinator.toString()));
    m_nonce = AgentProtocol::newNonce();
    send(QJsonObject{{key("type"), key("hello")},
                     {key("version"), AgentProtocol::kVersion},
                     {key("name"), m_options.name},
                     {key("workers"), m_options.workers > 0 ? m_options.workers : LoadEngine::defaultWorkerCount()},
                     {key("nonce"), QString::fromLatin1(m_nonce)}});
}

void AgentSession::send(const QJsonObject &message)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(QString::fromUtf8(AgentProtocol::encode(message)));
}

void AgentSession::fail(int exitCode, const QString &message)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_engine)
        m_engine->abort();
    if (m_startTimer)
        m_startTimer->stop();
    if (m_watchdog)
        m_watchdog->stop();
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
        send(QJsonObject{{key("type"), key("error")}, {key("message"), message}});
        m_socket->flush();
        m_socket->close();
    }
    emit finished(exitCode, message);
}

void AgentSession::checkCoordinator()
{
    if (m_finished) {
        m_watchdog->stop();
        return;
    }
    const qint64 silent_ms = QDateTime::currentMSecsSinceEpoch() - m_lastHeard_ms;
    if (silent_ms > m_options.coordinatorSilence_ms)
        return fail(Lost, QStringLiteral("the coordinator has not answered for %1 s (its process hangs or the network "
                                         "dropped); the load was abandoned")
                              .arg(double(silent_ms) / 1000.0, 0, 'f', 1));
    m_socket->ping();
}

void AgentSession::abortRun()
{
    fail(Lost, QStringLiteral("interrupted on the agent"));
}

void AgentSession::onDisconnected()
{
    if (m_finished)
        return;
    if (!m_authenticated) {
        // Not reached yet, or gone before the handshake: the coordinator may still be starting.
        if (QDateTime::currentMSecsSinceEpoch() < m_deadline_ms) {
            m_retry->start(500);
            return;
        }
        return fail(Unreachable, QStringLiteral("no coordinator at %1 within %2 s (%3); check --coordinator and that "
                                                "`preflight run --agents N --listen HOST:PORT` is running")
                                     .arg(m_options.coordinator.toString())
                                     .arg(m_options.connectTimeout_ms / 1000)
                                     .arg(m_socket->errorString()));
    }
    fail(Lost, m_running ? QStringLiteral("lost the coordinator during the run; the load was abandoned")
                         : QStringLiteral("the coordinator closed the connection before the run"));
}

void AgentSession::onMessage(const QString &text)
{
    m_lastHeard_ms = QDateTime::currentMSecsSinceEpoch();
    const auto message = AgentProtocol::decode(text.toUtf8());
    if (!message)
        return fail(Refused, QStringLiteral("the coordinator sent a message that is not Preflight's protocol"));
    const QString type = message->value(QLatin1String("type")).toString();
    if (type == QLatin1String("error"))
        return fail(Refused, QStringLiteral("the coordinator refused this agent: ") +
                                 message->value(QLatin1String("message")).toString());
    if (type == QLatin1String("challenge")) {
        const QByteArray coordinatorNonce = message->value(QLatin1String("nonce")).toString().toLatin1();
        const QByteArray expected = AgentProtocol::proof(m_options.token, "coordinator", m_nonce, coordinatorNonce);
        if (coordinatorNonce.size() < 32 ||
            !AgentProtocol::sameProof(message->value(QLatin1String("proof")).toString().toLatin1(), expected))
            return fail(Refused, QStringLiteral("the coordinator could not prove it knows the agent token (the tokens "
                                                "differ); nothing was run. Give both the same token"));
        send(QJsonObject{{key("type"), key("auth")},
                         {key("proof"), QString::fromLatin1(AgentProtocol::proof(m_options.token, "agent",
                                                                                 coordinatorNonce, m_nonce))}});
        return;
    }
    if (type == QLatin1String("welcome")) {
        m_authenticated = true;
        emit logMessage(QStringLiteral("authenticated; waiting for the run"));
        m_lastHeard_ms = QDateTime::currentMSecsSinceEpoch();
        m_watchdog = new QTimer(this);
        connect(m_watchdog, &QTimer::timeout, this, &AgentSession::checkCoordinator);
        m_watchdog->start(std::max(50, std::min(500, m_options.coordinatorSilence_ms / 4)));
        return;
    }
    if (!m_authenticated)
        return fail(Refused, QStringLiteral("the coordinator skipped authentication; nothing was run"));
    if (type == QLatin1String("ping")) {
        send(QJsonObject{
            {key("type"), key("pong")}, {key("t0"), message->value(QLatin1String("t0"))}, {key("t1"), wallClock_ms()}});
        return;
    }
    if (type == QLatin1String("assign")) {
        if (const QString error = takeAssignment(*message); !error.isEmpty())
            return fail(Refused, error);
        send(QJsonObject{{key("type"), key("assigned")}, {key("engine"), m_engine->engineId()}});
        return;
    }
    if (type == QLatin1String("start_at") && m_engine && !m_running) {
        const double ahead_ms = message->value(QLatin1String("wall_ms")).toDouble() - wallClock_ms();
        m_start = EngineClock::now() + std::chrono::microseconds(qint64(ahead_ms * 1000));
        m_running = true;
        m_startTimer = new QTimer(this);
        m_startTimer->setSingleShot(true);
        m_startTimer->setTimerType(Qt::PreciseTimer);
        connect(m_startTimer, &QTimer::timeout, this, [this] {
            if (!m_finished)
                m_engine->start(m_start);
        });
        m_startTimer->start(int(std::max(0.0, ahead_ms)));
        emit logMessage(QStringLiteral("starting in %1 ms").arg(qint64(ahead_ms)));
        return;
    }
    if (type == QLatin1String("stop") && m_engine) {
        if (m_startTimer && m_startTimer->isActive()) {
            // Stopped before the start instant: nothing was sent; report an empty run.
            m_startTimer->stop();
            send(QJsonObject{{key("type"), key("done")}});
            m_finished = true;
            m_socket->close();
            emit finished(Done, QStringLiteral("stopped before the start"));
            return;
        }
        if (message->value(QLatin1String("level")).toInt() >= 2)
            m_engine->abort();
        else
            m_engine->stop();
    }
}

QString AgentSession::takeAssignment(const QJsonObject &message)
{
    if (m_engine)
        return QStringLiteral("a second assignment on one connection");
    PlanError planError;
    const auto plan = PlanParser::read(
        QJsonDocument(message.value(QLatin1String("plan")).toObject()).toJson(QJsonDocument::Compact), &planError);
    if (!plan)
        return QStringLiteral("the plan cannot be read: ") + planError.message;
    // The safety rules hold here too: a bounded plan, and another host only when the coordinator's user said so.
    if (const QString problem = PlanParser::validate(*plan); !problem.isEmpty())
        return problem;
    const bool allowNonLoopback = message.value(QLatin1String("allow_non_loopback")).toBool();
    if (!allowNonLoopback && !isLoopbackUrl(SecretResolver::resolve(plan->target.base_url)))
        return QStringLiteral("%1 is not a loopback address and the coordinator's user did not pass --yes")
            .arg(SecretResolver::redactUrl(plan->target.base_url));
    QString error;
    auto factory = RequestFactory::create(*plan, &error);
    if (!factory)
        return error;
    m_factory = std::make_shared<RequestFactory>(std::move(*factory));
    for (const QJsonValue &h : message.value(QLatin1String("headers")).toArray())
        m_factory->addCommonHeader(h.toString().toStdString());
    const Segment segment = AgentProtocol::segmentFrom(message.value(QLatin1String("segment")).toObject());
    m_factory->setSequenceSegment(uint64_t(segment.index), uint64_t(segment.sequenceStride));
    EngineOptions options;
    options.workers = segment.workers;
    options.segmentIndex = segment.index;
    options.segmentCount = segment.count;
    options.maxConnections = plan->limits.max_users;
    // Paths in target.tls (CA, client certificate) are read on the agent's machine: mount the same files there.
    options.transport = TransportOptions::fromTarget(plan->target);
    options.maxResponseBytes = plan->target.max_response_bytes;
    options.engine = plan->target.engine;
    m_engine = std::make_unique<LoadEngine>(m_factory, Schedule::compile(plan->scenario), options);
    m_engine->setSnapshotSink([this](IntervalSnapshotPtr snapshot) {
        const QJsonObject interval = AgentProtocol::interval(*snapshot);
        QMetaObject::invokeMethod(
            this,
            [this, interval] {
                send(QJsonObject{{key("type"), key("snapshot")}, {key("interval"), interval}});
            },
            Qt::QueuedConnection);
    });
    m_engine->setFinishedSink(
        [this] { QMetaObject::invokeMethod(this, &AgentSession::onEngineFinished, Qt::QueuedConnection); });
    emit logMessage(
        QStringLiteral("segment %1 of %2, %3 load threads").arg(segment.index).arg(segment.count).arg(segment.workers));
    return QString();
}

void AgentSession::onEngineFinished()
{
    if (m_finished)
        return;
    QJsonArray samples;
    for (const ErrorSample &s : m_engine->errorSamples())
        samples.append(AgentProtocol::errorSample(s));
    send(QJsonObject{{key("type"), key("error_samples")}, {key("samples"), samples}});
    send(QJsonObject{{key("type"), key("done")}});
    m_socket->flush();
    m_finished = true;
    m_socket->close();
    emit finished(Done, QStringLiteral("run finished"));
}

} // namespace Preflight
