#pragma once

#include <QString>

namespace Preflight {

// The HTTP version asked of libcurl (plan target.http_version, `--http`). Default leaves libcurl's own choice
// for the scheme (libcurl 7.88: HTTP/2 over TLS when ALPN agrees, HTTP/1.1 on plain http); what was actually
// spoken is recorded per endpoint either way (EndpointStats::protocols).
enum class HttpVersion {
    Default,
    Http1_1,            // "1.1": HTTP/1.1 only, also over TLS
    Http2,              // "2": HTTP/2 over TLS via ALPN; on plain http an Upgrade: h2c offer
    Http2PriorKnowledge // "2-prior-knowledge": HTTP/2 from the first byte (h2c, no upgrade) or over TLS
};

// "1.1" | "2" | "2-prior-knowledge" | "" (Default).
QString httpVersionName(HttpVersion version);
// False for anything else; *version is then left alone.
bool parseHttpVersion(const QString &name, HttpVersion *version);
// What to tell a user who wrote something else: the accepted values and what leaving it out means.
QString httpVersionChoices();

} // namespace Preflight
