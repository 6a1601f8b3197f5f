#include "screenshotdirector.h"

#include "errorbanner.h"
#include "mainwindow.h"
#include "run/runcontroller.h"
#include "targetpanel.h"

#include <QApplication>
#include <QLineEdit>
#include <QTimer>

#include <cstdio>

namespace Preflight {

ScreenshotDirector::ScreenshotDirector(MainWindow *window) : QObject(window), m_window(window)
{
    m_screenshot = qEnvironmentVariable("PREFLIGHT_SCREENSHOT");
    m_autostart = qEnvironmentVariableIntValue("PREFLIGHT_AUTOSTART") == 1;
    bool ok = false;
    const double after = qEnvironmentVariable("PREFLIGHT_SCREENSHOT_AFTER_S").toDouble(&ok);
    if (ok && after > 0)
        m_after_s = after;
    m_active = !m_screenshot.isEmpty() || m_autostart || qEnvironmentVariableIsSet("PREFLIGHT_PLAN")
               || qEnvironmentVariableIsSet("PREFLIGHT_TARGET");
}

void ScreenshotDirector::begin()
{
    if (!m_active)
        return;
    const QString size = qEnvironmentVariable("PREFLIGHT_WINDOW_SIZE", m_screenshot.isEmpty() ? QString() : QStringLiteral("1440x900"));
    const QStringList wh = size.split(QLatin1Char('x'));
    if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0)
        m_window->resize(wh[0].toInt(), wh[1].toInt());
    if (const QString plan = qEnvironmentVariable("PREFLIGHT_PLAN"); !plan.isEmpty())
        m_window->openPlan(plan);
    if (const QString target = qEnvironmentVariable("PREFLIGHT_TARGET"); !target.isEmpty())
        m_window->targetPanel()->baseUrlEdit()->setText(target);

    if (!m_screenshot.isEmpty()) {
        connect(m_window->controller(), &RunController::runFinished, this,
                [this] { QTimer::singleShot(600, this, &ScreenshotDirector::takeScreenshot); });
        connect(m_window->controller(), &RunController::runFailed, this,
                [this] { QTimer::singleShot(300, this, &ScreenshotDirector::takeScreenshot); });
        connect(m_window->controller(), &RunController::runStarted, this,
                [this] { QTimer::singleShot(int(m_after_s * 1000), this, &ScreenshotDirector::takeScreenshot); });
        if (!m_autostart)
            QTimer::singleShot(int(m_after_s * 1000), this, &ScreenshotDirector::takeScreenshot);
    }
    if (m_autostart)
        QTimer::singleShot(300, m_window, &MainWindow::startRun);
}

void ScreenshotDirector::takeScreenshot()
{
    if (m_taken)
        return;
    m_taken = true;
    const bool saved = m_window->grab().save(m_screenshot);
    std::fprintf(stderr, "preflight: screenshot %s %s\n", saved ? "saved to" : "could not be written to",
                 qPrintable(m_screenshot));
    if (!m_window->banner()->message().isEmpty())
        std::fprintf(stderr, "preflight: banner: %s\n", qPrintable(m_window->banner()->message()));
    if (m_window->controller()->isRunning()) {
        m_window->controller()->stop();
        m_window->controller()->stop();
        connect(m_window->controller(), &RunController::runFinished, qApp, [saved] { QApplication::exit(saved ? 0 : 1); });
        QTimer::singleShot(5000, qApp, [saved] { QApplication::exit(saved ? 0 : 1); });
        return;
    }
    QApplication::exit(saved ? 0 : 1);
}

} // namespace Preflight
