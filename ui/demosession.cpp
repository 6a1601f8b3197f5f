#include "demosession.h"

#include "demo/demoplan.h"
#include "errorbanner.h"
#include "mainwindow.h"
#include "statusline.h"

#include <QAction>
#include <QCoreApplication>

namespace Preflight {

std::optional<DemoSession::Arguments> DemoSession::parse(const QStringList &args, QString *error)
{
    Arguments result;
    if (args.isEmpty() || args.first() != QLatin1String("demo"))
        return result;
    result.demo = true;
    // Both "--flaw LIST" and "--flaw=LIST"; the CLI accepts the same forms for --headless.
    for (int i = 1; i < args.size(); ++i) {
        QString name = args[i];
        QString value;
        bool hasValue = false;
        if (const int eq = name.indexOf(QLatin1Char('=')); name.startsWith(QLatin1String("--")) && eq > 0) {
            value = name.mid(eq + 1);
            name = name.left(eq);
            hasValue = true;
        }
        if (name != QLatin1String("--flaw") && name != QLatin1String("--db")) {
            *error = tr("Unknown option for preflight demo: %1 (the GUI demo takes --flaw LIST and --db CONNINFO)")
                         .arg(args[i]);
            return std::nullopt;
        }
        if (!hasValue) {
            if (i + 1 >= args.size()) {
                *error = tr("%1 needs a value").arg(name);
                return std::nullopt;
            }
            value = args[++i];
        }
        if (name == QLatin1String("--flaw"))
            result.options.flaws = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
        else
            result.options.db = value;
    }
    return result;
}

DemoSession::DemoSession(MainWindow *window, QObject *parent)
    : QObject(parent), m_window(window), m_launcher(new DemoLauncher(this))
{
    connect(m_launcher, &DemoLauncher::targetReady, this, &DemoSession::onReady);
    connect(m_launcher, &DemoLauncher::targetFailed, this, &DemoSession::onFailed);
    connect(m_launcher, &DemoLauncher::targetExited, this, &DemoSession::onExited);
    // Closing the last window quits the application; the target must not outlive it (docs/demo.md).
    connect(qApp, &QCoreApplication::aboutToQuit, m_launcher, &DemoLauncher::stop);
}

void DemoSession::start(const DemoLauncher::Options &options)
{
    m_flaws = options.flaws;
    m_ready = false;
    m_window->startAction()->setEnabled(false);
    m_window->statusLine()->setPhase(tr("starting demo backend…"));
    m_window->banner()->showMessage(ErrorBanner::Kind::Info,
                                    tr("Starting the demo backend (flaws: %1)…")
                                        .arg(m_flaws.isEmpty() ? tr("none") : m_flaws.join(QStringLiteral(", "))),
                                    options.db.isEmpty()
                                        ? tr("It seeds a SQLite database first; this takes a few seconds.")
                                        : tr("It seeds the PostgreSQL database first; this takes a few seconds."));
    m_launcher->startAsync(options);
}

void DemoSession::onReady(const QString &baseUrl)
{
    m_ready = true;
    m_window->loadUnsavedPlan(demoPlan(baseUrl, m_launcher->databaseConninfo(), m_launcher->sqlLogPath()), tr("Demo"));
    m_window->startAction()->setEnabled(true);
    m_window->statusLine()->setPhase(tr("demo backend ready"));
    m_window->banner()->showMessage(
        ErrorBanner::Kind::Info,
        tr("Demo backend running at %1 with flaws: %2.")
            .arg(baseUrl, m_flaws.isEmpty() ? tr("none") : m_flaws.join(QStringLiteral(", "))),
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
