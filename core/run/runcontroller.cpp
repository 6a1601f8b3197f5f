#include "runcontroller.h"

#include "databasesession.h"
#include "db/dbsampler.h"
#include "db/poolsampler.h"
#include "distributed/distributedload.h"
#include "intervalcompactor.h"
#include "load/targetprobe.h"
#include "plan/jsonpointer.h"
#include "plan/planparser.h"
#include "plan/secretresolver.h"
#include "plan/secrets.h"
#include "plan/targethost.h"
#include "runfailure.h"
#include "store/runoutcome.h"
#include "store/runrecorder.h"
#include "store/runstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSysInfo>
#include <QUrl>

namespace Preflight {

namespace {

QJsonValue resolveSecrets(const QJsonValue &value, QStringList *missing)
{
    if (value.isString())
        return SecretResolver::resolve(value.toString(), missing);
    if (value.isObject()) {
        QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            it.value() = resolveSecrets(it.value(), missing);
        return o;
    }
    if (value.isArray()) {
        QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            a[i] = resolveSecrets(a[i], missing);
        return a;
    }
    return value;
}

TargetProbe::Request probeRequest(const Plan &plan, const RequestFactory &factory, const QString &path)
{
    TargetProbe::Request r;
    r.url = factory.absoluteUrl(path);
    r.timeout_ms = std::min(plan.target.timeout_ms, 5000);
    r.transport = TransportOptions::fromTarget(plan.target);
    return r;
}

using Kind = RunFailure::Kind;

// What a plan error asks of the user; the message names the field.
QString planFix()
{
    return QStringLiteral("correct it in the plan (in the GUI: the Target and Scenario panels), then start again");
}

// What to do about an unset ${env:…}; the message names the variable.
QString secretFix()
{
    return QStringLiteral("set it where Preflight is started from; secrets never live in a plan");
}

// What to do about a target that took no connection, by how the connection failed.
QString unreachableFix(ErrorClass errorClass)
{
    switch (errorClass) {
    case ErrorClass::Connect:
        return QStringLiteral("start the backend, or correct the host and port in target.base_url (--target)");
    case ErrorClass::Dns:
        return QStringLiteral("check the host name in target.base_url (--target) and this machine's DNS, or use an "
                              "IP address");
    case ErrorClass::Timeout:
        return QStringLiteral("check that the backend is up and not hung, and that no firewall drops the connection");
    default:
        return QStringLiteral("check that the backend is running and reachable from this machine");
    }
}

// What to do about a database that cannot be used; DbError's message already says what was wrong in detail.
QString databaseFix(DbError::Kind kind)
{
    switch (kind) {
    case DbError::Kind::Config:
        return QStringLiteral("correct database.conninfo in the plan (or --db), then start again");
    case DbError::Kind::Auth:
        return QStringLiteral("give Preflight a role that may connect (it only reads), then start again");
    default:
        return QStringLiteral("start the database or correct database.conninfo (or --db); a run with a database "
                              "needs it before the load starts");
    }
}

} // namespace

struct RunController::Preparation
{
    quint64 generation = 0;
    Plan plan;
    std::shared_ptr<RequestFactory> factory;
    std::shared_ptr<DatabaseSession> database;
    std::shared_ptr<DistributedLoad> distributed;
    QStringList headers; // resolved headers the agents add (the login token)
    DbCapabilities capabilities;
    HealthResult health;
    std::optional<RunFailure> failure;
};

RunController::RunController(QObject *parent) : QObject(parent), m_run(std::make_shared<RunData>())
{
    qRegisterMetaType<Preflight::IntervalSnapshotPtr>();
    qRegisterMetaType<Preflight::RunDataPtr>();
    qRegisterMetaType<Preflight::RunInfo>();
    qRegisterMetaType<Preflight::DbSample>();
    qRegisterMetaType<Preflight::PoolSample>();
    qRegisterMetaType<Preflight::DiagnosisPtr>();
    qRegisterMetaType<Preflight::RunFailure>();
    qRegisterMetaType<Preflight::BarrierProgress>();
}

RunController::~RunController()
{
    ++m_generation;
    m_analysisStop = true;
    {
        std::lock_guard<std::mutex> lock(m_distributedMutex);
        if (m_distributed)
            m_distributed->cancel();
    }
    if (m_engine)
        m_engine->abort();
    stopSamplers();
    joinHelpers();
    m_engine.reset();
    m_recorder.reset(); // a run not finished by now is stored as interrupted
}

void RunController::joinHelpers()
{
    if (m_preparer.joinable())
        m_preparer.join();
    if (m_analyser.joinable())
        m_analyser.join();
}

void RunController::stopSamplers()
{
    if (m_dbSampler)
        m_dbSampler->stop();
    if (m_poolSampler)
        m_poolSampler->stop();
}

bool RunController::isLoopbackUrl(const QString &url)
{
    return Preflight::isLoopbackUrl(url);
}

void RunController::fail(const RunFailure &failure)
{
    m_running = false;
    // Always queued: a failure found inside start() must reach the caller after start() returns,
    // exactly like one found later, so that an event loop started after start() sees it.
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, failure, generation] {
            if (generation == m_generation)
                emit runFailed(failure);
        },
        Qt::QueuedConnection);
}

void RunController::start(const Plan &plan, const Options &options)
{
    Q_ASSERT(!m_running);
    joinHelpers();
    m_engine.reset();
    m_dbSampler.reset();
    m_poolSampler.reset();
    m_recorder.reset();
    m_database.reset();
    m_diagnosis.reset();
    m_loadFailure = LoadFailure();
    m_options = options;
    m_stopRequests = 0;
    {
        std::lock_guard<std::mutex> lock(m_distributedMutex);
        m_stoppedBeforeLoad = false;
    }
    m_guardTripped = false;
    m_analysisStop = false;
    m_running = true;
    m_loadFinished = false;
    const quint64 generation = ++m_generation;
    m_run = std::make_shared<RunData>();

    if (const QString problem = PlanParser::validate(plan); !problem.isEmpty())
        return fail(RunFailure::make(Kind::PlanInvalid, problem, planFix()));
    QString gateError;
    m_gates = GateSet::fromPlan(plan, &gateError);
    if (!m_gates)
        return fail(RunFailure::make(Kind::PlanInvalid, gateError,
                                     QStringLiteral("correct the gates (the plan's \"gates\" or --gates FILE): a "
                                                    "preset (launch, revised) or the check ids in docs/diagnosis.md")));
    QString urlError;
    const auto baseUrl = PlanParser::normaliseBaseUrl(plan.target.base_url, &urlError);
    if (!baseUrl)
        return fail(RunFailure::make(Kind::PlanInvalid, urlError,
                                     QStringLiteral("give the backend's URL in target.base_url (--target), e.g. "
                                                    "http://127.0.0.1:8000")));
    if (!options.allowNonLoopback && !isLoopbackUrl(SecretResolver::resolve(*baseUrl)))
        return fail(RunFailure::make(
            Kind::TargetNotConfirmed,
            QStringLiteral("%1 is not a loopback address").arg(SecretResolver::redactUrl(*baseUrl)),
            QStringLiteral("load-testing another host needs --yes (or confirmation in the GUI) so that nobody is "
                           "load-tested by accident")));

    Plan normalised = plan;
    normalised.target.base_url = *baseUrl;
    emit phaseChanged(QStringLiteral("checking target"));
    // Network checks block: they run on a helper thread and report back with a queued call.
    m_preparer = std::thread([this, normalised, generation] {
        auto prep = std::make_shared<Preparation>();
        prep->generation = generation;
        prep->plan = normalised;
        QString error;
        QStringList missingSecrets;
        auto factory = RequestFactory::create(normalised, &error, &missingSecrets);
        if (!factory) {
            prep->failure = missingSecrets.isEmpty() ? RunFailure::make(Kind::PlanInvalid, error, planFix())
                                                     : RunFailure::make(Kind::SecretMissing, error, secretFix());
        } else {
            prep->factory = std::make_shared<RequestFactory>(std::move(*factory));
            // Health doubles as the reachability check; without a health path the first endpoint is used.
            const QString checkPath = normalised.health_path.isEmpty() ? QString() : normalised.health_path;
            TargetProbe::Request request =
                probeRequest(normalised, *prep->factory, checkPath.isEmpty() ? QStringLiteral("/") : checkPath);
            if (checkPath.isEmpty()) {
                FastRandom rng(1);
                std::string url;
                prep->factory->buildUrl(0, rng, 0, url);
                request.url = url;
                request.headers = prep->factory->headers(0);
            }
            const ProbeResult probe = TargetProbe::fetch(request);
            const QString shownUrl = SecretResolver::redactUrl(QString::fromStdString(request.url));
            // Only a failure to connect is "unreachable" (docs/cli.md): a reset, a malformed or a large first
            // answer comes from a running server, and measuring how it fails is the run's job.
            if (!probe.connected && probe.error_class == ErrorClass::Other) {
                prep->failure = RunFailure::make(
                    Kind::RequestNotSent, QStringLiteral("cannot send a request to %1 (%2)").arg(shownUrl, probe.error),
                    QStringLiteral("check target.base_url and the endpoint paths"));
            } else if (!probe.connected) {
                prep->failure = RunFailure::make(Kind::TargetUnreachable,
                                                 QStringLiteral("target unreachable: ") + probe.describe(shownUrl),
                                                 unreachableFix(probe.error_class));
            } else if (probe.tls_problem == ProbeResult::TlsProblem::Untrusted) {
                // The server is there and speaks TLS; what fails is trusting it: exit 3, with the two ways out.
                prep->failure = RunFailure::make(
                    Kind::TlsUntrusted,
                    QStringLiteral("TLS: certificate not trusted at %1 (%2)").arg(shownUrl, probe.error),
                    QStringLiteral("pass --ca-file FILE (target.tls.ca_file) with the CA that signed it or, for a "
                                   "test target only, --insecure"));
            } else if (probe.tls_problem == ProbeResult::TlsProblem::WrongHost) {
                prep->failure = RunFailure::make(
                    Kind::TlsUntrusted,
                    QStringLiteral("TLS: the certificate at %1 is not for this host name (%2)")
                        .arg(shownUrl, probe.error),
                    QStringLiteral("use a host name the certificate lists in --target / target.base_url or, for a "
                                   "test target only, --insecure"));
            } else if (probe.tls_problem == ProbeResult::TlsProblem::ClientCertificate) {
                prep->failure = RunFailure::make(
                    Kind::TlsFailed, QStringLiteral("TLS: the client certificate cannot be used (%1)").arg(probe.error),
                    QStringLiteral("check target.tls.cert_file and target.tls.key_file (PEM files, key matching the "
                                   "certificate, readable by this user)"));
            } else if (!probe.answered && probe.error_class == ErrorClass::Tls) {
                prep->failure = RunFailure::make(
                    Kind::TlsFailed, QStringLiteral("TLS handshake failed: %1").arg(probe.describe(shownUrl)),
                    QStringLiteral("give the server's CA with target.tls.ca_file, check that the scheme (http/https) "
                                   "and port match the server, or for a test server only set target.tls.insecure "
                                   "(--insecure)"));
            } else {
                prep->health.checked = !checkPath.isEmpty();
                prep->health.status = probe.status;
                prep->health.error = probe.answered ? QString() : probe.describe(shownUrl);
                prep->health.latency_ms = probe.latency_ms;
            }
            if (prep->failure)
                prep->failure->error_class = probe.error_class;
            if (!prep->failure && normalised.target.login.enabled) {
                const LoginSpec &login = normalised.target.login;
                QStringList missing;
                const QJsonValue body = resolveSecrets(login.json, &missing);
                TargetProbe::Request r = probeRequest(normalised, *prep->factory, login.path);
                r.method = login.method.toStdString();
                r.timeout_ms = normalised.target.timeout_ms;
                r.headers = {"Content-Type: application/json", "Accept: application/json"};
                r.body = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact).toStdString();
                const ProbeResult answer = TargetProbe::fetch(r);
                const QJsonValue token =
                    jsonPointer(QJsonDocument::fromJson(answer.body).object(), login.token_pointer);
                if (!missing.isEmpty()) {
                    prep->failure = RunFailure::make(
                        Kind::SecretMissing, SecretResolver::describeMissing(missing, QStringLiteral("the login step")),
                        secretFix());
                } else if (!answer.isSuccess()) {
                    prep->failure =
                        RunFailure::make(Kind::LoginFailed,
                                         QStringLiteral("login failed: ") +
                                             answer.describe(SecretResolver::redactUrl(QString::fromStdString(r.url))),
                                         QStringLiteral("check target.login and the credentials it uses"));
                    if (!answer.answered)
                        prep->failure->error_class = answer.error_class;
                } else if (!token.isString() || token.toString().isEmpty()) {
                    prep->failure = RunFailure::make(
                        Kind::LoginFailed, QStringLiteral("login answered but no token at %1").arg(login.token_pointer),
                        QStringLiteral("fix target.login.token_pointer"));
                } else {
                    QString header = login.header + QStringLiteral(": ") + login.format;
                    header.replace(QLatin1String("{token}"), token.toString());
                    prep->factory->addCommonHeader(header.toStdString());
                    prep->headers << header;
                }
            }
        }
        if (!prep->failure && normalised.database.isConfigured()) {
            prep->database = std::make_shared<DatabaseSession>(normalised.database);
            const DbError dbError = prep->database->open(&prep->capabilities);
            if (!dbError.ok()) {
                // A conninfo or path that cannot be used as written is a plan error (2); a database that is
                // not there or will not let Preflight in is unreachable (3), as the README's table says.
                const bool usage = dbError.kind == DbError::Kind::Config;
                prep->failure = RunFailure::make(
                    usage ? Kind::DatabaseInvalid : Kind::DatabaseUnreachable,
                    (usage ? QStringLiteral("database: ") : QStringLiteral("database unreachable: ")) + dbError.message,
                    databaseFix(dbError.kind));
                prep->database.reset();
            } else {
                prep->database->snapshotBeforeLoad();
            }
        }
        if (!prep->failure && m_options.distributed.enabled()) {
            // The agents are gathered after the checks (nobody waits at the barrier for a target that is down)
            // and before the database's "before" snapshot is used: the load starts right after.
            const int agents = m_options.distributed.agents;
            prep->distributed = std::make_shared<DistributedLoad>(m_options.distributed);
            {
                std::lock_guard<std::mutex> lock(m_distributedMutex);
                m_distributed = prep->distributed;
                if (m_stoppedBeforeLoad)
                    m_distributed->cancel(); // Stop came while the target was being checked: do not wait at all
            }
            // The coordinator's own {seq} values (the profiling pass) never meet an agent's.
            prep->factory->setSequenceSegment(uint64_t(agents), uint64_t(agents) + 1);
            // Cleared before this thread ends, so the sink never outlives the controller (its destructor joins).
            prep->distributed->setProgressSink([this, generation](const BarrierProgress &progress) {
                QMetaObject::invokeMethod(
                    this,
                    [this, generation, progress] {
                        if (generation == m_generation)
                            emit agentsWaiting(progress);
                    },
                    Qt::QueuedConnection);
            });
            const QString error = prep->distributed->prepare(normalised, Schedule::compile(normalised.scenario),
                                                             prep->headers, m_options.allowNonLoopback);
            prep->distributed->setProgressSink({});
            {
                std::lock_guard<std::mutex> lock(m_distributedMutex);
                m_distributed.reset();
            }
            if (prep->distributed->isCancelled()) {
                // Stopped at the barrier: launch() ends the run as interrupted, like a stop while checking the target.
                prep->distributed.reset();
            } else if (!error.isEmpty()) {
                prep->failure = RunFailure::make(
                    Kind::AgentsUnavailable, error,
                    QStringLiteral("start the missing agents with `preflight agent --coordinator wss://HOST:%1 "
                                   "--ca-file CA.pem` and the same token, or run with fewer agents; "
                                   "docs/distributed.md")
                        .arg(m_options.distributed.port));
                prep->distributed.reset();
            }
        }
        QMetaObject::invokeMethod(
            this, [this, prep] { launch(prep); }, Qt::QueuedConnection);
    });
}

void RunController::launch(std::shared_ptr<Preparation> prep)
{
    if (prep->generation != m_generation)
        return;
    if (m_preparer.joinable())
        m_preparer.join();
    if (prep->failure)
        return fail(*prep->failure);
    if (m_stopRequests > 0) {
        m_run->info.status = RunStatus::Interrupted;
        m_running = false;
        emit runFinished(m_run);
        return;
    }

    const Plan &plan = prep->plan;
    Schedule schedule = Schedule::compile(plan.scenario);
    EngineOptions engineOptions = m_options.engine;
    engineOptions.maxConnections = plan.limits.max_users;
    engineOptions.transport = TransportOptions::fromTarget(plan.target);
    engineOptions.maxResponseBytes = plan.target.max_response_bytes;
    engineOptions.engine = plan.target.engine;

    RunData &run = *m_run;
    run.plan = plan;
    run.plan.database.conninfo = Secrets::redactConninfo(plan.database.conninfo);
    run.plan.target.base_url = SecretResolver::redactUrl(plan.target.base_url);
    run.stages = schedule.stages();
    run.health = prep->health;
    run.database = prep->capabilities;
    for (const QString &w : run.database.warnings)
        run.warnings << w;
    run.info.name = plan.name.isEmpty() ? run.plan.target.base_url : plan.name;
    run.info.started_at = QDateTime::currentDateTimeUtc();
    run.info.status = RunStatus::Running;
    run.info.tool_version = QStringLiteral(PREFLIGHT_VERSION);
    run.info.machine = QSysInfo::machineHostName() + QStringLiteral(" · ") + QSysInfo::prettyProductName() +
                       QStringLiteral(" · ") + QString::number(std::thread::hardware_concurrency()) +
                       QStringLiteral(" cores");
    run.info.target = run.plan.target.base_url;
    run.info.scenario = plan.scenario.preset;
    run.info.tls_insecure = plan.target.insecure;
    if (plan.target.insecure)
        run.warnings << QStringLiteral("TLS verification was turned off (target.tls.insecure): results were measured "
                                       "over an unverified connection.");
    if (run.health.checked && (run.health.status < 200 || run.health.status >= 300))
        run.warnings << QStringLiteral("The health check %1 answered %2.")
                            .arg(plan.health_path,
                                 run.health.status ? QString::number(run.health.status) : run.health.error);

    m_factory = prep->factory;
    m_database = prep->database;
    if (prep->distributed) {
        m_engine = prep->distributed;
        run.info.machine += QStringLiteral(" · coordinator of %1 agents").arg(m_options.distributed.agents);
    } else {
        m_engine = std::make_shared<LoadEngine>(prep->factory, schedule, engineOptions);
    }
    run.info.workers = m_engine->workerCount();
    run.info.engine = m_engine->engineId();
    const quint64 generation = m_generation;

    if (m_options.store) {
        m_recorder = std::make_unique<RunRecorder>();
        StoreError storeError;
        const QString storePath = m_options.storePath.isEmpty() ? RunStore::defaultPath() : m_options.storePath;
        const auto id = m_recorder->beginRun(storePath, run.info, run.plan, run.stages, &storeError);
        if (!id) {
            m_recorder.reset();
            return fail(RunFailure::make(Kind::StoreUnavailable, QStringLiteral("run store: ") + storeError.message,
                                         QStringLiteral("give a run store Preflight can write (--store FILE), or "
                                                        "close the program that holds it")));
        }
        run.info.id = *id;
        m_recorder->setDatabaseCapabilities(run.database);
        m_recorder->setHealth(run.health);
        connect(m_recorder.get(), &RunRecorder::writeFailed, this,
                [this](const QString &message) { emit warningRaised(QStringLiteral("run store: ") + message); });
    }

    // One clock for everything: the engine's t = 0 is the samplers' t = 0.
    const auto runStart = m_engine->proposedStart();
    if (plan.database.isConfigured()) {
        DbSampler::Options samplerOptions;
        samplerOptions.app_sessions = AppSessions(plan.database);
        m_dbSampler = std::make_unique<DbSampler>(plan.database.conninfo, runStart, samplerOptions);
        // Stage 0 starts at DatabaseSession::snapshotBeforeLoad(); the sampler snapshots the later stage starts.
        if (run.database.pg_stat_statements == QLatin1String("ok") && run.stages.size() > 1) {
            std::map<int, double> starts;
            for (const StageInfo &stage : run.stages)
                if (stage.index > 0)
                    starts[stage.index] = stage.start_s;
            m_dbSampler->setStatementsSnapshotTimes(starts);
        }
        connect(m_dbSampler.get(), &DbSampler::sampleAvailable, this, &RunController::onDbSample);
        connect(m_dbSampler.get(), &DbSampler::samplerWarning, this, &RunController::warningRaised);
    }
    if (!plan.pool.kind.isEmpty()) {
        PoolSampler::Options poolOptions;
        poolOptions.transport = engineOptions.transport;
        poolOptions.headers = prep->factory->headers(0);
        m_poolSampler =
            std::make_unique<PoolSampler>(plan.pool, prep->factory->absoluteUrl(plan.pool.url), runStart, poolOptions);
        connect(m_poolSampler.get(), &PoolSampler::sampleAvailable, this, &RunController::onPoolSample);
    }
    m_engine->setSnapshotSink([this, generation](IntervalSnapshotPtr snapshot) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, snapshot] {
                if (generation == m_generation)
                    onSnapshot(snapshot);
            },
            Qt::QueuedConnection);
    });
    m_engine->setFinishedSink([this, generation] {
        QMetaObject::invokeMethod(
            this,
            [this, generation] {
                if (generation == m_generation)
                    onEngineFinished();
            },
            Qt::QueuedConnection);
    });
    emit runStarted(run.info);
    emit phaseChanged(QStringLiteral("running"));
    m_engine->start(runStart);
    if (m_dbSampler)
        m_dbSampler->start();
    if (m_poolSampler)
        m_poolSampler->start();
}

void RunController::onSnapshot(const IntervalSnapshotPtr &snapshot)
{
    if (m_loadFinished)
        return;
    m_run->intervals.push_back(*snapshot);
    m_run->info.duration_s = snapshot->end_s;
    // Memory stays flat over long runs: every 10 s, intervals older than a minute are merged into 10 s
    // buckets (the store has them all at full resolution).
    if (snapshot->index % 40 == 39)
        IntervalCompactor::compact(m_run->intervals, m_run->stages, snapshot->end_s);
    if (m_recorder)
        m_recorder->appendInterval(snapshot);
    emit snapshotAvailable(snapshot);
    if (!m_guardTripped && m_engine && !m_engine->isStopping()) {
        if (const auto reason = safetyGuard(m_run->intervals, m_run->db_samples)) {
            // docs/architecture.md: the run stops at once and is kept, with what it measured, as aborted.
            m_guardTripped = true;
            m_run->info.status_reason = QStringLiteral("aborted by a safety guard: ") + *reason;
            emit warningRaised(m_run->info.status_reason);
            emit phaseChanged(QStringLiteral("aborting"));
            m_engine->abort();
        }
    }
}

void RunController::onDbSample(const DbSample &sample)
{
    if (!m_running || m_loadFinished)
        return;
    m_run->db_samples.push_back(sample);
    if (m_recorder)
        m_recorder->appendDbSample(sample);
    emit dbSampleAvailable(sample);
}

void RunController::onPoolSample(const PoolSample &sample)
{
    if (!m_running || m_loadFinished)
        return;
    if (!sample.ok && (m_run->pool_samples.empty() || m_run->pool_samples.back().ok))
        emit warningRaised(QStringLiteral("pool metrics unavailable: ") + sample.error);
    m_run->pool_samples.push_back(sample);
    if (m_recorder)
        m_recorder->appendPoolSample(sample);
    emit poolSampleAvailable(sample);
}

void RunController::onEngineFinished()
{
    stopSamplers();
    RunData &run = *m_run;
    run.error_samples = m_engine->errorSamples();
    m_loadFailure = m_engine->failure();
    // A stop by the user is an interruption; "aborted" is reserved for the safety guards and a lost agent.
    if (m_loadFailure.failed()) {
        run.info.status = RunStatus::Aborted;
        run.info.status_reason = m_loadFailure.message;
        emit warningRaised(m_loadFailure.message);
    } else if (m_guardTripped) {
        run.info.status = RunStatus::Aborted;
    } else if (m_stopRequests > 0) {
        run.info.status = RunStatus::Interrupted;
        run.info.status_reason = m_stopRequests > 1
                                     ? QStringLiteral("stopped by the user; in-flight requests abandoned")
                                     : QStringLiteral("stopped by the user");
    } else {
        run.info.status = RunStatus::Completed;
    }

    // Profiling, plans and diagnosis block on the network and the database: a helper thread does them on
    // a copy of the run and hands the result back. The copy is made there too (an hour of histograms takes
    // a second to copy): from here on the run is only read, by that thread and by the GUI (live views).
    m_loadFinished = true;
    std::shared_ptr<const RunData> source = m_run;
    const bool profile = m_database && m_stopRequests == 0 && !m_guardTripped && !m_loadFailure.failed();
    DatabaseSession::LoadSpan load;
    if (m_dbSampler)
        load.stage_starts = m_dbSampler->statementsSnapshots();
    emit phaseChanged(profile ? QStringLiteral("profiling") : QStringLiteral("analysing"));
    const quint64 generation = m_generation;
    m_analyser = std::thread([this, source, profile, generation, database = m_database, factory = m_factory,
                              gates = *m_gates, load = std::move(load), recorder = m_recorder.get()] {
        auto copy = std::make_shared<RunData>(*source);
        if (database) {
            DatabaseSession::LoadSpan span = load;
            span.total_requests = double(copy->total().requests);
            for (size_t stage = 0; stage < copy->stages.size(); ++stage)
                span.stage_requests.push_back(double(copy->stageTotal(int(stage)).requests));
            Plan plan = copy->plan;
            if (!profile)
                plan.scenario.profile_requests = 0; // an interrupted or aborted run is not profiled
            const DatabaseSession::Findings found = database->analyseAfterLoad(plan, *factory, span, &m_analysisStop);
            copy->queries = found.queries;
            copy->stage_queries = found.stage_queries;
            copy->plans = found.plans;
            copy->warnings << found.warnings;
        }
        auto diagnosis = std::make_shared<Diagnosis>(analyze(*copy, gates));
        applyDiagnosis(*diagnosis, copy.get());
        if (recorder) {
            recorder->finishRun(RunOutcome::fromRunData(*copy));
            const StoreError error = recorder->waitForFinished();
            if (error)
                copy->warnings << QStringLiteral("the run could not be stored completely: ") + error.message;
        }
        QMetaObject::invokeMethod(
            this,
            [this, copy, diagnosis, generation] {
                if (generation == m_generation)
                    onAnalysed(copy, diagnosis);
            },
            Qt::QueuedConnection);
    });
}

void RunController::onAnalysed(std::shared_ptr<RunData> run, DiagnosisPtr diagnosis)
{
    if (m_analyser.joinable())
        m_analyser.join();
    m_run = std::move(run);
    m_diagnosis = std::move(diagnosis);
    m_running = false;
    emit runFinished(m_run);
}

void RunController::stop()
{
    if (!m_running)
        return;
    ++m_stopRequests;
    if (m_stopRequests > 1)
        m_analysisStop = true; // a second stop also cuts a profiling pass short
    {
        std::lock_guard<std::mutex> lock(m_distributedMutex);
        m_stoppedBeforeLoad = !m_engine;
        if (m_distributed)
            m_distributed->cancel(); // stopped while the agents were being gathered
    }
    if (m_engine) {
        emit phaseChanged(m_stopRequests == 1 ? QStringLiteral("draining") : QStringLiteral("aborting"));
        if (m_stopRequests == 1)
            m_engine->stop();
        else
            m_engine->abort();
    }
}

} // namespace Preflight
