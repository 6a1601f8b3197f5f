// Crash safety of the run store (docs/store.md): a writer process recording at 4 Hz is killed with SIGKILL at
// random moments; every time, the file passes quick_check, the run is found interrupted on the next open,
// and at most 1 s of intervals is lost. The writer is this same binary re-executed in "writer mode".
#include "store/runrecorder.h"
#include "store/runstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <random>

using namespace Preflight;

namespace {
const char *kWriterEnv = "PREFLIGHT_TEST_STORE_WRITER";
constexpr double kTick_s = 0.25;
constexpr int kEndpoints = 4;

Plan writerPlan()
{
    Plan plan;
    plan.name = QStringLiteral("crash test");
    plan.target.base_url = QStringLiteral("http://127.0.0.1:9");
    for (int i = 0; i < kEndpoints; ++i) {
        EndpointSpec e;
        e.name = QStringLiteral("endpoint %1").arg(i);
        e.path = QStringLiteral("/e%1").arg(i);
        plan.endpoints.push_back(e);
    }
    return plan;
}

// Writer mode: records intervals at 4 Hz (plus DB and pool samples at 1 Hz) until killed. After each
// append it prints "appended N" and flushes, so the parent knows what was handed to the recorder.
int writerMain(const QString &path)
{
    RunRecorder recorder;
    RunInfo info;
    info.name = QStringLiteral("killed writer");
    info.started_at = QDateTime::currentDateTimeUtc();
    StoreError error;
    const std::optional<qint64> id = recorder.beginRun(path, info, writerPlan(), {}, &error);
    if (!id) {
        std::fprintf(stderr, "beginRun failed: %s\n", qPrintable(error.message));
        return 1;
    }
    std::printf("run %lld\n", static_cast<long long>(*id));
    std::fflush(stdout);
    std::mt19937_64 rng{static_cast<uint64_t>(*id)};
    std::lognormal_distribution<double> latency(9.0, 1.0);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0;; ++i) {
        IntervalSnapshot iv;
        iv.index = i;
        iv.start_s = i * kTick_s;
        iv.end_s = (i + 1) * kTick_s;
        iv.stage_index = 0;
        iv.target_users = 50;
        for (int e = 0; e < kEndpoints; ++e) {
            EndpointStats s;
            for (int r = 0; r < 150; ++r) { // ~2400 req/s in total, as a busy real run
                const uint64_t us = uint64_t(std::max(1.0, latency(rng)));
                s.latency.record(us);
                s.latency_uncorrected.record(us);
            }
            s.requests = s.ok = 150;
            s.status_counts[200] = 150;
            iv.endpoints.push_back(s);
        }
        recorder.appendInterval(iv);
        if (i % 4 == 0) {
            DbSample db;
            db.t_s = iv.end_s;
            db.backends = 10;
            recorder.appendDbSample(db);
            PoolSample pool;
            pool.t_s = iv.end_s;
            pool.ok = true;
            recorder.appendPoolSample(pool);
        }
        std::printf("appended %d\n", i);
        std::fflush(stdout);
        const qint64 wait_ms = qint64((i + 1) * kTick_s * 1000) - clock.elapsed();
        if (wait_ms > 0)
            QThread::msleep(static_cast<unsigned long>(wait_ms));
    }
}
} // namespace

class TestRunStoreCrash : public QObject
{
    Q_OBJECT
private slots:
    void killedWriterLosesAtMostOneSecond()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        std::mt19937 rng(20240506);
        const int kKills = 24;
        int killsWithData = 0;
        double worstLoss_s = 0;
        for (int kill = 0; kill < kKills; ++kill) {
            QProcess writer;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QString::fromLatin1(kWriterEnv), path);
            writer.setProcessEnvironment(env);
            writer.start(QCoreApplication::applicationFilePath(), {});
            QVERIFY2(writer.waitForStarted(10000), "writer did not start");
            // Random moment: from before the run row exists to a couple of seconds into the run.
            const int delay_ms = std::uniform_int_distribution<int>(50, 1800)(rng);
            QThread::msleep(static_cast<unsigned long>(delay_ms));
            ::kill(pid_t(writer.processId()), SIGKILL);
            QVERIFY(writer.waitForFinished(10000));
            QCOMPARE(writer.exitStatus(), QProcess::CrashExit);

            qint64 runId = -1;
            int lastAppended = -1;
            const QList<QByteArray> lines = writer.readAllStandardOutput().split('\n');
            for (const QByteArray &line : lines) {
                if (line.startsWith("run "))
                    runId = line.mid(4).toLongLong();
                else if (line.startsWith("appended "))
                    lastAppended = line.mid(9).toInt();
            }

            RunStore store;
            const StoreError openError = store.open(path); // includes quick_check
            QVERIFY2(!openError, qPrintable(QStringLiteral("kill %1: %2").arg(kill).arg(openError.message)));
            QVERIFY(!store.quickCheck());
            if (runId < 0)
                continue; // killed before the run existed: nothing to lose, file must still be sound
            QVERIFY2(std::find(store.recoveredRuns().begin(), store.recoveredRuns().end(), runId) !=
                         store.recoveredRuns().end(),
                     qPrintable(QStringLiteral("kill %1: run %2 not recovered").arg(kill).arg(runId)));
            StoreError error;
            const std::optional<RunData> run = store.loadRun(runId, &error);
            QVERIFY2(run, qPrintable(error.message));
            QCOMPARE(run->info.status, RunStatus::Interrupted);
            QVERIFY(!run->info.status_reason.isEmpty());
            // What was committed is a gap-free prefix of what was appended.
            for (size_t i = 0; i < run->intervals.size(); ++i) {
                QCOMPARE(run->intervals[i].index, int(i));
                QCOMPARE(run->intervals[i].endpoints.size(), size_t(kEndpoints));
                QCOMPARE(run->intervals[i].total().requests, uint64_t(150 * kEndpoints));
            }
            const int stored = int(run->intervals.size());
            QVERIFY(stored <= lastAppended + 1);
            const double lost_s = (lastAppended + 1 - stored) * kTick_s;
            worstLoss_s = std::max(worstLoss_s, lost_s);
            QVERIFY2(lost_s <= 1.0, qPrintable(QStringLiteral("kill %1 after %2 ms: appended %3 intervals, stored %4")
                                                   .arg(kill)
                                                   .arg(delay_ms)
                                                   .arg(lastAppended + 1)
                                                   .arg(stored)));
            if (lastAppended >= 0)
                ++killsWithData;
            // The list summary of a recovered run is recomputed from what survived.
            for (const RunListEntry &entry : store.listRuns())
                if (entry.id == runId)
                    QCOMPARE(entry.requests, uint64_t(stored) * 150 * kEndpoints);
        }
        qInfo("%d kills, %d with intervals appended; worst loss %.2f s", kKills, killsWithData, worstLoss_s);
        QVERIFY(killsWithData >= kKills / 2);
    }
};

int main(int argc, char **argv)
{
    const QString writerPath = qEnvironmentVariable(kWriterEnv);
    if (!writerPath.isEmpty()) {
        QCoreApplication app(argc, argv);
        return writerMain(writerPath);
    }
    QCoreApplication app(argc, argv);
    TestRunStoreCrash test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_runstorecrash.moc"
