#include "failuresampler.h"

#include <algorithm>

namespace Preflight {

void FailureSampler::offer(const ErrorSample &sample)
{
    auto &bucket = m_samples[Key{sample.endpoint, sample.status, int(sample.error_class)}];
    for (ErrorSample &known : bucket) {
        if (known.body == sample.body) {
            known.count += sample.count;
            known.first_seen_s = std::min(known.first_seen_s, sample.first_seen_s);
            known.last_seen_s = std::max(known.last_seen_s, sample.last_seen_s);
            return;
        }
    }
    if (int(bucket.size()) >= kMaxDistinctBodies) {
        m_overflow += sample.count;
        return;
    }
    ErrorSample kept = sample;
    if (kept.body.size() > kMaxBodyBytes)
        kept.body.truncate(kMaxBodyBytes);
    bucket.push_back(std::move(kept));
}

void FailureSampler::merge(const FailureSampler &other)
{
    for (const auto &[key, bucket] : other.m_samples)
        for (const ErrorSample &s : bucket)
            offer(s);
    m_overflow += other.m_overflow;
}

std::vector<ErrorSample> FailureSampler::samples() const
{
    std::vector<ErrorSample> out;
    for (const auto &[key, bucket] : m_samples)
        out.insert(out.end(), bucket.begin(), bucket.end());
    return out;
}

} // namespace Preflight
