#pragma once

#include <string>

namespace Preflight {

// The proxy libcurl would pick from the environment for one URL scheme, resolved once per run. libcurl looks
// the variables up again on every transfer (five getenv scans of the environment per request: 2% of a
// worker's instructions at 10 users); setting CURLOPT_PROXY and CURLOPT_NOPROXY to these values keeps its
// behaviour and skips the lookups. Same rules as libcurl 7.88: no_proxy, else NO_PROXY; <scheme>_proxy
// (lower case; for schemes other than http also upper case), else all_proxy, else ALL_PROXY.
struct ProxySettings
{
    std::string proxy;   // "" = no proxy
    std::string noProxy; // "" = no exceptions

    static ProxySettings fromEnvironment(const std::string &url);
};

} // namespace Preflight
