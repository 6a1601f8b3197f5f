#pragma once

#include <QString>

namespace Preflight {

// Whether a URL's host is this machine's loopback: localhost (and *.localhost), ::1, or a literal 127.0.0.0/8
// address. Other names are never resolved (resolving would itself be traffic). The one owner of "loopback" for the
// safety rule (non-loopback targets need --yes) and for the diagnosis (a loopback target shares this host's CPUs).
bool isLoopbackUrl(const QString &url);

} // namespace Preflight
