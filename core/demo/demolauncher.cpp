#include "demolauncher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

namespace Preflight {

namespace {
const QString kBinaryName = QStringLiteral("preflight-demo-target");
constexpr qsizetype kStderrKeepBytes = 4096;
} // namespace

DemoLauncher::DemoLauncher(QObject *parent) : QObject(parent) {}

DemoLauncher::~DemoLauncher()
{
    stop();
}

QString DemoLauncher::findBinary(QString *error)
{
    QStringList tried;
    const QString fromEnv = qEnvironmentVariable("PREFLIGHT_DEMO_TARGET");
    if (!fromEnv.isEmpty()) {
        if (QFileInfo(fromEnv).isExecutable())
            return QFileInfo(fromEnv).absoluteFilePath();
        *error = QStringLiteral("PREFLIGHT_DEMO_TARGET=%1 is not an executable file").arg(fromEnv);
        return QString();
    }
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates{appDir + QLatin1Char('/') + kBinaryName,
                                 appDir + QStringLiteral("/demotarget/") + kBinaryName,
                                 appDir + QStringLiteral("/../app/demotarget/") + kBinaryName};
    for (const QString &candidate : candidates) {
        tried << QDir::cleanPath(candidate);
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).absoluteFilePath();
    }
    const QString onPath = QStandardPaths::findExecutable(kBinaryName);
    if (!onPath.isEmpty())
        return onPath;
    *error = QStringLiteral("cannot find %1 (looked in %2 and on PATH); build the preflight-demo-target target or "
                            "set PREFLIGHT_DEMO_TARGET to its path")
                 .arg(kBinaryName, tried.join(QLatin1String(", ")));
    return QString();
}

bool DemoLauncher::launch(const Options &options, QString *error)
{
    stop();
    const QString binary = findBinary(error);
    if (binary.isEmpty())
        return false;
    m_stdout.clear();
    m_stderr.clear();
    m_baseUrl.clear();
    m_conninfo.clear();
    m_requestedDb = options.db;
    m_ready = false;
    m_stopping = false;

    QStringList args{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--parent-pid"),
                     QString::number(QCoreApplication::applicationPid())};
    if (!options.flaws.isEmpty())
        args << QStringLiteral("--flaw") << options.flaws.join(QLatin1Char(','));
    if (!options.db.isEmpty())
        args << QStringLiteral("--db") << options.db;
    // Without an explicit log, a marked-only log lets the profiling pass count statements per request on
    // SQLite (which has no pg_stat_statements) without slowing the load down.
    m_sqlLog = options.sql_log;
    if (m_sqlLog.isEmpty()) {
        m_sqlLog = QDir::temp().filePath(QStringLiteral("preflight-demo-%1-%2.sql.log")
                                             .arg(QCoreApplication::applicationPid())
                                             .arg(QDateTime::currentMSecsSinceEpoch()));
        m_ownsSqlLog = true;
        args << QStringLiteral("--sql-log-marked-only");
    }
    args << QStringLiteral("--sql-log") << m_sqlLog;
    args << options.extra_args;

    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardInputFile(QProcess::nullDevice());
    connect(m_process, &QProcess::readyReadStandardOutput, this, &DemoLauncher::onReadyRead);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process->readAllStandardError();
        if (m_stderr.size() > kStderrKeepBytes)
            m_stderr = m_stderr.right(kStderrKeepBytes);
    });
    connect(m_process, &QProcess::finished, this, &DemoLauncher::onFinished);
    m_process->start(binary, args);
    if (!m_process->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(binary, m_process->errorString());
        delete m_process;
        m_process = nullptr;
        return false;
    }
    return true;
}

bool DemoLauncher::start(const Options &options, QString *error)
{
    m_async = false;
    if (!launch(options, error))
        return false;
    const QDeadlineTimer deadline(options.start_timeout_ms);
    while (!m_ready) {
        if (m_process->state() == QProcess::NotRunning) {
            m_stderr += m_process->readAllStandardError();
            *error =
                failureMessage(QStringLiteral("exited with code %1 before it was ready").arg(m_process->exitCode()));
            stop();
            return false;
        }
        if (deadline.hasExpired()) {
            *error = failureMessage(QStringLiteral("was not ready within %1 s").arg(options.start_timeout_ms / 1000.0));
            stop();
            return false;
        }
        // waitForReadyRead dispatches no events; the readyRead signal still fires synchronously from it.
        m_process->waitForReadyRead(int(qMin<qint64>(deadline.remainingTime(), 200)));
        consumeOutput();
    }
    return true;
}

void DemoLauncher::startAsync(const Options &options)
{
    m_async = true;
    QString error;
    if (!launch(options, &error)) {
        QTimer::singleShot(0, this, [this, error] { Q_EMIT targetFailed(error); });
        return;
    }
    m_startTimer = new QTimer(this);
    m_startTimer->setSingleShot(true);
    connect(m_startTimer, &QTimer::timeout, this, [this, options] {
        if (m_ready)
            return;
        const QString message =
            failureMessage(QStringLiteral("was not ready within %1 s").arg(options.start_timeout_ms / 1000.0));
        stop();
        Q_EMIT targetFailed(message);
    });
    m_startTimer->start(options.start_timeout_ms);
}

void DemoLauncher::onReadyRead()
{
    const bool wasReady = m_ready;
    if (consumeOutput() && !wasReady && m_async) {
        if (m_startTimer)
            m_startTimer->stop();
        Q_EMIT targetReady(m_baseUrl);
    }
}

bool DemoLauncher::consumeOutput()
{
    if (!m_process)
        return m_ready;
    m_stdout += m_process->readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_stdout.indexOf('\n')) >= 0) {
        const QString line = QString::fromLocal8Bit(m_stdout.left(newline)).trimmed();
        m_stdout.remove(0, newline + 1);
        if (line.startsWith(QLatin1String("DATABASE "))) {
            const QString db = line.mid(9);
            m_conninfo = db.startsWith(QLatin1String("sqlite:")) ? db : m_requestedDb;
        } else if (line.startsWith(QLatin1String("LISTENING "))) {
            m_baseUrl = line.mid(10);
            m_ready = true;
        }
    }
    return m_ready;
}

void DemoLauncher::onFinished(int exitCode, QProcess::ExitStatus status)
{
    Q_UNUSED(status);
    if (m_stopping)
        return;
    if (m_ready) {
        Q_EMIT targetExited(exitCode);
    } else if (m_async) {
        if (m_startTimer)
            m_startTimer->stop();
        m_stderr += m_process->readAllStandardError();
        Q_EMIT targetFailed(failureMessage(QStringLiteral("exited with code %1 before it was ready").arg(exitCode)));
    }
}

QString DemoLauncher::failureMessage(const QString &what) const
{
    const QString tail = QString::fromLocal8Bit(m_stderr).trimmed();
    return QStringLiteral("the demo backend (%1) %2%3")
        .arg(kBinaryName, what, tail.isEmpty() ? QString() : QStringLiteral(": ") + tail);
}

void DemoLauncher::stop()
{
    if (m_startTimer) {
        m_startTimer->stop();
        m_startTimer->deleteLater();
        m_startTimer = nullptr;
    }
    if (!m_process)
        return;
    m_stopping = true;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(1000);
        }
    }
    m_process->disconnect(this);
    delete m_process;
    m_process = nullptr;
    m_ready = false;
    if (m_ownsSqlLog)
        QFile::remove(m_sqlLog);
    m_ownsSqlLog = false;
}

bool DemoLauncher::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 DemoLauncher::processId() const
{
    return m_process ? m_process->processId() : 0;
}

} // namespace Preflight
