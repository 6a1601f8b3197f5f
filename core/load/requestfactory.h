#pragma once

#include "plan/plan.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace Preflight {

// Small fast PRNG (splitmix64) for endpoint picks and path variables; one per worker, seeded per worker.
struct FastRandom
{
    uint64_t state;
    explicit FastRandom(uint64_t seed) : state(seed) {}
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform01() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
};

// Turns a plan's endpoints into concrete requests: URL with path variables and {seq} filled in, headers
// (target headers, endpoint headers, Content-Type for JSON bodies, the login token), body, timeout.
// Secrets (`${env:…}`) are resolved once at creation and live only in this object's memory.
// Immutable after setup; safe to read from many worker threads.
class RequestFactory
{
public:
    // nullopt + *error when the plan refers to an unset environment variable or cannot be built; the unset
    // placeholders ("${env:NAME}") are listed in *missingSecrets when given.
    static std::optional<RequestFactory> create(const Plan &plan, QString *error,
                                                QStringList *missingSecrets = nullptr);

    // Adds "Name: value" to every request (the login token). Call before workers start.
    void addCommonHeader(const std::string &header);

    int endpointCount() const { return int(m_endpoints.size()); }
    // Weighted pick: u in [0, 1).
    int pickEndpoint(double u) const;
    const std::string &method(int endpoint) const { return m_endpoints[size_t(endpoint)].method; }
    void buildUrl(int endpoint, FastRandom &rng, uint64_t seq, std::string &out) const;
    // Empty when the endpoint has no body. {seq} is substituted.
    void buildBody(int endpoint, uint64_t seq, std::string &out) const;
    // True when every request to the endpoint is identical (no path variables, no {seq}).
    bool isFixed(int endpoint) const;
    bool hasBody(int endpoint) const { return !m_endpoints[size_t(endpoint)].body.empty(); }
    const std::vector<std::string> &headers(int endpoint) const { return m_endpoints[size_t(endpoint)].headers; }
    long timeoutMs(int endpoint) const { return m_endpoints[size_t(endpoint)].timeout_ms; }

    // Reserves `count` consecutive values of {seq} and returns the first. Values are unique across every
    // worker and the profiling pass of one run (they share this factory), and increase in the order reserved:
    // a POST with a unique name per request never collides. Thread-safe; workers reserve blocks so that the
    // hot loop shares nothing but one atomic add every few hundred requests.
    uint64_t reserveSequence(uint64_t count) const { return m_sequence->fetch_add(count, std::memory_order_relaxed); }
    // The {seq} value of reserved number n (n ≥ 1): n itself in a local run. A distributed run gives segment i of
    // k the values i+1, i+1+k, i+1+2k, … (setSequenceSegment(i, k)), so that segments never share a value.
    uint64_t sequenceValue(uint64_t n) const { return m_sequenceOffset + 1 + (n - 1) * m_sequenceStride; }
    void setSequenceSegment(uint64_t index, uint64_t count)
    {
        m_sequenceOffset = index;
        m_sequenceStride = count > 0 ? count : 1;
    }

    // base_url + path for paths outside the endpoint list (health, pool metrics, login). Absolute URLs pass.
    std::string absoluteUrl(const QString &pathOrUrl) const;
    const std::string &baseUrl() const { return m_baseUrl; }

private:
    struct Segment
    {
        enum class Kind { Literal, Variable, Sequence } kind = Kind::Literal;
        std::string literal;
        PathVariable variable;
        std::vector<std::string> listValues;
    };
    struct Endpoint
    {
        std::string method;
        std::vector<Segment> path;
        std::string body;
        bool bodyHasSeq = false;
        std::vector<std::string> headers;
        long timeout_ms = 0;
        double cumulativeWeight = 0;
    };

    std::string m_baseUrl;
    std::vector<Endpoint> m_endpoints;
    // Shared by copies of the factory (the engine and the profiler hold the same run's). Starts at 1.
    std::shared_ptr<std::atomic<uint64_t>> m_sequence = std::make_shared<std::atomic<uint64_t>>(1);
    uint64_t m_sequenceOffset = 0;
    uint64_t m_sequenceStride = 1;
};

} // namespace Preflight
