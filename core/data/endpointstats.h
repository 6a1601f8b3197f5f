#pragma once

#include "errorclass.h"
#include "latencyhistogram.h"

#include <QString>

#include <array>
#include <cstdint>
#include <map>

namespace Preflight {

// The HTTP version an answer came in on (CURLINFO_HTTP_VERSION).
enum class HttpProtocol { Http1_0, Http1_1, Http2, Http3 };
constexpr int kHttpProtocolCount = 4;
const char *httpProtocolName(HttpProtocol protocol); // "HTTP/1.1"
// -1 when the name is none of them.
int httpProtocolFromName(const QString &name);

// Counts and latencies of one endpoint over some span (an interval, a level, a whole run). Mergeable.
struct EndpointStats
{
    uint64_t requests = 0;          // completed requests (answered or failed)
    uint64_t ok = 0;                // HTTP 1xx-3xx
    uint64_t http_errors = 0;       // HTTP status >= 400
    ErrorCounts transport_errors{}; // by ErrorClass
    std::map<int, uint64_t> status_counts;
    uint64_t bytes_received = 0;
    // The transport under these requests: answers by the protocol that carried them, and connections opened for
    // them (CURLINFO_NUM_CONNECTS: TCP connects, each with a TLS handshake on https). requests per connection
    // opened is the keep-alive (and TLS session) reuse.
    std::array<uint64_t, kHttpProtocolCount> protocol_answers{};
    uint64_t connections_opened = 0;
    // Latency from the intended send time (open model: corrects coordinated omission; closed model: the send).
    LatencyHistogram latency;
    // Latency from the moment the request actually went out.
    LatencyHistogram latency_uncorrected;

    uint64_t transportErrorTotal() const;
    uint64_t errors() const { return http_errors + transportErrorTotal(); }
    uint64_t timeouts() const { return transport_errors[int(ErrorClass::Timeout)]; }
    double errorRate() const { return requests ? double(errors()) / double(requests) : 0.0; }
    // "HTTP/2", or "HTTP/1.1 + HTTP/2" when answers came in on both (most used first); "" when none answered.
    QString protocol() const;
    // "HTTP/2 · 50 connections opened for 12000 requests"; "" when nothing was recorded (older runs).
    QString transportSummary() const;

    void merge(const EndpointStats &other);
    // Both histograms to their compact form, for stats that are kept rather than recorded into.
    void compactHistograms();
    bool operator==(const EndpointStats &other) const;
};

} // namespace Preflight
