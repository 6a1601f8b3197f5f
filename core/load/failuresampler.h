#pragma once

#include "data/errorsample.h"

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

namespace Preflight {

// Keeps a bounded sample of failing responses: per (endpoint, status or transport class) at most
// kMaxDistinctBodies distinct bodies, each with a count and first/last seen; further distinct bodies only
// add to an overflow count. Memory is bounded whatever the error rate. Not thread-safe (one per worker).
class FailureSampler
{
public:
    static constexpr int kMaxDistinctBodies = 20;
    static constexpr int kMaxBodyBytes = 2048;

    void offer(const ErrorSample &sample);
    void merge(const FailureSampler &other);
    // Samples ordered by endpoint, status, then first seen.
    std::vector<ErrorSample> samples() const;
    uint64_t overflow() const { return m_overflow; }

private:
    using Key = std::tuple<int, int, int>;  // endpoint, status, error class
    std::map<Key, std::vector<ErrorSample>> m_samples;
    uint64_t m_overflow = 0;
};

} // namespace Preflight
