// The host CPU meter (core/load/hostcpu.h): /proc/stat's aggregate line read as the kernel writes it, and the
// busy share of the ticks between two readings.
#include "load/hostcpu.h"

#include <QTest>

#include <chrono>

using namespace Preflight;

class TestHostCpu : public QObject
{
    Q_OBJECT

private slots:
    void parsesTheAggregateLine()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        const auto r = HostCpuMeter::parse("cpu  100 5 50 800 20 3 2 0 7 0\ncpu0 50 2 25 400 10 1 1 0 3 0\n");
        QVERIFY(r);
        QCOMPARE(r->busy, uint64_t(100 + 5 + 50 + 3 + 2 + 0));
        QCOMPARE(r->total, uint64_t(160 + 800 + 20));
    }

    void refusesWhatIsNotTheAggregateLine()
    {
        QVERIFY(!HostCpuMeter::parse(nullptr));
        QVERIFY(!HostCpuMeter::parse(""));
        QVERIFY(!HostCpuMeter::parse("cpu0 1 2 3 4 5 6 7 8"));
        QVERIFY(!HostCpuMeter::parse("cpu  1 2 3 four 5 6 7 8"));
        QVERIFY(!HostCpuMeter::parse("cpu  1 2 3"));
    }

    void busyShareIsBusyTicksOverAllTicks()
    {
        const HostCpuMeter::Reading a{100, 1000}, b{250, 1200};
        const auto share = HostCpuMeter::busyShare(a, b);
        QVERIFY(share);
        QCOMPARE(*share, 0.75);
        QVERIFY(!HostCpuMeter::busyShare(a, a));                 // no tick passed
        QVERIFY(!HostCpuMeter::busyShare(b, a));                 // counters went back
        QCOMPARE(*HostCpuMeter::busyShare(a, {300, 1100}), 1.0); // clamped
        QCOMPARE(*HostCpuMeter::busyShare(a, {100, 1400}), 0.0); // idle
    }

    void measuresThisHost()
    {
        HostCpuMeter meter;
        QVERIFY(meter.cpuCount() >= 1);
        // Keep one CPU busy until the kernel has counted ticks (its clock is 100 Hz); the share is whatever the
        // host did meanwhile, but it is a share and this thread's work is in it.
        std::optional<double> share;
        volatile double sink = 0;
        for (int round = 0; round < 200 && !share; ++round) {
            const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
            while (std::chrono::steady_clock::now() < until)
                sink = sink + 1;
            share = meter.busyShareSinceLast();
        }
        QVERIFY(share);
        QVERIFY(*share > 0);
        QVERIFY(*share <= 1);
    }
};

QTEST_GUILESS_MAIN(TestHostCpu)
#include "tst_hostcpu.moc"
