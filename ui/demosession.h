#pragma once

#include "demo/demolauncher.h"

#include <QObject>
#include <QStringList>

#include <optional>

namespace Preflight {

class MainWindow;

// `preflight demo [--flaw LIST] [--db CONNINFO]` in the GUI: starts preflight-demo-target without blocking
// the GUI thread, shows "starting the demo backend…" in the banner, then loads demoPlan() into the window as
// an unsaved document titled "Demo". The target is stopped when the application quits (and when this
// object is destroyed); failures go to the banner with a fix.
class DemoSession : public QObject
{
    Q_OBJECT
public:
    struct Arguments
    {
        bool demo = false;             // argv[1] == "demo"
        DemoLauncher::Options options; // flaws default to single-connection,n-plus-one
    };

    // `args` without the program name. nullopt and *error for an unknown option or a missing value.
    static std::optional<Arguments> parse(const QStringList &args, QString *error);

    DemoSession(MainWindow *window, QObject *parent = nullptr);

    void start(const DemoLauncher::Options &options);
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
    QStringList m_flaws;
    bool m_ready = false;
};

} // namespace Preflight
