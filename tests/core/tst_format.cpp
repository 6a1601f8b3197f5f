// The one formatter (data/format.h): how every face of Preflight writes a number.
#include "data/format.h"

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
        QTest::newRow("1234 ms") << 1234.0 << QStringLiteral("1.23 s");
        QTest::newRow("rounds to a second") << 999.7 << QStringLiteral("1.00 s");
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
        QTest::newRow("fraction") << 0.5 << QStringLiteral("0.50/s");
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
        QTest::newRow("tiny") << 0.0005 << QStringLiteral("0.050%");
        QTest::newRow("tinier") << 0.00012 << QStringLiteral("0.012%");
        QTest::newRow("small") << 0.042 << QStringLiteral("4.20%");
        QTest::newRow("large") << 0.59 << QStringLiteral("59.0%");
        QTest::newRow("all") << 1.0 << QStringLiteral("100%");
        QTest::newRow("not quite all") << 0.99996 << QStringLiteral("99.996%");
        QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QStringLiteral("–");
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
        QTest::newRow("axis tick a hair short") << 74.9999999 << QStringLiteral("1:15");
        QTest::newRow("unknown") << -1.0 << QStringLiteral("–");
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
        QCOMPARE(Format::count(1234567), QStringLiteral("1234567")); // no group separators anywhere
    }

    // The report's and the CLI's words are the same functions: one value reads the same in every face.
    void words_data()
    {
        QTest::addColumn<QString>("actual");
        QTest::addColumn<QString>("expected");
        QTest::newRow("rps") << Format::rps(48.26) << QStringLiteral("48.3 req/s");
        QTest::newRow("rate without unit") << Format::rate(1234.5) << QStringLiteral("1235");
        QTest::newRow("unknown rate") << Format::rps(-1) << QStringLiteral("–");
        QTest::newRow("users") << Format::load(20, false) << QStringLiteral("20 users");
        QTest::newRow("fractional users") << Format::load(2.5, false) << QStringLiteral("2.5 users");
        QTest::newRow("one user") << Format::load(1, false) << QStringLiteral("1 user");
        QTest::newRow("open model") << Format::load(50, true) << QStringLiteral("50 req/s");
        QTest::newRow("duration") << Format::seconds(90) << QStringLiteral("1 min 30 s");
        QTest::newRow("short duration") << Format::seconds(5) << QStringLiteral("5 s");
        QTest::newRow("hour") << Format::seconds(3600) << QStringLiteral("1 h");
        QTest::newRow("gate ms") << Format::gateValue(120, QStringLiteral("ms")) << QStringLiteral("120 ms");
        QTest::newRow("gate ratio") << Format::gateValue(0.001, QStringLiteral("ratio")) << QStringLiteral("0.100%");
        QTest::newRow("gate queries") << Format::gateValue(61, QStringLiteral("queries"))
                                      << QStringLiteral("61 queries");
        QTest::newRow("gate one query") << Format::gateValue(1, QStringLiteral("queries")) << QStringLiteral("1 query");
        QTest::newRow("amount") << Format::amount(3.05) << QStringLiteral("3.05");
        QTest::newRow("whole amount") << Format::amount(250000) << QStringLiteral("250000");
        QTest::newRow("plan cost") << Format::planCost(0, 4500) << QStringLiteral("0.00..4500.00");
        QTest::newRow("number trims") << Format::number(20, 1) << QStringLiteral("20");
        QTest::newRow("number rounds") << Format::number(2.26, 1) << QStringLiteral("2.3");
        QTest::newRow("negative number") << Format::number(-3, 0) << QStringLiteral("-3");
        QTest::newRow("fixed keeps") << Format::fixed(3, 1) << QStringLiteral("3.0");
        QTest::newRow("not finite") << Format::fixed(std::numeric_limits<double>::infinity(), 1) << QStringLiteral("–");
    }
    void words()
    {
        QFETCH(QString, actual);
        QFETCH(QString, expected);
        QCOMPARE(actual, expected);
    }

    void niceNumber_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<bool>("up");
        QTest::addColumn<double>("nice");
        QTest::newRow("up: exact") << 200.0 << true << 200.0;
        QTest::newRow("up: above 2") << 201.0 << true << 500.0;
        QTest::newRow("up: above 5") << 0.51 << true << 1.0;
        QTest::newRow("up: small") << 0.013 << true << 0.02;
        QTest::newRow("nearest: 1.4") << 14.0 << false << 10.0;
        QTest::newRow("nearest: 2.9") << 29.0 << false << 20.0;
        QTest::newRow("nearest: 6.9") << 690.0 << false << 500.0;
        QTest::newRow("nearest: 7") << 7.0 << false << 10.0;
        QTest::newRow("zero") << 0.0 << true << 1.0;
        QTest::newRow("negative") << -5.0 << false << 1.0;
    }
    void niceNumber()
    {
        QFETCH(double, value);
        QFETCH(bool, up);
        QFETCH(double, nice);
        QCOMPARE(Format::niceNumber(value, up ? Format::NiceRounding::Up : Format::NiceRounding::Nearest), nice);
    }
};

QTEST_GUILESS_MAIN(TestFormat)
#include "tst_format.moc"
