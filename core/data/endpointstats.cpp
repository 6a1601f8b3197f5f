#include "endpointstats.h"

#include <numeric>

namespace Preflight {

uint64_t EndpointStats::transportErrorTotal() const
{
    return std::accumulate(transport_errors.begin(), transport_errors.end(), uint64_t(0));
}

void EndpointStats::merge(const EndpointStats &other)
{
    requests += other.requests;
    ok += other.ok;
    http_errors += other.http_errors;
    for (int i = 0; i < kErrorClassCount; ++i)
        transport_errors[size_t(i)] += other.transport_errors[size_t(i)];
    for (const auto &[status, count] : other.status_counts)
        status_counts[status] += count;
    bytes_received += other.bytes_received;
    latency.merge(other.latency);
    latency_uncorrected.merge(other.latency_uncorrected);
}

void EndpointStats::compactHistograms()
{
    latency.compact();
    latency_uncorrected.compact();
}

bool EndpointStats::operator==(const EndpointStats &other) const
{
    return requests == other.requests && ok == other.ok && http_errors == other.http_errors &&
           transport_errors == other.transport_errors && status_counts == other.status_counts &&
           bytes_received == other.bytes_received && latency == other.latency &&
           latency_uncorrected == other.latency_uncorrected;
}

} // namespace Preflight
