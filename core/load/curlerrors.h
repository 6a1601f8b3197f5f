#pragma once

#include "data/errorclass.h"

namespace Preflight {

// How a libcurl result (a CURLcode, passed as int to keep curl.h out of this header) counts as a transport
// failure. Used by the load workers and by single probes alike, so both classify a failure the same way.
ErrorClass classifyCurlError(int curlCode);

} // namespace Preflight
