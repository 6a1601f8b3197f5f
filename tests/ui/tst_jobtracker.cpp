// JobTracker: one-shot work off the GUI thread, delivered on the tracker's thread only while it is the latest
// of its kind, never after the tracker is gone; StoreCall: one store operation, its errors as text.
#include "jobtracker.h"
#include "storecall.h"

#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <atomic>
#include <memory>

using namespace Preflight;

namespace {

enum Kind { Search, Other };

// Blocks a job until the test lets it go, so that the order in which jobs finish is the test's choice.
struct Gate
{
    QSemaphore entered;
    QSemaphore release;
    void pass()
    {
        entered.release();
        release.acquire();
    }
};

} // namespace

class TestJobTracker : public QObject
{
    Q_OBJECT
private slots:
    void deliversTheResultOnTheTrackersThread()
    {
        JobTracker jobs(nullptr);
        QThread *workThread = nullptr;
        QThread *deliverThread = nullptr;
        int value = 0;
        jobs.start(
            Search,
            [&workThread] {
                workThread = QThread::currentThread();
                return 42;
            },
            [&](int v) {
                deliverThread = QThread::currentThread();
                value = v;
            });
        QVERIFY(jobs.isRunning(Search));
        QTRY_COMPARE(value, 42);
        QCOMPARE(deliverThread, QThread::currentThread());
        QVERIFY(workThread != QThread::currentThread());
        QVERIFY(!jobs.isRunning(Search));
        QCOMPARE(jobs.pending(), 0);
    }

    void dropsAResultSupersededByALaterJobOfItsKind()
    {
        JobTracker jobs(nullptr);
        Gate gate;
        QList<int> delivered;
        jobs.start(
            Search,
            [&gate] {
                gate.pass();
                return 1;
            },
            [&](int v) { delivered << v; });
        gate.entered.acquire(); // the first job is running
        jobs.start(
            Search, [] { return 2; }, [&](int v) { delivered << v; });
        QTRY_COMPARE(delivered, QList<int>{2});
        QVERIFY(!jobs.isRunning(Search));
        gate.release.release(); // the first, older job finishes last
        QTRY_COMPARE(jobs.pending(), 0);
        QCOMPARE(delivered, QList<int>{2});
    }

    void kindsDoNotSupersedeEachOther()
    {
        JobTracker jobs(nullptr);
        QList<int> delivered;
        jobs.start(
            Search, [] { return 1; }, [&](int v) { delivered << v; });
        jobs.start(
            Other, [] { return 2; }, [&](int v) { delivered << v; });
        QTRY_COMPARE(delivered.size(), 2);
        std::sort(delivered.begin(), delivered.end());
        QCOMPARE(delivered, (QList<int>{1, 2}));
    }

    void startEachDeliversEveryResult()
    {
        JobTracker jobs(nullptr);
        QList<int> delivered;
        for (int i = 0; i < 3; ++i)
            jobs.startEach([i] { return i; }, [&](int v) { delivered << v; });
        QTRY_COMPARE(delivered.size(), 3);
        std::sort(delivered.begin(), delivered.end());
        QCOMPARE(delivered, (QList<int>{0, 1, 2}));
    }

    void cancelDropsTheRunningJobsResult()
    {
        JobTracker jobs(nullptr);
        Gate gate;
        bool delivered = false;
        jobs.start(
            Search,
            [&gate] {
                gate.pass();
                return 1;
            },
            [&](int) { delivered = true; });
        gate.entered.acquire();
        QVERIFY(jobs.isRunning(Search));
        jobs.cancel(Search);
        QVERIFY(!jobs.isRunning(Search));
        gate.release.release();
        QTRY_COMPARE(jobs.pending(), 0);
        QCoreApplication::processEvents();
        QVERIFY(!delivered);
    }

    void aStaleTicketStartsNothing()
    {
        JobTracker jobs(nullptr);
        const JobTracker::Ticket first = jobs.begin(Search);
        QVERIFY(jobs.isCurrent(Search, first));
        const JobTracker::Ticket second = jobs.begin(Search); // e.g. the field changed while a dialog was open
        QVERIFY(!jobs.isCurrent(Search, first));
        std::atomic<bool> ran{false};
        jobs.startAs(
            Search, first, [&ran] { ran = true; }, [] {});
        QCOMPARE(jobs.pending(), 0);
        bool delivered = false;
        jobs.startAs(
            Search, second, [] {}, [&delivered] { delivered = true; });
        QTRY_VERIFY(delivered);
        QVERIFY(!ran);
    }

    void destroyingTheTrackerDropsResultsAndSkipsQueuedJobs()
    {
        QThreadPool pool;
        pool.setMaxThreadCount(1);
        Gate gate;
        auto delivered = std::make_shared<int>(0);
        std::atomic<bool> queuedRan{false};
        {
            JobTracker jobs(nullptr, &pool);
            jobs.start(
                Search,
                [&gate] {
                    gate.pass();
                    return 1;
                },
                [delivered](int) { ++*delivered; });
            gate.entered.acquire();
            // One thread, busy: this one waits in the queue.
            jobs.startEach(
                [&queuedRan] {
                    queuedRan = true;
                    return 2;
                },
                [delivered](int) { ++*delivered; });
        }
        gate.release.release();
        pool.waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(*delivered, 0);
        QVERIFY(!queuedRan);
    }

    void storeCallReturnsTheOperationsValue()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("runs.sqlite"));
        const StoreOutcome<int> outcome =
            StoreCall::run(path, StoreCall::writing(),
                           [](RunStore &store, StoreError *error) { return int(store.listRuns(error).size()); });
        QVERIFY2(outcome.ok(), qPrintable(outcome.error));
        QCOMPARE(outcome.value, 0);
    }

    void storeCallTurnsOpenAndOperationErrorsIntoText()
    {
        QTemporaryDir dir;
        bool called = false;
        const StoreOutcome<int> missing = StoreCall::run(dir.filePath(QStringLiteral("absent.sqlite")),
                                                         StoreCall::reading(), [&called](RunStore &, StoreError *) {
                                                             called = true;
                                                             return 1;
                                                         });
        QVERIFY(!missing.ok());
        QVERIFY(!called); // reading never creates a store, so nothing ran
        QVERIFY(missing.error.contains(QLatin1String("absent.sqlite")));

        const StoreOutcome<bool> failed = StoreCall::run(dir.filePath(QStringLiteral("runs.sqlite")),
                                                         StoreCall::writing(), [](RunStore &store, StoreError *error) {
                                                             *error = store.deleteRun(12345);
                                                             return true;
                                                         });
        QVERIFY(!failed.ok());
        QVERIFY(!failed.error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestJobTracker)
#include "tst_jobtracker.moc"
