#include "proxysettings.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace Preflight {

namespace {
bool lookup(const std::string &name, std::string *value)
{
    const char *v = std::getenv(name.c_str());
    if (!v || !*v)
        return false;
    *value = v;
    return true;
}
} // namespace

ProxySettings ProxySettings::fromEnvironment(const std::string &url)
{
    ProxySettings s;
    if (!lookup("no_proxy", &s.noProxy))
        lookup("NO_PROXY", &s.noProxy);
    const auto colon = url.find("://");
    std::string scheme = colon == std::string::npos ? std::string("http") : url.substr(0, colon);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::string upper = scheme;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    // HTTP_PROXY (upper case) is ignored for http: CGI sets it from a request header (httpoxy).
    if (lookup(scheme + "_proxy", &s.proxy) || (scheme != "http" && lookup(upper + "_PROXY", &s.proxy)))
        return s;
    if (!lookup("all_proxy", &s.proxy))
        lookup("ALL_PROXY", &s.proxy);
    return s;
}

} // namespace Preflight
