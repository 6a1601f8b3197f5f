#include "format.h"

#include <QTest>

#include <limits>

using namespace Preflight;

class TestFormat : public QObject
{
    Q_OBJECT
private slots:
    void milliseconds_data()
    {
        QTest::addColumn<double>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("sub-ms") << 0.42 << QStringLiteral("0.42 ms");
        QTest::newRow("single digit") << 4.2 << QStringLiteral("4.20 ms");
        QTest::newRow("two digits") << 42.04 << QStringLiteral("42.0 ms");
        QTest::newRow("three digits") << 420.4 << QStringLiteral("420 ms");
        QTest::newRow("seconds") << 4200.0 << QStringLiteral("4.20 s");
        QTest::newRow("tens of seconds") << 31000.0 << QStringLiteral("31.0 s");
        QTest::newRow("zero") << 0.0 << QStringLiteral("0.00 ms");
        QTest::newRow("unknown") << -1.0 << QStringLiteral("–");
        QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QStringLiteral("–");
    }
    void milliseconds()
    {
        QFETCH(double, ms);
        QFETCH(QString, text);
        QCOMPARE(Format::milliseconds(ms), text);
    }

    void perSecond_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("text");
        QTest::newRow("fraction") << 0.5 << QStringLiteral("0.5/s");
        QTest::newRow("tens") << 42.04 << QStringLiteral("42.0/s");
        QTest::newRow("hundreds") << 420.4 << QStringLiteral("420/s");
        QTest::newRow("thousands") << 12345.6 << QStringLiteral("12346/s");
        QTest::newRow("unknown") << -1.0 << QStringLiteral("–");
    }
    void perSecond()
    {
        QFETCH(double, value);
        QFETCH(QString, text);
        QCOMPARE(Format::perSecond(value), text);
    }

    void percent_data()
    {
        QTest::addColumn<double>("ratio");
        QTest::addColumn<QString>("text");
        QTest::newRow("none") << 0.0 << QStringLiteral("0%");
        QTest::newRow("tiny") << 0.0005 << QStringLiteral("0.05%");
        QTest::newRow("small") << 0.042 << QStringLiteral("4.20%");
        QTest::newRow("large") << 0.59 << QStringLiteral("59.0%");
        QTest::newRow("all") << 1.0 << QStringLiteral("100%");
        QTest::newRow("unknown") << -0.5 << QStringLiteral("–");
    }
    void percent()
    {
        QFETCH(double, ratio);
        QFETCH(QString, text);
        QCOMPARE(Format::percent(ratio), text);
    }

    void clock_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("start") << 0.0 << QStringLiteral("0:00");
        QTest::newRow("seconds") << 7.9 << QStringLiteral("0:07");
        QTest::newRow("minutes") << 62.0 << QStringLiteral("1:02");
        QTest::newRow("hours") << 3723.0 << QStringLiteral("1:02:03");
    }
    void clock()
    {
        QFETCH(double, seconds);
        QFETCH(QString, text);
        QCOMPARE(Format::clock(seconds), text);
    }

    void count()
    {
        QCOMPARE(Format::count(0), QStringLiteral("0"));
        QCOMPARE(Format::count(1234567), QStringLiteral("1234567"));
    }
};

QTEST_GUILESS_MAIN(TestFormat)
#include "tst_format.moc"
