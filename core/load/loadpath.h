#pragma once

#include <QString>

#include <string>

namespace Preflight {

struct ProxySettings;

// Which load path carries a run's requests: libcurl's (everything: TLS, HTTP/2, proxies) or the raw HTTP/1.1
// one (plain http:// keep-alive, near wrk's cost per request). The plan's target.engine or `--engine` asks
// for "auto" (the default), "curl" or "raw"; the run records the path that measured it.
enum class LoadPath { Curl, Raw };

struct LoadPathChoice
{
    LoadPath path = LoadPath::Curl;
    QString reason; // why auto chose curl ("https://: TLS needs libcurl"); empty when raw or asked for
};

// "curl" | "raw": the value RunInfo::engine, the store and the run JSON keep.
QString loadPathId(LoadPath path);

// Resolves "auto": raw for an http:// base URL without user information and without a proxy from the
// environment; curl otherwise (https, a proxy, credentials in the URL). "curl" and "raw" are taken as asked
// (PlanParser refuses an unknown value and "raw" on https://).
LoadPathChoice chooseLoadPath(const QString &requested, const std::string &baseUrl, const ProxySettings &proxy);

} // namespace Preflight
