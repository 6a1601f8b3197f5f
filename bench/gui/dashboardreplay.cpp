// GUI replay benchmark: a synthetic 1-hour, 50-endpoint sweep replayed into the real MainWindow
// through RunController's own signals, measuring how long the GUI thread is kept from its event loop, what
// each chart's repaint costs, and memory. Outside the test run; results and commands in
// docs/benchmarks.md, "GUI: replaying a 1-hour, 50-endpoint run into the dashboard".
//
//   preflight-bench-dashboard [--mode realtime|stress] [--speed 60] [--endpoints 50] [--minutes 60]
//                             [--backlog 64] [--unsorted] [--no-run-mirror] [--json FILE]
//
// The replay path is the live one: a producer thread (standing in for the load engine and the samplers)
// posts each value to the GUI thread with a queued call, exactly as the engine's snapshot sink does; there
// the benchmark does what RunController::onSnapshot / onDbSample / onPoolSample do (append to the run,
// compact every 10 s, run the safety guard) and emits the controller's signal, which RunPresenter fans out to
// the dashboard, the endpoint table, the status line and (at 1 Hz and per level) the gate chips and the
// capacity chart. RunController has no seam for injecting samples, so the benchmark fills the run that
// RunController::run() returns through a const_cast (the object is not const: RunController owns it by
// shared_ptr<RunData>); --no-run-mirror leaves it empty to isolate the views' own memory.

#include "capacitychart.h"
#include "diagnosis/diagnoser.h"
#include "diagnosis/gates.h"
#include "endpointtablemodel.h"
#include "gatechips.h"
#include "livedashboard.h"
#include "mainwindow.h"
#include "run/intervalcompactor.h"
#include "run/runcontroller.h"
#include "runpresenter.h"
#include "syntheticstream.h"
#include "timedapplication.h"
#include "timeserieschart.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include <sys/resource.h>

using namespace Preflight;
using namespace PreflightBench;

namespace {

struct Memory
{
    double rss_mb = 0;
    double hwm_mb = 0;
};

// The calling thread's CPU time and involuntary context switches (getrusage RUSAGE_THREAD, one cheap syscall).
struct ThreadUsage
{
    double cpu_ms = 0;
    long involuntarySwitches = 0;
    long voluntarySwitches = 0; // the thread slept: in poll, or blocked in a call
};

ThreadUsage threadUsage()
{
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    const auto ms = [](const timeval &t) { return double(t.tv_sec) * 1e3 + double(t.tv_usec) / 1e3; };
    return {ms(u.ru_utime) + ms(u.ru_stime), u.ru_nivcsw, u.ru_nvcsw};
}

Memory readMemory()
{
    Memory m;
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return m;
    for (const QByteArray &line : status.readAll().split('\n')) {
        const auto kb = [&line] { return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0; };
        if (line.startsWith("VmRSS:"))
            m.rss_mb = kb();
        else if (line.startsWith("VmHWM:"))
            m.hwm_mb = kb();
    }
    return m;
}

// Heap bytes the run's histograms hold.
double histogramMegabytes(const RunData &run)
{
    double bytes = 0;
    for (const IntervalSnapshot &s : run.intervals)
        for (const EndpointStats &e : s.endpoints)
            bytes += double(e.latency.bytesHeld() + e.latency_uncorrected.bytesHeld());
    return bytes / (1024.0 * 1024.0);
}

QJsonObject statsJson(const DurationStats &s)
{
    return {{QStringLiteral("count"), qint64(s.count())},    {QStringLiteral("max_ms"), s.max_ms()},
            {QStringLiteral("p99_ms"), s.percentile_ms(99)}, {QStringLiteral("p50_ms"), s.percentile_ms(50)},
            {QStringLiteral("mean_ms"), s.mean_ms()},        {QStringLiteral("over_50ms"), qint64(s.countAbove(50))}};
}

void printStats(const char *name, const DurationStats &s)
{
    std::printf("  %-44s %8zu %9.2f %9.2f %9.2f %8zu\n", name, s.count(), s.percentile_ms(50), s.percentile_ms(99),
                s.max_ms(), s.countAbove(50));
}

struct Options
{
    bool stress = false;
    double speed = 60;
    int endpoints = 50;
    double minutes = 60;
    int backlog = 64;
    bool sorted = true;
    bool mirrorRun = true;
    QString json;
};

struct RssPoint
{
    double run_s = 0;
    Memory memory;
    double runHistograms_mb = 0;
};

class Replay : public QObject
{
public:
    Replay(TimedApplication *app, MainWindow *window, const Options &options)
        : m_app(app), m_window(window), m_options(options),
          m_stream(options.endpoints, {1, 2, 5, 10, 20, 30, 40, 50, 75, 100, 150, 200}, options.minutes * 60.0 / 12.0)
    {
    }

    ~Replay() override
    {
        m_abort = true;
        m_cv.notify_all();
        if (m_producer.joinable())
            m_producer.join();
        if (m_analyser.joinable())
            m_analyser.join();
    }

    const SyntheticStream &stream() const { return m_stream; }

    void start()
    {
        RunController *controller = m_window->controller();
        const Plan &plan = m_stream.plan();
        // As MainWindow::startRun: the panels show the plan, the presenter prepares every view.
        m_window->setPlan(plan);
        m_window->presenter()->prepare(plan);
        RunData &run = mirroredRun();
        run.plan = plan;
        run.stages = m_stream.schedule().stages();
        run.info.name = plan.name;
        run.info.status = RunStatus::Running;
        run.info.target = plan.target.base_url;
        run.info.scenario = plan.scenario.preset;
        run.database.kind = QStringLiteral("postgresql");
        run.database.max_connections = 100;
        emit controller->runStarted(run.info);
        emit controller->phaseChanged(QStringLiteral("running"));
        if (m_options.sorted)
            m_window->endpointView()->sortByColumn(EndpointTableModel::P95Column, Qt::DescendingOrder);

        m_baseline = readMemory();
        m_rss.push_back({0, m_baseline, 0});
        m_watchdog.setTimerType(Qt::PreciseTimer);
        m_watchdog.setInterval(5);
        QObject::connect(&m_watchdog, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const Beat beat{now, m_app->clock().nsecsElapsed(), m_app->dispatchedNs(), m_app->dispatchCount(),
                            threadUsage()};
            if (m_lastBeat.at_ns >= 0) {
                const qint64 late_ns = std::max<qint64>(0, now - m_lastBeat.at_ns - 5'000'000);
                m_lateness.add_ns(late_ns);
                noteLateBeat(late_ns, beat);
            }
            m_lastBeat = beat;
        });
        m_app->setRecording(true);
        m_clock.start();
        m_watchdog.start();
        m_producer = std::thread([this] { produce(); });
    }

    bool isDone() const { return m_done; }
    int exitCode() const { return m_exitCode; }
    QJsonObject report();

private:
    RunData &mirroredRun()
    {
        // RunController owns a non-const RunData (shared_ptr<RunData>) and appends to it in onSnapshot; the
        // benchmark does the same through the const accessor. See the note at the top of the file.
        return const_cast<RunData &>(m_window->controller()->run());
    }

    // The producer thread: the load engine's and the samplers' stand-in.
    void produce()
    {
        using Clock = std::chrono::steady_clock;
        const auto start = Clock::now();
        double nextSample_s = 1;
        RunController *controller = m_window->controller();
        for (int i = 0; i < m_stream.tickCount() && !m_abort; ++i) {
            IntervalSnapshotPtr s = m_stream.snapshot(i);
            if (!m_options.stress)
                std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(s->end_s / m_options.speed)));
            {
                // Both modes: at most `backlog` snapshots queued ahead of the GUI thread. Unbounded, a GUI thread
                // slower than the replay speed let the queue grow to gigabytes of snapshots, and the memory and
                // watchdog figures measured that queue, not the views; report() says when the replay fell behind.
                std::unique_lock<std::mutex> lock(m_mutex);
                m_cv.wait(lock, [this] { return m_abort || m_pending < m_options.backlog; });
                ++m_pending;
            }
            QMetaObject::invokeMethod(
                controller, [this, s] { deliverSnapshot(s); }, Qt::QueuedConnection);
            for (; nextSample_s <= s->end_s; nextSample_s += 1) {
                const DbSample db = m_stream.dbSample(nextSample_s);
                const PoolSample pool = m_stream.poolSample(nextSample_s);
                QMetaObject::invokeMethod(
                    controller, [this, db, pool] { deliverSamples(db, pool); }, Qt::QueuedConnection);
            }
        }
        QMetaObject::invokeMethod(
            controller, [this] { finishRun(); }, Qt::QueuedConnection);
    }

    // RunController::onSnapshot, then its signal.
    void deliverSnapshot(const IntervalSnapshotPtr &s)
    {
        m_app->setRunTime(s->end_s);
        m_lastRunTime_s = s->end_s;
        if (m_firstDelivery_ns < 0)
            m_firstDelivery_ns = m_clock.nsecsElapsed();
        QElapsedTimer timer;
        timer.start();
        if (m_options.mirrorRun) {
            RunData &run = mirroredRun();
            run.intervals.push_back(*s);
            run.info.duration_s = s->end_s;
            if (s->index % 40 == 39)
                IntervalCompactor::compact(run.intervals, run.stages, s->end_s);
            if (!m_guardTripped && safetyGuard(run.intervals, run.db_samples))
                m_guardTripped = true;
        }
        (s->index % 40 == 39 ? m_controllerCompacting : m_controller).add_ns(timer.nsecsElapsed());
        timer.restart();
        emit m_window->controller()->snapshotAvailable(s);
        const bool newLevel = s->stage_index != m_lastStage;
        m_lastStage = s->stage_index;
        (newLevel ? m_presenterNewLevel : m_presenter).add_ns(timer.nsecsElapsed());
        m_lastDelivery_ns = m_clock.nsecsElapsed();
        ++m_delivered;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            --m_pending;
        }
        m_cv.notify_all();
        if ((s->index + 1) % 1200 == 0) // every 5 simulated minutes
            m_rss.push_back({s->end_s, readMemory(), m_options.mirrorRun ? histogramMegabytes(mirroredRun()) : 0});
    }

    // RunController::onDbSample and onPoolSample, then their signals.
    void deliverSamples(const DbSample &db, const PoolSample &pool)
    {
        QElapsedTimer timer;
        timer.start();
        RunController *controller = m_window->controller();
        if (m_options.mirrorRun) {
            mirroredRun().db_samples.push_back(db);
            mirroredRun().pool_samples.push_back(pool);
        }
        emit controller->dbSampleAvailable(db);
        emit controller->poolSampleAvailable(pool);
        m_samples.add_ns(timer.nsecsElapsed());
    }

    // RunController::onEngineFinished (the run copied and analysed on a helper thread, as the controller does
    // since 5391051), then onAnalysed → runFinished.
    void finishRun()
    {
        m_replay_ms = double(m_clock.nsecsElapsed()) / 1e6;
        // Repaint whatever the last tick buffered, then read the end state.
        m_window->dashboard()->flush();
        m_final = readMemory();
        if (m_options.mirrorRun)
            m_finalRunHistograms_mb = histogramMegabytes(mirroredRun());
        m_finalIntervals = int(mirroredRun().intervals.size());
        readPointCounts();

        mirroredRun().info.status = RunStatus::Completed;
        m_analyser = std::thread([this] {
            QElapsedTimer timer;
            timer.start();
            auto copy = std::make_shared<RunData>(mirroredRun()); // read-only from here on, as in the controller
            m_finishCopy_ms = double(timer.nsecsElapsed()) / 1e6;
            QString error;
            std::optional<GateSet> gates = GateSet::fromPlan(copy->plan, &error);
            if (gates)
                applyDiagnosis(analyze(*copy, *gates), copy.get());
            QMetaObject::invokeMethod(
                m_window->controller(),
                [this, copy] {
                    QElapsedTimer t;
                    t.start();
                    emit m_window->controller()->runFinished(copy);
                    m_finishEmit_ms = double(t.nsecsElapsed()) / 1e6;
                    m_verdict = copy->verdict;
                    // Let the presenter's follow-up work (history, comparison) run under the watchdog too.
                    QTimer::singleShot(1500, this, [this] { finishMeasuring(); });
                },
                Qt::QueuedConnection);
        });
    }

    void readPointCounts()
    {
        LiveDashboard *d = m_window->dashboard();
        const std::pair<const char *, TimeSeriesChart *> charts[] = {{"latency", d->latencyChart()},
                                                                     {"throughput", d->throughputChart()},
                                                                     {"connections", d->connectionsChart()}};
        for (const auto &[name, chart] : charts) {
            QJsonArray lines, stacks;
            int total = 0;
            for (int i = 0; i < chart->lineCount(); ++i) {
                lines.append(chart->shownPoints(i));
                total += chart->shownPoints(i);
            }
            for (int i = 0; i < chart->stackLayerCount(); ++i) {
                stacks.append(chart->shownStackPoints(i));
                total += 2 * chart->shownStackPoints(i); // upper and lower edge
            }
            m_points[QLatin1String(name)] = QJsonObject{{QStringLiteral("lines"), lines},
                                                        {QStringLiteral("stack_layers"), stacks},
                                                        {QStringLiteral("total_points"), total}};
        }
        m_points[QStringLiteral("capacity")] =
            QJsonObject{{QStringLiteral("levels"), d->capacityChart()->pointCount()},
                        {QStringLiteral("fit_points"), d->capacityChart()->fitPointCount()}};
        m_points[QStringLiteral("endpoint_rows")] = m_window->endpointModel()->rowCount();
        m_points[QStringLiteral("gate_chips")] = d->gateChips()->chipCount();
    }

    void finishMeasuring()
    {
        m_watchdog.stop();
        m_app->setRecording(false);
        m_afterFinish = readMemory();
        measureEndStateRepaints();
        m_done = true;
        QCoreApplication::quit();
    }

    // Each chart at its end state, one tick more each time: flush() (data → series) and a synchronous
    // repaint (series → pixels), timed apart. Outside the event loop, so nothing else is counted.
    void measureEndStateRepaints()
    {
        LiveDashboard *d = m_window->dashboard();
        const std::pair<const char *, TimeSeriesChart *> charts[] = {{"latency", d->latencyChart()},
                                                                     {"throughput", d->throughputChart()},
                                                                     {"connections", d->connectionsChart()}};
        constexpr int kRepeats = 20;
        for (const auto &[name, chart] : charts) {
            DurationStats flush, paint;
            double t = chart->dataEnd_s();
            for (int k = 0; k < kRepeats; ++k) {
                t += SyntheticStream::kTick_s;
                for (int i = 0; i < chart->lineCount(); ++i)
                    chart->append(i, t, 5 + k % 3);
                if (chart->stackLayerCount() > 0)
                    chart->appendStack(t, std::vector<double>(size_t(chart->stackLayerCount()), 1.0));
                QElapsedTimer timer;
                timer.start();
                chart->flush();
                flush.add_ns(timer.nsecsElapsed());
                timer.restart();
                chart->viewport()->repaint();
                paint.add_ns(timer.nsecsElapsed());
            }
            m_endState[QLatin1String(name)] =
                QJsonObject{{QStringLiteral("flush"), statsJson(flush)}, {QStringLiteral("paint"), statsJson(paint)}};
        }
        DurationStats capacity;
        for (int k = 0; k < kRepeats; ++k) {
            QElapsedTimer timer;
            timer.start();
            d->capacityChart()->viewport()->repaint();
            capacity.add_ns(timer.nsecsElapsed());
        }
        m_endState[QStringLiteral("capacity")] = QJsonObject{{QStringLiteral("paint"), statsJson(capacity)}};
        DurationStats table;
        for (int k = 0; k < kRepeats; ++k) {
            QElapsedTimer timer;
            timer.start();
            m_window->endpointView()->viewport()->repaint();
            table.add_ns(timer.nsecsElapsed());
        }
        m_endState[QStringLiteral("endpoint_table")] = QJsonObject{{QStringLiteral("paint"), statsJson(table)}};
    }

    TimedApplication *m_app;
    MainWindow *m_window;
    Options m_options;
    SyntheticStream m_stream;
    std::thread m_producer;
    std::thread m_analyser;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_pending = 0; // posted, not yet delivered (guarded by m_mutex)
    std::atomic<bool> m_abort{false};

    QTimer m_watchdog;
    QElapsedTimer m_clock;
    // One watchdog beat: when, the GUI thread's dispatch time and count so far, and its own rusage.
    struct Beat
    {
        qint64 at_ns = -1;
        qint64 appClock_ns = 0; // the same moment on TimedApplication::clock()
        qint64 dispatched_ns = 0;
        qint64 dispatches = 0;
        ThreadUsage usage;
    };
    Beat m_lastBeat;
    double m_lastRunTime_s = 0;
    // The most late beats and what filled the gap before each, latest first.
    struct LateBeat
    {
        double late_ms = 0;
        double runTime_s = 0;
        double gap_ms = 0;
        double dispatched_ms = 0; // of the gap, in outermost event dispatches
        qint64 dispatches = 0;
        double cpu_ms = 0; // of the gap, on the GUI thread's CPU clock (user + system)
        long involuntarySwitches = 0;
        long voluntarySwitches = 0;
        QStringList longest; // the longest dispatches in the gap
    };
    std::vector<LateBeat> m_lateBeats;

    void noteLateBeat(qint64 late_ns, const Beat &beat)
    {
        constexpr size_t kKept = 5;
        const double late_ms = double(late_ns) / 1e6;
        if (m_lateBeats.size() >= kKept && late_ms <= m_lateBeats.back().late_ms)
            return;
        LateBeat b;
        b.late_ms = late_ms;
        b.runTime_s = m_lastRunTime_s;
        b.gap_ms = double(beat.at_ns - m_lastBeat.at_ns) / 1e6;
        b.dispatched_ms = double(beat.dispatched_ns - m_lastBeat.dispatched_ns) / 1e6;
        b.dispatches = beat.dispatches - m_lastBeat.dispatches;
        b.cpu_ms = beat.usage.cpu_ms - m_lastBeat.usage.cpu_ms;
        b.involuntarySwitches = beat.usage.involuntarySwitches - m_lastBeat.usage.involuntarySwitches;
        b.voluntarySwitches = beat.usage.voluntarySwitches - m_lastBeat.usage.voluntarySwitches;
        b.longest = m_app->dispatchesSince(m_lastBeat.appClock_ns, 4);
        m_lateBeats.push_back(b);
        std::sort(m_lateBeats.begin(), m_lateBeats.end(),
                  [](const LateBeat &x, const LateBeat &y) { return x.late_ms > y.late_ms; });
        if (m_lateBeats.size() > kKept)
            m_lateBeats.pop_back();
    }
    qint64 m_firstDelivery_ns = -1;
    qint64 m_lastDelivery_ns = -1;
    int m_delivered = 0;
    int m_lastStage = -2;
    bool m_guardTripped = false;
    DurationStats m_lateness;
    DurationStats m_controller, m_controllerCompacting;
    DurationStats m_presenter, m_presenterNewLevel;
    DurationStats m_samples;
    Memory m_baseline, m_final, m_afterFinish;
    std::vector<RssPoint> m_rss;
    double m_finalRunHistograms_mb = 0;
    int m_finalIntervals = 0;
    double m_replay_ms = 0;
    double m_finishCopy_ms = 0;
    double m_finishEmit_ms = -1;
    QString m_verdict;
    QJsonObject m_points;
    QJsonObject m_endState;
    bool m_done = false;
    int m_exitCode = 0;
};

QJsonObject Replay::report()
{
    const double simulated_h = m_stream.duration_s() / 3600.0;
    // Growth: least squares over the samples from 10 simulated minutes on (the first minutes fill caches,
    // the compactor's recent window and the charts' decimation buffers).
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    QJsonArray curve;
    for (const RssPoint &p : m_rss) {
        curve.append(QJsonObject{{QStringLiteral("run_s"), p.run_s},
                                 {QStringLiteral("rss_mb"), p.memory.rss_mb},
                                 {QStringLiteral("hwm_mb"), p.memory.hwm_mb},
                                 {QStringLiteral("run_histograms_mb"), p.runHistograms_mb}});
        if (p.run_s < 600)
            continue;
        n += 1;
        sx += p.run_s;
        sy += p.memory.rss_mb;
        sxx += p.run_s * p.run_s;
        sxy += p.run_s * p.memory.rss_mb;
    }
    const double slope_mb_per_s = n >= 2 && (n * sxx - sx * sx) != 0 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0;
    const double pipeline_s = double(m_lastDelivery_ns - m_firstDelivery_ns) / 1e9;

    QJsonObject paints, timers;
    for (const auto &[name, s] : m_app->paints())
        paints[name] = statsJson(s);
    for (const auto &[name, s] : m_app->timers())
        timers[name] = statsJson(s);
    QJsonArray worst;
    for (const TimedApplication::Worst &w : m_app->worst())
        worst.append(QJsonObject{
            {QStringLiteral("ms"), w.ms}, {QStringLiteral("what"), w.what}, {QStringLiteral("run_s"), w.runTime_s}});
    QJsonArray lateBeats;
    for (const LateBeat &b : m_lateBeats)
        lateBeats.append(QJsonObject{{QStringLiteral("late_ms"), b.late_ms},
                                     {QStringLiteral("run_s"), b.runTime_s},
                                     {QStringLiteral("gap_ms"), b.gap_ms},
                                     {QStringLiteral("dispatched_ms"), b.dispatched_ms},
                                     {QStringLiteral("dispatches"), double(b.dispatches)},
                                     {QStringLiteral("cpu_ms"), b.cpu_ms},
                                     {QStringLiteral("involuntary_switches"), double(b.involuntarySwitches)},
                                     {QStringLiteral("voluntary_switches"), double(b.voluntarySwitches)},
                                     {QStringLiteral("longest"), QJsonArray::fromStringList(b.longest)}});

    QJsonObject o;
    o[QStringLiteral("schema")] = QStringLiteral("preflight.bench.dashboard/1");
    o[QStringLiteral("platform")] = QGuiApplication::platformName();
    o[QStringLiteral("mode")] = m_options.stress ? QStringLiteral("stress") : QStringLiteral("realtime");
    o[QStringLiteral("speed")] = m_options.stress ? 0.0 : m_options.speed;
    o[QStringLiteral("backlog")] = m_options.stress ? m_options.backlog : 0;
    o[QStringLiteral("endpoints")] = m_options.endpoints;
    o[QStringLiteral("table_sorted_by_p95")] = m_options.sorted;
    o[QStringLiteral("run_mirrored")] = m_options.mirrorRun;
    o[QStringLiteral("simulated_s")] = m_stream.duration_s();
    o[QStringLiteral("snapshots")] = m_delivered;
    o[QStringLiteral("replay_wall_s")] = m_replay_ms / 1000.0;
    o[QStringLiteral("pipeline_snapshots_per_s")] = pipeline_s > 0 ? m_delivered / pipeline_s : 0;
    o[QStringLiteral("stall")] = QJsonObject{{QStringLiteral("watchdog_lateness"), statsJson(m_lateness)},
                                             {QStringLiteral("outermost_dispatch"), statsJson(m_app->outermost())},
                                             {QStringLiteral("worst"), worst},
                                             {QStringLiteral("latest_beats"), lateBeats}};
    o[QStringLiteral("deliveries")] =
        QJsonObject{{QStringLiteral("controller_tick"), statsJson(m_controller)},
                    {QStringLiteral("controller_tick_compacting"), statsJson(m_controllerCompacting)},
                    {QStringLiteral("presenter_tick"), statsJson(m_presenter)},
                    {QStringLiteral("presenter_tick_new_level"), statsJson(m_presenterNewLevel)},
                    {QStringLiteral("db_and_pool_samples"), statsJson(m_samples)},
                    {QStringLiteral("finish_run_copy_ms"), m_finishCopy_ms},
                    {QStringLiteral("finish_run_presenter_ms"), m_finishEmit_ms}};
    o[QStringLiteral("timers")] = timers;
    o[QStringLiteral("paints")] = paints;
    o[QStringLiteral("end_state_repaint")] = m_endState;
    o[QStringLiteral("points")] = m_points;
    o[QStringLiteral("memory")] = QJsonObject{{QStringLiteral("baseline_rss_mb"), m_baseline.rss_mb},
                                              {QStringLiteral("final_rss_mb"), m_final.rss_mb},
                                              {QStringLiteral("peak_rss_mb"), m_final.hwm_mb},
                                              {QStringLiteral("after_finish_rss_mb"), m_afterFinish.rss_mb},
                                              {QStringLiteral("after_finish_peak_rss_mb"), m_afterFinish.hwm_mb},
                                              {QStringLiteral("growth_mb_per_simulated_h"), slope_mb_per_s * 3600.0},
                                              {QStringLiteral("run_intervals_held"), m_finalIntervals},
                                              {QStringLiteral("run_histograms_mb"), m_finalRunHistograms_mb},
                                              {QStringLiteral("curve"), curve}};
    o[QStringLiteral("verdict")] = m_verdict;
    o[QStringLiteral("safety_guard_tripped")] = m_guardTripped;

    std::printf("Dashboard replay: %s, %d endpoints, %.0f simulated s (%.2f h), %d snapshots, platform %s\n",
                m_options.stress ? "stress" : qPrintable(QStringLiteral("real time x%1").arg(m_options.speed)),
                m_options.endpoints, m_stream.duration_s(), simulated_h, m_delivered,
                qPrintable(QGuiApplication::platformName()));
    std::printf("  replay %.1f s wall, pipeline %.0f snapshots/s\n", m_replay_ms / 1000.0,
                pipeline_s > 0 ? m_delivered / pipeline_s : 0.0);
    // The headline against the bar (the GUI thread never blocked more than 50 ms). The watchdog
    // sees every kind of blocking, batches of posted events included; the outermost dispatch names its cause.
    const double schedule_s = m_stream.duration_s() / m_options.speed;
    if (!m_options.stress)
        std::printf("  %s: the replay took %.0f s for a %.0f s schedule\n",
                    m_replay_ms / 1000.0 > schedule_s * 1.1 ? "FELL BEHIND (the GUI thread could not keep up; "
                                                              "the watchdog then also measures the backlog)"
                                                            : "kept up",
                    m_replay_ms / 1000.0, schedule_s);
    std::printf("  longest GUI-thread stall: %.1f ms (watchdog), longest single dispatch %.1f ms; bar 50 ms: %s\n\n",
                m_lateness.max_ms(), m_app->outermost().max_ms(),
                std::max(m_lateness.max_ms(), m_app->outermost().max_ms()) <= 50 ? "met" : "NOT met");
    std::printf("  %-44s %8s %9s %9s %9s %8s\n", "GUI thread (ms)", "count", "p50", "p99", "max", ">50ms");
    printStats("watchdog lateness (5 ms timer)", m_lateness);
    printStats("outermost event dispatch", m_app->outermost());
    printStats("controller: append + guard", m_controller);
    printStats("controller: append + compact + guard", m_controllerCompacting);
    printStats("presenter: snapshot fan-out", m_presenter);
    printStats("presenter: snapshot fan-out at a new level", m_presenterNewLevel);
    printStats("DB + pool sample delivery", m_samples);
    for (const auto &[name, s] : m_app->timers())
        printStats(qPrintable(QStringLiteral("timer: ") + name), s);
    for (const auto &[name, s] : m_app->paints())
        printStats(qPrintable(QStringLiteral("paint: ") + name), s);
    std::printf("  end of run: copy of the run %.1f ms (analysis thread), runFinished fan-out %.1f ms (verdict %s)\n",
                m_finishCopy_ms, m_finishEmit_ms, qPrintable(m_verdict));
    std::printf(
        "\n  Latest (most late) watchdog beats, and what filled the gap before each (dispatch = outermost event "
        "handling,\n"
        "  cpu = the GUI thread's own CPU time, preempted = involuntary context switches, slept = voluntary ones):\n");
    for (const LateBeat &b : m_lateBeats) {
        std::printf("    %6.1f ms late at run %6.0f s: gap %6.1f ms, dispatch %6.1f ms in %lld events, cpu %6.1f ms, "
                    "preempted %ld, slept %ld\n",
                    b.late_ms, b.runTime_s, b.gap_ms, b.dispatched_ms, (long long)b.dispatches, b.cpu_ms,
                    b.involuntarySwitches, b.voluntarySwitches);
        if (!b.longest.isEmpty())
            std::printf("           longest: %s\n", qPrintable(b.longest.join(QStringLiteral("; "))));
    }
    std::printf("\n  Longest outermost dispatches:\n");
    for (const TimedApplication::Worst &w : m_app->worst())
        std::printf("    %8.1f ms at run %6.0f s  %s\n", w.ms, w.runTime_s, qPrintable(w.what));
    std::printf("\n  End-state repaint per chart (flush p50/max, paint p50/max, ms):\n");
    for (auto it = m_endState.begin(); it != m_endState.end(); ++it) {
        const QJsonObject c = it.value().toObject();
        const QJsonObject f = c.value(QStringLiteral("flush")).toObject(),
                          p = c.value(QStringLiteral("paint")).toObject();
        std::printf("    %-16s flush %7.2f / %7.2f   paint %7.2f / %7.2f\n", qPrintable(it.key()),
                    f.value(QStringLiteral("p50_ms")).toDouble(), f.value(QStringLiteral("max_ms")).toDouble(),
                    p.value(QStringLiteral("p50_ms")).toDouble(), p.value(QStringLiteral("max_ms")).toDouble());
    }
    std::printf("\n  Points at the end: %s\n", QJsonDocument(m_points).toJson(QJsonDocument::Compact).constData());
    std::printf("  Memory: baseline %.1f MB, final RSS %.1f MB, peak %.1f MB, after finish %.1f MB (peak %.1f), "
                "growth %.1f MB per simulated hour; run holds %d intervals, %.1f MB of histograms\n",
                m_baseline.rss_mb, m_final.rss_mb, m_final.hwm_mb, m_afterFinish.rss_mb, m_afterFinish.hwm_mb,
                slope_mb_per_s * 3600.0, m_finalIntervals, m_finalRunHistograms_mb);
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    TimedApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // no user settings or run store touched
    QCoreApplication::setOrganizationName(QStringLiteral("preflight-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("dashboardreplay"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Replays a synthetic run into the Preflight main window and "
                                                    "measures GUI-thread stalls, repaint times and memory."));
    parser.addHelpOption();
    const QCommandLineOption mode(QStringLiteral("mode"), QStringLiteral("realtime (default) or stress"),
                                  QStringLiteral("MODE"), QStringLiteral("realtime"));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("realtime: simulated seconds per wall second (60)"),
                                   QStringLiteral("X"), QStringLiteral("60"));
    const QCommandLineOption endpoints(QStringLiteral("endpoints"), QStringLiteral("endpoints (50)"),
                                       QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption minutes(QStringLiteral("minutes"), QStringLiteral("simulated run length (60)"),
                                     QStringLiteral("M"), QStringLiteral("60"));
    const QCommandLineOption backlog(QStringLiteral("backlog"),
                                     QStringLiteral("snapshots queued ahead of the GUI thread at most (64)"),
                                     QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption unsorted(QStringLiteral("unsorted"),
                                      QStringLiteral("leave the endpoint table unsorted "
                                                     "(default: sorted by P95, re-sorted every tick)"));
    const QCommandLineOption noMirror(QStringLiteral("no-run-mirror"),
                                      QStringLiteral("leave RunController's run empty (the views' memory alone)"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("write the results as JSON"),
                                  QStringLiteral("FILE"));
    parser.addOptions({mode, speed, endpoints, minutes, backlog, unsorted, noMirror, json});
    parser.process(app);

    Options options;
    options.stress = parser.value(mode) == QLatin1String("stress");
    options.speed = std::max(parser.value(speed).toDouble(), 0.1);
    options.endpoints = std::max(parser.value(endpoints).toInt(), 1);
    options.minutes = std::max(parser.value(minutes).toDouble(), 1.0);
    options.backlog = std::max(parser.value(backlog).toInt(), 1);
    options.sorted = !parser.isSet(unsorted);
    options.mirrorRun = !parser.isSet(noMirror);
    options.json = parser.value(json);

    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    // Let the window map and paint once before anything is measured.
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 500)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);

    LiveDashboard *dashboard = window.dashboard();
    app.watchPaint(dashboard->latencyChart()->viewport(), QStringLiteral("latency chart"));
    app.watchPaint(dashboard->throughputChart()->viewport(), QStringLiteral("throughput chart"));
    app.watchPaint(dashboard->connectionsChart()->viewport(), QStringLiteral("connections chart"));
    app.watchPaint(dashboard->capacityChart()->viewport(), QStringLiteral("capacity chart"));
    app.watchPaint(window.endpointView()->viewport(), QStringLiteral("endpoint table"));
    for (QTimer *timer : dashboard->findChildren<QTimer *>(Qt::FindDirectChildrenOnly))
        app.watchTimer(timer, QStringLiteral("dashboard repaint (3 chart flushes)"));
    for (QTimer *timer : window.presenter()->findChildren<QTimer *>(Qt::FindDirectChildrenOnly))
        app.watchTimer(timer, QStringLiteral("live gates (1 Hz)"));

    Replay replay(&app, &window, options);
    replay.start();
    app.exec();
    if (!replay.isDone())
        return 1;
    const QJsonObject result = replay.report();
    if (!options.json.isEmpty()) {
        QFile out(options.json);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            std::fprintf(stderr, "cannot write %s: %s\n", qPrintable(options.json), qPrintable(out.errorString()));
            return 2;
        }
        out.write(QJsonDocument(result).toJson(QJsonDocument::Indented));
    }
    return replay.exitCode();
}
