#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

namespace Preflight {

class MainWindow;

// Unattended runs of the GUI for docs/screenshots (scripts/screenshots.sh), driven by environment variables:
//   PREFLIGHT_PLAN=FILE            open this plan at start
//   PREFLIGHT_TARGET=URL           replace the base URL (e.g. the demo target's LISTENING address)
//   PREFLIGHT_AUTOSTART=1          press Start once the window is shown
//   PREFLIGHT_SCREENSHOT=FILE.png  save the window when the run ends or after PREFLIGHT_SCREENSHOT_AFTER_S
//                                  seconds of load (default 10), then stop the run and quit
//   PREFLIGHT_SCREENSHOT_VIEWS=a,b once the finished run is diagnosed, set up each view in turn and save the
//                                  window as DIR/VIEW.png (DIR: PREFLIGHT_SCREENSHOT_DIR, default "."), then
//                                  quit. Views: main, findings, queries, errors, history, comparison, target,
//                                  scenario (see viewNames()). PREFLIGHT_SCREENSHOT_SUFFIX (e.g. "-dark") is
//                                  appended to each file name.
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

    static QStringList viewNames();

private:
    void takeScreenshot();
    void shootViews();
    void shootNextView();
    // Arranges the window for `view`; false for an unknown name.
    bool showView(const QString &view);
    bool save(const QString &path);
    void quit(bool ok);

    MainWindow *m_window;
    QString m_screenshot;
    QStringList m_views; // still to shoot
    QString m_dir;
    QString m_suffix;
    double m_after_s = 10;
    bool m_autostart = false;
    bool m_active = false;
    bool m_taken = false;
    bool m_allSaved = true;
};

} // namespace Preflight
