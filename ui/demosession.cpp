#include "demosession.h"

#include "demo/demoplan.h"
#include "errorbanner.h"
#include "mainwindow.h"
#include "statusline.h"

#include <QAction>
#include <QCoreApplication>

namespace Preflight {

DemoSession::DemoSession(MainWindow *window, QObject *parent)
    : QObject(parent), m_window(window), m_launcher(new DemoLauncher(this))
{
    connect(m_launcher, &DemoLauncher::targetReady, this, &DemoSession::onReady);
    connect(m_launcher, &DemoLauncher::targetFailed, this, &DemoSession::onFailed);
    connect(m_launcher, &DemoLauncher::targetExited, this, &DemoSession::onExited);
    // Closing the last window quits the application; the target must not outlive it (docs/demo.md).
    connect(qApp, &QCoreApplication::aboutToQuit, m_launcher, &DemoLauncher::stop);
}

void DemoSession::start(const DemoArguments &arguments)
{
    m_arguments = arguments;
    const DemoLauncher::Options &options = arguments.launcher;
    const QStringList &flaws = options.flaws;
    m_ready = false;
    m_window->startAction()->setEnabled(false);
    m_window->statusLine()->setPhase(tr("starting demo backend…"));
    m_window->banner()->showMessage(ErrorBanner::Kind::Info,
                                    tr("Starting the demo backend (flaws: %1)…")
                                        .arg(flaws.isEmpty() ? tr("none") : flaws.join(QStringLiteral(", "))),
                                    options.db.isEmpty()
                                        ? tr("It seeds a SQLite database first; this takes a few seconds.")
                                        : tr("It seeds the PostgreSQL database first; this takes a few seconds."));
    m_launcher->startAsync(options);
}

void DemoSession::onReady(const QString &baseUrl)
{
    m_ready = true;
    Plan plan = demoPlan(baseUrl, m_launcher->databaseConninfo(), m_launcher->sqlLogPath());
    m_arguments.applyTo(&plan);
    m_window->loadUnsavedPlan(plan, tr("Demo"));
    const QStringList &flaws = m_arguments.launcher.flaws;
    m_window->startAction()->setEnabled(true);
    m_window->statusLine()->setPhase(tr("demo backend ready"));
    m_window->banner()->showMessage(
        ErrorBanner::Kind::Info,
        tr("Demo backend running at %1 with flaws: %2.")
            .arg(baseUrl, flaws.isEmpty() ? tr("none") : flaws.join(QStringLiteral(", "))),
        tr("Press Start (Ctrl+R) to run the sweep; findings appear when it ends. The backend stops when you close "
           "Preflight."));
    emit ready(baseUrl);
}

void DemoSession::onFailed(const QString &message)
{
    m_window->startAction()->setEnabled(true);
    m_window->statusLine()->setPhase(tr("demo backend failed"));
    m_window->banner()->showMessage(
        ErrorBanner::Kind::Error, tr("The demo backend did not start: %1").arg(message),
        tr("Build preflight-demo-target next to preflight (or set PREFLIGHT_DEMO_TARGET to its path); "
           "for --db, check that the PostgreSQL conninfo accepts connections."));
    emit failed(message);
}

void DemoSession::onExited(int exitCode)
{
    m_ready = false;
    m_window->banner()->showMessage(ErrorBanner::Kind::Error, tr("The demo backend exited (code %1).").arg(exitCode),
                                    tr("Restart `preflight demo`; its stderr is in the terminal you started it from."));
}

} // namespace Preflight
