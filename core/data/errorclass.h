#pragma once

#include <QString>

#include <array>
#include <cstdint>

namespace Preflight {

// How a request failed. Transport failures are classified, never thrown; HTTP statuses are counted
// separately per code (a 503 is an HTTP answer, not a transport error).
enum class ErrorClass : uint8_t {
    Timeout,  // no complete answer within the request timeout
    Connect,  // connection refused or unreachable
    Dns,      // host name did not resolve
    Tls,      // handshake or certificate failure
    Reset,    // connection reset or closed before a complete answer
    TooLarge, // response body above the plan's limit
    Other,    // anything else libcurl reports
    NUM_ERROR_CLASSES
};

constexpr int kErrorClassCount = int(ErrorClass::NUM_ERROR_CLASSES);
using ErrorCounts = std::array<uint64_t, kErrorClassCount>;

// Stable lower-case ids used in JSON ("timeout", "connect", "dns", "tls", "reset", "too_large", "other").
QString errorClassId(ErrorClass c);
// Human words for tables ("timeouts", "connection refused", ...).
QString errorClassLabel(ErrorClass c);

} // namespace Preflight
