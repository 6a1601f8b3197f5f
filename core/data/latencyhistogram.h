#pragma once

#include <QByteArray>

#include <cstdint>
#include <vector>

namespace Preflight {

// Log-linear latency histogram in the spirit of HdrHistogram.
//
// Values are microseconds. Values below 256 µs are counted exactly; above that every power of two is split
// into 128 equal buckets, so a reported value is within 1/256 (0.4%) of any value recorded in its bucket.
// Values above maxTrackable_us() (1 h) are clamped into the top bucket but still counted in max().
// Memory is bounded: the counter vector grows only up to the highest bucket used (at most bucketCount()).
//
// Two representations with the same behaviour: dense counters while recording (one add per value), and,
// after compact(), a sorted list of the non-empty buckets only, for histograms that are kept rather than
// recorded into. A run keeps hundreds of intervals per endpoint; one holds a few hundred distinct buckets of
// the ~2,300 a dense vector spans when a timeout or a slow tail is among them (docs/benchmarks.md, "GUI").
// Recording or merging into a compact histogram turns it dense again (a target is an accumulator).
//
// Not thread-safe; each worker owns its own and a coordinator merges copies.
class LatencyHistogram
{
public:
    static constexpr int kExactBits = 8;     // values < 256 are exact
    static constexpr int kSubBucketBits = 7; // 128 buckets per octave above that
    static constexpr uint64_t kMaxTrackable_us = 3600ull * 1000 * 1000;

    void record(uint64_t value_us, uint64_t count = 1);
    void merge(const LatencyHistogram &other);
    void reset();

    // Switches to the compact representation (no-op when already compact or empty) and frees the dense one.
    void compact();
    bool isCompact() const { return m_compact; }
    // Heap bytes held by the counters (capacity, not size), to measure what a run keeps.
    size_t bytesHeld() const { return (m_counts.capacity() + m_sparse.capacity()) * sizeof(uint64_t); }

    uint64_t count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    uint64_t min_us() const { return m_count ? m_min_us : 0; }
    uint64_t max_us() const { return m_max_us; }
    double mean_us() const { return m_count ? double(m_sum_us) / double(m_count) : 0.0; }

    // The value at quantile q in [0, 1] (nearest rank: the smallest recorded value with at least q·count
    // values at or below it), reported as the midpoint of its bucket and clamped to [min, max]. 0 when empty.
    uint64_t valueAtQuantile(double q) const;
    double percentile_ms(double percent) const { return valueAtQuantile(percent / 100.0) / 1000.0; }

    // Compact, versioned, portable encoding (varints of bucket index gaps and counts) for the run store.
    QByteArray serialize() const;
    // Returns false (and leaves *out empty) on malformed input.
    static bool deserialize(const QByteArray &bytes, LatencyHistogram *out);

    bool operator==(const LatencyHistogram &other) const;
    bool operator!=(const LatencyHistogram &other) const { return !(*this == other); }

    static int bucketIndex(uint64_t value_us);
    static uint64_t bucketLowest_us(int index);
    static uint64_t bucketHighest_us(int index);
    static int bucketCount();

private:
    // Calls f(index, count) for every non-empty bucket in ascending index order, in either representation,
    // until f returns false.
    template <typename F> void forEachBucket(F &&f) const;
    void makeDense();

    // A compact entry packs the bucket index above kSparseCountBits of count, so entries sort by index.
    static constexpr int kSparseCountBits = 48;
    static constexpr uint64_t kSparseCountMask = (1ull << kSparseCountBits) - 1;

    bool m_compact = false;
    std::vector<uint64_t> m_counts; // dense: the count of bucket i at [i]; empty when compact
    std::vector<uint64_t> m_sparse; // compact: (index << kSparseCountBits) | count, ascending; else empty
    uint64_t m_count = 0;
    uint64_t m_sum_us = 0;
    uint64_t m_min_us = UINT64_MAX;
    uint64_t m_max_us = 0;
};

} // namespace Preflight
