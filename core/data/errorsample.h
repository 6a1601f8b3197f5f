#pragma once

#include "errorclass.h"

#include <QByteArray>
#include <QString>

namespace Preflight {

// A failing response kept as evidence (bounded per endpoint and status; see FailureSampler).
// Never carries request or credential headers.
struct ErrorSample
{
    int endpoint = -1;                          // index into Plan::endpoints
    int status = 0;                             // HTTP status, 0 for a transport failure
    ErrorClass error_class = ErrorClass::Other; // meaningful when status == 0
    QString retry_after;                        // response headers worth keeping
    QString content_type;
    QString server;
    QByteArray body; // first ≤ 2 KiB of the body
    double first_seen_s = 0;
    double last_seen_s = 0;
    int stage_index = -1; // where it was first seen
    uint64_t count = 1;   // responses folded into this sample (same endpoint, status, body)
};

} // namespace Preflight
