#pragma once

namespace Preflight {

// curl_global_init is not thread-safe: every libcurl user in core calls this first. Idempotent.
void ensureCurlGlobalInit();

} // namespace Preflight
