#include "data/latencyhistogram.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>

using Preflight::LatencyHistogram;

namespace {
// Exact nearest-rank percentile of sorted data, the reference the histogram must match within 1%.
uint64_t exactQuantile(const std::vector<uint64_t> &sorted, double q)
{
    const size_t rank = std::max<size_t>(1, size_t(std::ceil(q * double(sorted.size()))));
    return sorted[rank - 1];
}

std::vector<uint64_t> generate(const QString &kind, size_t n)
{
    std::mt19937_64 rng(42);
    std::vector<uint64_t> v;
    v.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        double x = 0;
        if (kind == QLatin1String("uniform")) {
            x = std::uniform_real_distribution<double>(1000, 50000)(rng);
        } else if (kind == QLatin1String("bimodal")) {
            x = (rng() % 10 < 8) ? std::normal_distribution<double>(2000, 200)(rng)
                                 : std::normal_distribution<double>(300000, 20000)(rng);
        } else if (kind == QLatin1String("longtail")) {
            x = std::lognormal_distribution<double>(8.0, 1.5)(rng); // median ~3 ms, tail to seconds
        } else if (kind == QLatin1String("tiny")) {
            x = double(1 + rng() % 300);
        }
        v.push_back(uint64_t(std::max(1.0, x)));
    }
    return v;
}
} // namespace

class TestLatencyHistogram : public QObject
{
    Q_OBJECT
private slots:
    void percentilesMatchExactData_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("uniform") << QStringLiteral("uniform");
        QTest::newRow("bimodal") << QStringLiteral("bimodal");
        QTest::newRow("long-tailed") << QStringLiteral("longtail");
        QTest::newRow("sub-256us exact") << QStringLiteral("tiny");
    }
    void percentilesMatchExactData()
    {
        QFETCH(QString, kind);
        auto values = generate(kind, 200000);
        LatencyHistogram h;
        for (uint64_t v : values)
            h.record(v);
        std::sort(values.begin(), values.end());
        QCOMPARE(h.count(), uint64_t(values.size()));
        QCOMPARE(h.min_us(), values.front());
        QCOMPARE(h.max_us(), values.back());
        for (double q : {0.0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0}) {
            const double exact = double(exactQuantile(values, q));
            const double got = double(h.valueAtQuantile(q));
            QVERIFY2(std::abs(got - exact) <= 0.01 * exact,
                     qPrintable(QStringLiteral("q=%1 exact=%2 got=%3").arg(q).arg(exact).arg(got)));
        }
        const double exactMean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
        QVERIFY(std::abs(h.mean_us() - exactMean) < 1e-6 * exactMean + 1);
    }

    void bucketsAreContiguousAndWithinOnePercent()
    {
        for (int i = 1; i < LatencyHistogram::bucketCount(); ++i) {
            QCOMPARE(LatencyHistogram::bucketLowest_us(i), LatencyHistogram::bucketHighest_us(i - 1) + 1);
            const double lo = double(LatencyHistogram::bucketLowest_us(i));
            const double hi = double(LatencyHistogram::bucketHighest_us(i));
            QVERIFY((hi - lo) / lo <= 0.01);
            QCOMPARE(LatencyHistogram::bucketIndex(LatencyHistogram::bucketLowest_us(i)), i);
            QCOMPARE(LatencyHistogram::bucketIndex(LatencyHistogram::bucketHighest_us(i)), i);
        }
        QVERIFY(LatencyHistogram::bucketCount() < 4000); // fixed memory bound
    }

    void rangeEdges()
    {
        LatencyHistogram h;
        h.record(0);
        h.record(1);
        h.record(LatencyHistogram::kMaxTrackable_us);
        h.record(LatencyHistogram::kMaxTrackable_us * 10); // clamped into the top bucket, max kept
        QCOMPARE(h.count(), uint64_t(4));
        QCOMPARE(h.valueAtQuantile(0.0), uint64_t(0));
        QCOMPARE(h.valueAtQuantile(0.5), uint64_t(1));
        QCOMPARE(h.max_us(), LatencyHistogram::kMaxTrackable_us * 10);
        const double top = double(h.valueAtQuantile(0.75));
        QVERIFY(std::abs(top - double(LatencyHistogram::kMaxTrackable_us)) <=
                0.01 * double(LatencyHistogram::kMaxTrackable_us));
        QCOMPARE(LatencyHistogram().valueAtQuantile(0.99), uint64_t(0));
    }

    void mergeEqualsRecordingEverythingInOne()
    {
        const auto a = generate(QStringLiteral("bimodal"), 5000);
        const auto b = generate(QStringLiteral("longtail"), 7000);
        LatencyHistogram ha, hb, all;
        for (auto v : a) {
            ha.record(v);
            all.record(v);
        }
        for (auto v : b) {
            hb.record(v);
            all.record(v);
        }
        ha.merge(hb);
        QVERIFY(ha == all);
        QCOMPARE(ha.valueAtQuantile(0.99), all.valueAtQuantile(0.99));
    }

    void resetEmpties()
    {
        LatencyHistogram h;
        h.record(1234, 10);
        h.reset();
        QVERIFY(h.isEmpty());
        QCOMPARE(h.max_us(), uint64_t(0));
        QVERIFY(h == LatencyHistogram());
    }

    void serializeRoundTrips()
    {
        LatencyHistogram h;
        for (auto v : generate(QStringLiteral("longtail"), 10000))
            h.record(v);
        const QByteArray bytes = h.serialize();
        QVERIFY(bytes.size() < 4000); // compact: sparse varints
        LatencyHistogram back;
        QVERIFY(LatencyHistogram::deserialize(bytes, &back));
        QVERIFY(back == h);
        QVERIFY(LatencyHistogram::deserialize(LatencyHistogram().serialize(), &back));
        QVERIFY(back.isEmpty());
        QVERIFY(!LatencyHistogram::deserialize(QByteArray("\x01\x05garbage", 9), &back));
        QVERIFY(!LatencyHistogram::deserialize(bytes.left(bytes.size() - 1), &back));
        QVERIFY(!LatencyHistogram::deserialize(QByteArray(), &back));
    }

    // The compact representation answers exactly as the dense one, for every operation, and holds less.
    void compactBehavesAsDense_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("bimodal") << QStringLiteral("bimodal");
        QTest::newRow("long-tailed") << QStringLiteral("longtail");
        QTest::newRow("sub-256us exact") << QStringLiteral("tiny");
    }
    void compactBehavesAsDense()
    {
        QFETCH(QString, kind);
        LatencyHistogram dense;
        for (uint64_t v : generate(kind, 2000))
            dense.record(v);
        dense.record(30'000'000); // a timeout: the dense vector reaches far beyond the mass
        LatencyHistogram compact = dense;
        compact.compact();
        QVERIFY(compact.isCompact() && !dense.isCompact());
        QVERIFY(compact == dense && dense == compact);
        QCOMPARE(compact.count(), dense.count());
        QCOMPARE(compact.min_us(), dense.min_us());
        QCOMPARE(compact.max_us(), dense.max_us());
        QCOMPARE(compact.mean_us(), dense.mean_us());
        for (double q : {0.0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0})
            QCOMPARE(compact.valueAtQuantile(q), dense.valueAtQuantile(q));
        QCOMPARE(compact.serialize(), dense.serialize());
        QVERIFY2(compact.bytesHeld() * 2 < dense.bytesHeld(),
                 qPrintable(QStringLiteral("%1 vs %2 bytes").arg(compact.bytesHeld()).arg(dense.bytesHeld())));

        // Merges in every combination give what recording everything into one gives.
        LatencyHistogram other;
        for (uint64_t v : generate(QStringLiteral("uniform"), 3000))
            other.record(v);
        LatencyHistogram all = dense;
        all.merge(other);
        LatencyHistogram otherCompact = other;
        otherCompact.compact();
        for (const LatencyHistogram *into : {&dense, &compact}) {
            for (const LatencyHistogram *from : {&other, &otherCompact}) {
                LatencyHistogram merged = *into;
                merged.merge(*from);
                QVERIFY(merged == all);
                QVERIFY(!merged.isCompact()); // a merge target is an accumulator
                QCOMPARE(merged.valueAtQuantile(0.99), all.valueAtQuantile(0.99));
            }
        }
        LatencyHistogram empty;
        empty.merge(otherCompact);
        QVERIFY(!empty.isCompact() && empty == other);

        // Recording into a compact histogram makes it dense again, with nothing lost.
        LatencyHistogram recorded = compact;
        recorded.record(777);
        LatencyHistogram expected = dense;
        expected.record(777);
        QVERIFY(!recorded.isCompact());
        QVERIFY(recorded == expected);

        // The store loads histograms compact.
        LatencyHistogram loaded;
        QVERIFY(LatencyHistogram::deserialize(dense.serialize(), &loaded));
        QVERIFY(loaded.isCompact() && loaded == dense);
    }

    void compactRejectsWhatItCannotHold()
    {
        LatencyHistogram empty;
        empty.compact();
        QVERIFY(!empty.isCompact()); // nothing to compact
        LatencyHistogram h;
        h.record(100);
        // A zero count or a gap past the last bucket is malformed, not a histogram.
        LatencyHistogram back;
        QVERIFY(LatencyHistogram::deserialize(h.serialize(), &back));
        // version 1, count 1, sum/min/max 100 µs, then (index gap, count) pairs
        const QByteArray header("\x01\x01\x64\x64\x64", 5);
        QVERIFY(LatencyHistogram::deserialize(header + QByteArray("\x65\x01", 2), &back));
        QVERIFY(!LatencyHistogram::deserialize(header + QByteArray("\x65\x01\x01\x00", 4), &back)); // a bucket of 0
        // a gap of 2^32 + 101 would wrap to bucket 100 in an int
        QVERIFY(!LatencyHistogram::deserialize(header + QByteArray("\xe5\x80\x80\x80\x10\x01", 6), &back));
    }
};

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"
