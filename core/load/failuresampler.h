#pragma once

#include "data/errorsample.h"

#include <QString>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace Preflight {

// Keeps a bounded sample of failing responses: per (endpoint, status or transport class) at most
// kMaxDistinctBodies distinct signatures — bodies equal once normalised (normalizeBody: numbers, ids, uuids,
// timestamps, hex out) — each with a count and first/last seen and the first body as its example; further
// signatures only add to an overflow count. Memory is bounded whatever the error rate: at most
// kMaxDistinctBodies × (kMaxBodyBytes + normalised key) per key, keys bounded by endpoints × statuses.
//
// Credentials never enter: every body is scrubbed before it is kept (scrubCredentials). Not thread-safe
// (one per worker; the engine merges them under its own lock).
class FailureSampler
{
public:
    static constexpr int kMaxDistinctBodies = 20;
    static constexpr int kMaxBodyBytes = 2048;

    // requestHeaders: the "Name: value" lines the failing request carried (resolved secrets included); the
    // values of secret-looking headers (Authorization, Cookie, *token*, *key*, …) are removed from the body.
    void offer(const ErrorSample &sample, const std::vector<std::string> &requestHeaders = {});
    void merge(const FailureSampler &other);
    // Samples ordered by endpoint, status, then first seen.
    std::vector<ErrorSample> samples() const;
    uint64_t overflow() const { return m_overflow; }
    // Bytes held by kept bodies and keys (for tests of the bound).
    uint64_t bytesHeld() const;

    // Replaces credential material in a response body by "***": echoed Authorization/Cookie/API-key headers
    // (header or JSON form), Bearer/Basic tokens, password/secret/token key=value or "key": "value" pairs, URL
    // user:password@, and every canary (≥ 3 bytes) given. Returns the body unchanged when nothing looks like
    // a credential (cheap pre-check). Thread-safe, pure.
    static QByteArray scrubCredentials(const QByteArray &body, const std::vector<QByteArray> &canaries = {});
    // The secret values among request header lines: the value of each secret-looking header and, for
    // "Bearer x"/"Basic x", x alone.
    static std::vector<QByteArray> secretHeaderValues(const std::vector<std::string> &requestHeaders);

private:
    struct Kept
    {
        QString key; // normalised body
        ErrorSample sample;
    };
    void keep(const QString &key, const ErrorSample &sample);

    using Key = std::tuple<int, int, int>; // endpoint, status, error class
    std::map<Key, std::vector<Kept>> m_samples;
    uint64_t m_overflow = 0;
};

} // namespace Preflight
