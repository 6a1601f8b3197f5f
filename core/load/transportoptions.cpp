#include "transportoptions.h"

#include "plan/plan.h"
#include "proxysettings.h"

#include <curl/curl.h>

#include <algorithm>

namespace Preflight {

TransportOptions TransportOptions::fromTarget(const TargetSpec &target)
{
    TransportOptions o;
    o.timeout_ms = target.timeout_ms;
    o.connect_timeout_ms = target.timeout_ms;
    o.insecure = target.insecure;
    o.ca_file = target.ca_file.toStdString();
    o.cert_file = target.cert_file.toStdString();
    o.key_file = target.key_file.toStdString();
    const ProxySettings proxy = ProxySettings::fromEnvironment(target.base_url.toStdString());
    o.proxy = proxy.proxy;
    o.no_proxy = proxy.noProxy;
    o.http_version = target.http_version;
    o.streams_per_connection = std::max(1, target.multiplex);
    return o;
}

long TransportOptions::curlHttpVersion() const
{
    switch (http_version) {
    case HttpVersion::Http1_1:
        return CURL_HTTP_VERSION_1_1;
    case HttpVersion::Http2:
        return CURL_HTTP_VERSION_2_0;
    case HttpVersion::Http2PriorKnowledge:
        return CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    case HttpVersion::Default:
        break;
    }
    return CURL_HTTP_VERSION_NONE;
}

void TransportOptions::apply(void *curlEasy) const
{
    // Expects a fresh handle (or one this function configured before): options are only ever set, never reset.
    CURL *easy = static_cast<CURL *>(curlEasy);
    // No SIGALRM for DNS timeouts: every handle lives on a thread that is not the main one.
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "preflight/" PREFLIGHT_VERSION);
    // Strings are copied by libcurl; an empty proxy means "none", which also stops libcurl's own lookups.
    curl_easy_setopt(easy, CURLOPT_PROXY, proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_NOPROXY, no_proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
    // Only when given: CAINFO set to NULL would drop the built-in system bundle, not restore it.
    if (!ca_file.empty())
        curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file.c_str());
    if (!cert_file.empty())
        curl_easy_setopt(easy, CURLOPT_SSLCERT, cert_file.c_str());
    if (!key_file.empty())
        curl_easy_setopt(easy, CURLOPT_SSLKEY, key_file.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, curlHttpVersion());
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, streams_per_connection > 1 ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, reuse_connections ? 0L : 1L);
}

} // namespace Preflight
