#pragma once

#include <QString>

namespace Preflight {

// Liveness of a run's writer, without trusting pids or clocks: the writer holds an exclusive flock(2) on a
// lock file next to the store (`<store>-run-<token>.lock`) for as long as its run is `running`. The kernel
// drops the lock when the process dies (kill -9 included), so anyone who can take the lock knows the
// writer is gone. Internal to the run store. Not thread-safe; one owner.
class WriterLock
{
public:
    WriterLock() = default;
    ~WriterLock();
    WriterLock(const WriterLock &) = delete;
    WriterLock &operator=(const WriterLock &) = delete;

    static QString lockPath(const QString &storePath, const QString &token);

    // Creates and locks the file (non-blocking). False with *error when it cannot.
    bool acquire(const QString &path, QString *error);
    // Takes the lock only if nobody holds it. True: the previous holder is gone (or never existed).
    bool tryTakeOver(const QString &path);
    // Unlocks; with remove, deletes the file first (while still holding the lock, so no one races us).
    void release(bool remove);
    bool isHeld() const { return m_fd >= 0; }

private:
    int m_fd = -1;
    QString m_path;
};

} // namespace Preflight
