#pragma once

#include <QString>

#include <string>

namespace Preflight {

struct TransportOptions;

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

// Resolves "auto": raw for an http:// base URL without user information, without a proxy from the
// environment and with HTTP/1.1 (target.http_version unset or "1.1", no multiplexing); curl otherwise (https,
// a proxy, credentials in the URL, HTTP/2). "curl" and "raw" are taken as asked (PlanParser refuses an unknown
// value, and "raw" on https:// or with HTTP/2).
LoadPathChoice chooseLoadPath(const QString &requested, const std::string &baseUrl, const TransportOptions &transport);

} // namespace Preflight
