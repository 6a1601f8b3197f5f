#pragma once

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QHash>
#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace PreflightBench {

// Durations of one kind of GUI-thread work, in milliseconds.
class DurationStats
{
public:
    void add_ns(qint64 ns) { m_ms.push_back(float(double(ns) / 1e6)); }
    void add_ms(double ms) { m_ms.push_back(float(ms)); }
    size_t count() const { return m_ms.size(); }
    double max_ms() const;
    double total_ms() const;
    double mean_ms() const { return m_ms.empty() ? 0 : total_ms() / double(m_ms.size()); }
    // Nearest rank; 0 when empty.
    double percentile_ms(double percent) const;
    size_t countAbove(double ms) const;
    void clear() { m_ms.clear(); }

private:
    std::vector<float> m_ms;
};

// A QApplication that times every event it dispatches on the GUI thread (QCoreApplication::notify):
// the outermost dispatches are what keeps the event loop from running anything else (a stall, whatever
// caused it), paint events are attributed to the widgets registered with watchPaint(), timer events to
// the timers registered with watchTimer(). Nested dispatches (a paint sent inside an UpdateRequest) are
// timed too, so a paint counts both for its widget and for the outer dispatch that contained it.
class TimedApplication : public QApplication
{
public:
    TimedApplication(int &argc, char **argv);

    void setRecording(bool on) { m_recording = on; }
    void watchPaint(QObject *receiver, const QString &name) { m_paintNames.insert(receiver, name); }
    void watchTimer(QObject *timer, const QString &name) { m_timerNames.insert(timer, name); }
    // Where the replay is (simulated run seconds), noted with the worst dispatches.
    void setRunTime(double t_s) { m_runTime_s = t_s; }

    const DurationStats &outermost() const { return m_outermost; }
    // Nanoseconds spent in outermost dispatches so far, and how many: a watchdog subtracts two readings to
    // tell a gap filled by event handling from one where the thread was elsewhere (descheduled, in the
    // event loop's own polling, waiting on the X server).
    qint64 dispatchedNs() const { return m_dispatched_ns; }
    qint64 dispatchCount() const { return m_dispatchCount; }
    // The outermost dispatches that ended after `since_ns` (on clock()), longest first, at most `n`, from a
    // ring of the last 512: what filled a watchdog gap.
    QStringList dispatchesSince(qint64 since_ns, int n) const;
    const QElapsedTimer &clock() const { return m_clock; }
    const std::map<QString, DurationStats> &paints() const { return m_paints; }
    const std::map<QString, DurationStats> &timers() const { return m_timers; }
    // The longest outermost dispatches: what they were, longest first.
    struct Worst
    {
        double ms = 0;
        QString what;
        double runTime_s = 0;
    };
    const std::vector<Worst> &worst() const { return m_worst; }

    bool notify(QObject *receiver, QEvent *event) override;

private:
    void noteWorst(double ms, QEvent::Type type, const char *className, QObject *receiver);

    bool m_recording = false;
    double m_runTime_s = 0;
    int m_depth = 0;
    QHash<QObject *, QString> m_paintNames;
    QHash<QObject *, QString> m_timerNames;
    DurationStats m_outermost;
    struct Dispatch
    {
        qint64 end_ns = 0;
        float ms = 0;
        QEvent::Type type = QEvent::None;
        const char *className = nullptr; // static metaobject data: outlives the receiver
    };
    static constexpr size_t kRing = 512;
    std::vector<Dispatch> m_ring = std::vector<Dispatch>(kRing);
    size_t m_ringNext = 0;
    QElapsedTimer m_clock;
    qint64 m_dispatched_ns = 0;
    qint64 m_dispatchCount = 0;
    std::map<QString, DurationStats> m_paints;
    std::map<QString, DurationStats> m_timers;
    std::vector<Worst> m_worst;
};

} // namespace PreflightBench
