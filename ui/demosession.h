#pragma once

#include "demo/demoarguments.h"
#include "demo/demolauncher.h"

#include <QObject>
#include <QStringList>

namespace Preflight {

class MainWindow;

// `preflight demo [--flaw LIST] [--db CONNINFO] [--levels LIST] [--step S]` in the GUI (the arguments are
// DemoArguments, parsed as for the CLI): starts preflight-demo-target without blocking
// the GUI thread, shows "starting the demo backend…" in the banner, then loads demoPlan() into the window as
// an unsaved document titled "Demo". The target is stopped when the application quits (and when this
// object is destroyed); failures go to the banner with a fix.
class DemoSession : public QObject
{
    Q_OBJECT
public:
    DemoSession(MainWindow *window, QObject *parent = nullptr);

    void start(const DemoArguments &arguments);
    DemoLauncher *launcher() const { return m_launcher; }
    bool isReady() const { return m_ready; }

signals:
    void ready(const QString &baseUrl);
    void failed(const QString &message);

private:
    void onReady(const QString &baseUrl);
    void onFailed(const QString &message);
    void onExited(int exitCode);

    MainWindow *m_window;
    DemoLauncher *m_launcher;
    DemoArguments m_arguments;
    bool m_ready = false;
};

} // namespace Preflight
