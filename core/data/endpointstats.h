#pragma once

#include "errorclass.h"
#include "latencyhistogram.h"

#include <cstdint>
#include <map>

namespace Preflight {

// Counts and latencies of one endpoint over some span (an interval, a level, a whole run). Mergeable.
struct EndpointStats
{
    uint64_t requests = 0;          // completed requests (answered or failed)
    uint64_t ok = 0;                // HTTP 1xx-3xx
    uint64_t http_errors = 0;       // HTTP status >= 400
    ErrorCounts transport_errors{}; // by ErrorClass
    std::map<int, uint64_t> status_counts;
    uint64_t bytes_received = 0;
    // Latency from the intended send time (open model: corrects coordinated omission; closed model: the send).
    LatencyHistogram latency;
    // Latency from the moment the request actually went out.
    LatencyHistogram latency_uncorrected;

    uint64_t transportErrorTotal() const;
    uint64_t errors() const { return http_errors + transportErrorTotal(); }
    uint64_t timeouts() const { return transport_errors[int(ErrorClass::Timeout)]; }
    double errorRate() const { return requests ? double(errors()) / double(requests) : 0.0; }

    void merge(const EndpointStats &other);
    // Both histograms to their compact form, for stats that are kept rather than recorded into.
    void compactHistograms();
    bool operator==(const EndpointStats &other) const;
};

} // namespace Preflight
