#include "decimatingseries.h"

#include <QTest>

using namespace Preflight;

class TestDecimatingSeries : public QObject
{
    Q_OBJECT
private slots:
    void keepsEveryPointBelowTheBound()
    {
        DecimatingSeries s(DecimatingSeries::Mode::Peak, 100);
        for (int i = 0; i < 100; ++i)
            s.append(i, i * 2);
        QCOMPARE(s.size(), 100);
        QCOMPARE(s.points().at(37), QPointF(37, 74));
        QVERIFY(s.isDirty());
        s.markClean();
        QVERIFY(!s.isDirty());
    }

    void staysBoundedForAnHourOfTicks()
    {
        DecimatingSeries s(DecimatingSeries::Mode::Average, 1200);
        for (int i = 0; i < 4 * 3600; ++i)
            s.append(i * 0.25, 1.0);
        QVERIFY(s.size() <= s.maxPoints());
        QVERIFY(s.size() > s.maxPoints() / 2);
        // Time order survives decimation, the newest point is exact.
        for (int i = 1; i < s.size(); ++i)
            QVERIFY(s.points().at(i).x() > s.points().at(i - 1).x());
        QCOMPARE(s.points().constLast(), QPointF((4 * 3600 - 1) * 0.25, 1.0));
        QCOMPARE(s.maxY(), 1.0);
    }

    void peakModeKeepsSpikes()
    {
        DecimatingSeries s(DecimatingSeries::Mode::Peak, 64);
        for (int i = 0; i < 1000; ++i)
            s.append(i, i == 3 ? 5000.0 : 10.0);
        QCOMPARE(s.maxY(), 5000.0);
    }

    void averageModeKeepsStackedSeriesConsistent()
    {
        // Two layers of a stack appended at the same times stay ordered (lower ≤ upper) after decimation.
        DecimatingSeries lower(DecimatingSeries::Mode::Average, 64);
        DecimatingSeries upper(DecimatingSeries::Mode::Average, 64);
        for (int i = 0; i < 1000; ++i) {
            const double a = (i % 7) * 3.0;
            lower.append(i, a);
            upper.append(i, a + (i % 5));
        }
        QCOMPARE(lower.size(), upper.size());
        for (int i = 0; i < lower.size(); ++i) {
            QCOMPARE(lower.points().at(i).x(), upper.points().at(i).x());
            QVERIFY(lower.points().at(i).y() <= upper.points().at(i).y());
        }
    }

    void clearEmptiesAndMarksDirty()
    {
        DecimatingSeries s;
        s.append(1, 1);
        s.markClean();
        s.clear();
        QCOMPARE(s.size(), 0);
        QVERIFY(s.isDirty());
        QCOMPARE(s.maxY(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestDecimatingSeries)
#include "tst_decimatingseries.moc"
