#pragma once

#include <QObject>

class QSocketNotifier;

namespace Preflight::Cli {

// Turns SIGINT/SIGTERM into a Qt signal on the main thread (self-pipe), so that Ctrl-C stops a run
// cleanly: the first press drains, the second abandons in-flight requests.
class InterruptWatcher : public QObject
{
    Q_OBJECT
public:
    explicit InterruptWatcher(QObject *parent = nullptr);
    ~InterruptWatcher() override;
    int count() const { return m_count; }

signals:
    void interrupted(int count);

private:
    void onReadable();
    QSocketNotifier *m_notifier = nullptr;
    int m_count = 0;
};

} // namespace Preflight::Cli
