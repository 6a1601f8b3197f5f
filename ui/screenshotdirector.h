#pragma once

#include <QObject>
#include <QString>

namespace Preflight {

class MainWindow;

// Unattended runs of the GUI for docs/screenshots (scripts/screenshots.sh), driven by environment variables:
//   PREFLIGHT_PLAN=FILE            open this plan at start
//   PREFLIGHT_TARGET=URL           replace the base URL (e.g. the demo target's LISTENING address)
//   PREFLIGHT_AUTOSTART=1          press Start once the window is shown
//   PREFLIGHT_SCREENSHOT=FILE.png  save the window when the run ends or after PREFLIGHT_SCREENSHOT_AFTER_S
//                                  seconds of load (default 10), then stop the run and quit
//   PREFLIGHT_WINDOW_SIZE=WxH      window size (default 1440x900 when taking a screenshot)
// Without any of them it does nothing.
class ScreenshotDirector : public QObject
{
    Q_OBJECT
public:
    explicit ScreenshotDirector(MainWindow *window);

    bool isActive() const { return m_active; }
    // Applies the plan/target/size and schedules the start and the screenshot. Call after show().
    void begin();

private:
    void takeScreenshot();

    MainWindow *m_window;
    QString m_screenshot;
    double m_after_s = 10;
    bool m_autostart = false;
    bool m_active = false;
    bool m_taken = false;
};

} // namespace Preflight
