#include "latencyhistogram.h"

#include <algorithm>
#include <cmath>

namespace Preflight {

namespace {
constexpr uint64_t kExactLimit = 1ull << LatencyHistogram::kExactBits;
constexpr int kSubBuckets = 1 << LatencyHistogram::kSubBucketBits;
constexpr char kFormatVersion = 1;

int highestBit(uint64_t v)
{
    return 63 - __builtin_clzll(v);
}

void putVarint(QByteArray &out, uint64_t v)
{
    while (v >= 0x80) {
        out.append(char((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

bool getVarint(const QByteArray &in, int &pos, uint64_t *v)
{
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
        const auto byte = uint8_t(in[pos++]);
        result |= uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *v = result;
            return true;
        }
    }
    return false;
}
} // namespace

int LatencyHistogram::bucketIndex(uint64_t value_us)
{
    value_us = std::min(value_us, kMaxTrackable_us);
    if (value_us < kExactLimit)
        return int(value_us);
    const int octave = highestBit(value_us);                // >= kExactBits
    const int shift = octave - kSubBucketBits;              // bucket width is 2^shift
    const int sub = int((value_us >> shift) - kSubBuckets); // 0 .. 127
    return int(kExactLimit) + (octave - kExactBits) * kSubBuckets + sub;
}

uint64_t LatencyHistogram::bucketLowest_us(int index)
{
    if (index < int(kExactLimit))
        return uint64_t(index);
    const int rel = index - int(kExactLimit);
    const int octave = kExactBits + rel / kSubBuckets;
    const int sub = rel % kSubBuckets;
    return uint64_t(kSubBuckets + sub) << (octave - kSubBucketBits);
}

uint64_t LatencyHistogram::bucketHighest_us(int index)
{
    if (index < int(kExactLimit))
        return uint64_t(index);
    const int rel = index - int(kExactLimit);
    const int octave = kExactBits + rel / kSubBuckets;
    return bucketLowest_us(index) + (1ull << (octave - kSubBucketBits)) - 1;
}

int LatencyHistogram::bucketCount()
{
    return bucketIndex(kMaxTrackable_us) + 1;
}

template <typename F> void LatencyHistogram::forEachBucket(F &&f) const
{
    if (m_compact) {
        for (const uint64_t entry : m_sparse)
            if (!f(int(entry >> kSparseCountBits), entry & kSparseCountMask))
                return;
        return;
    }
    for (size_t i = 0; i < m_counts.size(); ++i)
        if (m_counts[i] && !f(int(i), m_counts[i]))
            return;
}

void LatencyHistogram::record(uint64_t value_us, uint64_t count)
{
    if (count == 0)
        return;
    if (m_compact)
        makeDense();
    const int index = bucketIndex(value_us);
    if (size_t(index) >= m_counts.size())
        m_counts.resize(size_t(index) + 1, 0);
    m_counts[size_t(index)] += count;
    m_count += count;
    m_sum_us += value_us * count;
    m_min_us = std::min(m_min_us, value_us);
    m_max_us = std::max(m_max_us, value_us);
}

// The target is an accumulator: it ends dense, whatever either side was.
void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    if (m_compact)
        makeDense();
    other.forEachBucket([this](int index, uint64_t count) {
        if (size_t(index) >= m_counts.size())
            m_counts.resize(size_t(index) + 1, 0);
        m_counts[size_t(index)] += count;
        return true;
    });
    m_count += other.m_count;
    m_sum_us += other.m_sum_us;
    m_min_us = std::min(m_min_us, other.m_min_us);
    m_max_us = std::max(m_max_us, other.m_max_us);
}

void LatencyHistogram::compact()
{
    if (m_compact || m_count == 0 || m_count > kSparseCountMask)
        return;
    std::vector<uint64_t> sparse;
    size_t used = 0;
    for (const uint64_t c : m_counts)
        used += c != 0;
    sparse.reserve(used);
    forEachBucket([&sparse](int index, uint64_t count) {
        sparse.push_back(uint64_t(index) << kSparseCountBits | count);
        return true;
    });
    m_sparse = std::move(sparse);
    m_counts = std::vector<uint64_t>();
    m_compact = true;
}

void LatencyHistogram::makeDense()
{
    std::vector<uint64_t> dense(m_sparse.empty() ? 0 : size_t(m_sparse.back() >> kSparseCountBits) + 1, 0);
    forEachBucket([&dense](int index, uint64_t count) {
        dense[size_t(index)] = count;
        return true;
    });
    m_counts = std::move(dense);
    m_sparse = std::vector<uint64_t>();
    m_compact = false;
}

void LatencyHistogram::reset()
{
    *this = LatencyHistogram();
}

uint64_t LatencyHistogram::valueAtQuantile(double q) const
{
    if (m_count == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(q * double(m_count))));
    uint64_t seen = 0;
    int found = -1;
    forEachBucket([&](int index, uint64_t count) {
        seen += count;
        if (seen >= rank)
            found = index;
        return found < 0;
    });
    if (found < 0)
        return m_max_us;
    const uint64_t lo = bucketLowest_us(found);
    const uint64_t hi = bucketHighest_us(found);
    return std::clamp(lo + (hi - lo) / 2, min_us(), m_max_us);
}

QByteArray LatencyHistogram::serialize() const
{
    QByteArray out;
    out.append(kFormatVersion);
    putVarint(out, m_count);
    if (m_count == 0)
        return out;
    putVarint(out, m_sum_us);
    putVarint(out, m_min_us);
    putVarint(out, m_max_us);
    int previous = -1;
    forEachBucket([&](int index, uint64_t count) {
        putVarint(out, uint64_t(index - previous));
        putVarint(out, count);
        previous = index;
        return true;
    });
    return out;
}

bool LatencyHistogram::deserialize(const QByteArray &bytes, LatencyHistogram *out)
{
    *out = LatencyHistogram();
    if (bytes.isEmpty() || bytes[0] != kFormatVersion)
        return false;
    int pos = 1;
    uint64_t total = 0;
    if (!getVarint(bytes, pos, &total))
        return false;
    if (total == 0)
        return pos == bytes.size();
    LatencyHistogram h;
    if (!getVarint(bytes, pos, &h.m_sum_us) || !getVarint(bytes, pos, &h.m_min_us) ||
        !getVarint(bytes, pos, &h.m_max_us))
        return false;
    // Stored histograms are kept, not recorded into: they load compact. (The compact form holds 2^48 values,
    // 280 trillion requests: a store with more is refused as malformed.)
    int index = -1;
    uint64_t counted = 0;
    while (pos < bytes.size()) {
        uint64_t gap = 0, count = 0;
        if (!getVarint(bytes, pos, &gap) || !getVarint(bytes, pos, &count) || gap == 0 || count == 0 ||
            gap >= uint64_t(bucketCount()) || count > kSparseCountMask)
            return false;
        index += int(gap);
        if (index >= bucketCount())
            return false;
        h.m_sparse.push_back(uint64_t(index) << kSparseCountBits | count);
        counted += count;
    }
    if (counted != total || total > kSparseCountMask)
        return false;
    h.m_compact = true;
    h.m_count = total;
    *out = std::move(h);
    return true;
}

bool LatencyHistogram::operator==(const LatencyHistogram &other) const
{
    if (m_count != other.m_count || m_sum_us != other.m_sum_us || min_us() != other.min_us() ||
        m_max_us != other.m_max_us)
        return false;
    std::vector<std::pair<int, uint64_t>> mine, theirs;
    auto collect = [](std::vector<std::pair<int, uint64_t>> &into) {
        return [&into](int index, uint64_t count) {
            into.emplace_back(index, count);
            return true;
        };
    };
    forEachBucket(collect(mine));
    other.forEachBucket(collect(theirs));
    return mine == theirs;
}

} // namespace Preflight
