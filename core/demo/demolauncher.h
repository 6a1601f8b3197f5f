#pragma once

#include "demoplan.h"

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

class QTimer;

namespace Preflight {

// Starts and owns one preflight-demo-target process (app/demotarget, docs/demo.md) on a free loopback port.
//
// The target prints "DATABASE <sqlite:PATH|postgresql>" and then "LISTENING http://127.0.0.1:PORT" when it is
// ready; the launcher waits for both. The child gets --parent-pid (and sets PR_SET_PDEATHSIG itself), so it
// exits when this process exits or is killed. The destructor stops it: SIGTERM, up to 3 s, then SIGKILL.
//
// Lives in the thread that created it (QProcess affinity). start() blocks up to options.start_timeout_ms
// and is meant for the CLI and tests; the GUI uses startAsync() and the signals.
class DemoLauncher : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QStringList flaws{QStringLiteral("single-connection"), QStringLiteral("n-plus-one")};
        QString db;                   // PostgreSQL conninfo the demo may write to; empty: its own SQLite file
        QString sql_log;              // optional --sql-log FILE
        QStringList extra_args;       // passed through verbatim, e.g. {"--threads", "16"}
        int start_timeout_ms = 30000; // seeding + listening
    };

    explicit DemoLauncher(QObject *parent = nullptr);
    ~DemoLauncher() override;

    // $PREFLIGHT_DEMO_TARGET, else next to the running executable (also ./demotarget/ for the build tree),
    // else PATH. Empty and *error (naming the places searched) when not found.
    static QString findBinary(QString *error);

    // Blocks until ready, failed or timed out. False and *error (with the target's stderr tail) on failure;
    // the process is then stopped.
    bool start(const Options &options, QString *error);
    // Returns at once; emits targetReady() or targetFailed() later.
    void startAsync(const Options &options);
    // SIGTERM, then SIGKILL after 3 s. Blocks at most ~4 s. Idempotent.
    void stop();

    bool isRunning() const;
    QString baseUrl() const { return m_baseUrl; }           // "http://127.0.0.1:PORT" once ready
    QString databaseConninfo() const { return m_conninfo; } // "sqlite:PATH", or Options::db
    // The statement log (`<request-id>\t<sql>`); with no Options::sql_log a temporary one that records only
    // requests marked X-Preflight-Profile (the profiling pass), removed by stop().
    QString sqlLogPath() const { return m_sqlLog; }
    qint64 processId() const;
    QString stderrTail() const { return QString::fromLocal8Bit(m_stderr); }

Q_SIGNALS:
    void targetReady(const QString &baseUrl);
    void targetFailed(const QString &message);
    // The target exited after it was ready, without stop() being called.
    void targetExited(int exitCode);

private:
    bool launch(const Options &options, QString *error);
    bool consumeOutput(); // true once the LISTENING line was seen
    QString failureMessage(const QString &what) const;
    void onReadyRead();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QProcess *m_process = nullptr;
    QTimer *m_startTimer = nullptr;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_baseUrl;
    QString m_conninfo;
    QString m_requestedDb;
    QString m_sqlLog;
    bool m_ownsSqlLog = false;
    bool m_ready = false;
    bool m_stopping = false;
    bool m_async = false;
};

} // namespace Preflight
