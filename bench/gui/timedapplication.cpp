#include "timedapplication.h"

#include <QEvent>
#include <QMetaEnum>
#include <QPointer>
#include <QThread>

#include <algorithm>

namespace PreflightBench {

double DurationStats::max_ms() const
{
    return m_ms.empty() ? 0 : double(*std::max_element(m_ms.begin(), m_ms.end()));
}

double DurationStats::total_ms() const
{
    double sum = 0;
    for (float v : m_ms)
        sum += double(v);
    return sum;
}

double DurationStats::percentile_ms(double percent) const
{
    if (m_ms.empty())
        return 0;
    std::vector<float> sorted = m_ms;
    const auto rank =
        size_t(std::clamp(std::ceil(percent / 100.0 * double(sorted.size())), 1.0, double(sorted.size()))) - 1;
    std::nth_element(sorted.begin(), sorted.begin() + qsizetype(rank), sorted.end());
    return double(sorted[rank]);
}

size_t DurationStats::countAbove(double ms) const
{
    return size_t(std::count_if(m_ms.begin(), m_ms.end(), [ms](float v) { return double(v) > ms; }));
}

TimedApplication::TimedApplication(int &argc, char **argv) : QApplication(argc, argv)
{
    m_clock.start();
}

bool TimedApplication::notify(QObject *receiver, QEvent *event)
{
    if (!m_recording || QThread::currentThread() != thread())
        return QApplication::notify(receiver, event);
    const int depth = m_depth++;
    // Read before dispatch: the event may be deleted by its handler (DeferredDelete).
    const QEvent::Type type = event->type();
    const char *className = receiver->metaObject()->className();
    const QPointer<QObject> alive = depth == 0 ? receiver : nullptr; // handlers may delete the receiver
    QElapsedTimer timer;
    timer.start();
    const bool result = QApplication::notify(receiver, event);
    const qint64 ns = timer.nsecsElapsed();
    --m_depth;
    if (!m_recording)
        return result; // recording ended inside this dispatch (the benchmark's own end-state measurements)
    if (type == QEvent::Paint) {
        const auto it = m_paintNames.constFind(receiver);
        m_paints[it == m_paintNames.cend() ? QStringLiteral("other widgets") : *it].add_ns(ns);
    } else if (type == QEvent::Timer) {
        const auto it = m_timerNames.constFind(receiver);
        if (it != m_timerNames.cend())
            m_timers[*it].add_ns(ns);
    }
    if (depth == 0) {
        m_outermost.add_ns(ns);
        m_dispatched_ns += ns;
        ++m_dispatchCount;
        m_ring[m_ringNext++ % kRing] = {m_clock.nsecsElapsed(), float(double(ns) / 1e6), type, className};
        noteWorst(double(ns) / 1e6, type, className, alive.data());
    }
    return result;
}

QStringList TimedApplication::dispatchesSince(qint64 since_ns, int n) const
{
    std::vector<Dispatch> in;
    for (const Dispatch &d : m_ring)
        if (d.className && d.end_ns > since_ns)
            in.push_back(d);
    std::sort(in.begin(), in.end(), [](const Dispatch &a, const Dispatch &b) { return a.ms > b.ms; });
    QStringList out;
    for (size_t i = 0; i < in.size() && int(i) < n; ++i) {
        const char *typeName = QMetaEnum::fromType<QEvent::Type>().valueToKey(int(in[i].type));
        out << QStringLiteral("%1 %2 → %3")
                   .arg(double(in[i].ms), 0, 'f', 1)
                   .arg(QString::fromLatin1(typeName ? typeName : "event"), QString::fromLatin1(in[i].className));
    }
    return out;
}

void TimedApplication::noteWorst(double ms, QEvent::Type type, const char *className, QObject *receiver)
{
    constexpr size_t kKept = 8;
    if (m_worst.size() >= kKept && ms <= m_worst.back().ms)
        return;
    const char *typeName = QMetaEnum::fromType<QEvent::Type>().valueToKey(int(type));
    QString what =
        QString::fromLatin1(typeName ? typeName : "event") + QStringLiteral(" → ") + QString::fromLatin1(className);
    if (receiver && m_timerNames.contains(receiver))
        what += QStringLiteral(" (") + m_timerNames.value(receiver) + QStringLiteral(")");
    else if (receiver && !receiver->objectName().isEmpty())
        what += QStringLiteral(" \"") + receiver->objectName() + QStringLiteral("\"");
    m_worst.push_back({ms, what, m_runTime_s});
    std::sort(m_worst.begin(), m_worst.end(), [](const Worst &a, const Worst &b) { return a.ms > b.ms; });
    if (m_worst.size() > kKept)
        m_worst.pop_back();
}

} // namespace PreflightBench
