#pragma once

#include "plan/httpversion.h"

#include <string>

namespace Preflight {

struct TargetSpec;

// How every libcurl easy handle of a run reaches the target: load workers, the reachability and login probes,
// the pool sampler and the profiling pass. One value built from the plan's target and applied by apply(), so no
// handle goes out with other TLS, proxy, timeout or protocol settings than the others (docs/transport.md).
// A plain value: copy it freely across threads.
struct TransportOptions
{
    long timeout_ms = 10000;         // whole transfer (CURLOPT_TIMEOUT_MS); 0 = none
    long connect_timeout_ms = 10000; // TCP + TLS handshake (CURLOPT_CONNECTTIMEOUT_MS); 0 = libcurl's default
    bool insecure = false;           // no certificate or host name verification (recorded and shown on reports)
    std::string ca_file;             // PEM bundle to trust instead of the system's; "" = system CAs
    std::string cert_file;           // client certificate (PEM) for servers that ask for one; "" = none
    std::string key_file;            // its private key (PEM); "" = in cert_file
    std::string proxy;               // "" = none (resolved once from the environment, as libcurl would)
    std::string no_proxy;
    HttpVersion http_version = HttpVersion::Default;
    bool reuse_connections = true; // false: every transfer on a new connection (CURLOPT_FORBID_REUSE)
    // Concurrent transfers per connection. 1: one transfer per connection, so one load user is one connection
    // (CURLOPT_PIPEWAIT off, and the load worker's CURLM does not multiplex). N > 1: transfers wait for an
    // HTTP/2 connection to multiplex on (PIPEWAIT) and share it up to N streams (plan target.multiplex).
    int streams_per_connection = 1;

    // Timeouts from target.timeout_ms, TLS from target.tls, the
    // protocol from target.http_version and target.multiplex, the proxy from the environment for base_url's
    // scheme (ProxySettings). Secrets are not involved: file names only.
    static TransportOptions fromTarget(const TargetSpec &target);

    // Sets every option above on a libcurl easy handle (CURL *, typed void * to keep curl.h out of this header).
    // Callers set the request itself (URL, method, headers, body, callbacks) and may set a per-request timeout
    // after this.
    void apply(void *curlEasy) const;
    // The CURLOPT_HTTP_VERSION value for http_version.
    long curlHttpVersion() const;
};

} // namespace Preflight
