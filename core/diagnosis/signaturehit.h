#pragma once

#include "data/rundata.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace Preflight {

// An error sample recognised as a known failure signature ("database is locked", "QueuePool limit …").
// Seam for the error-signature catalogue (core/diagnosis/errorsignature*): rules only see SignatureHits.
struct SignatureHit
{
    QString signature;    // family (ErrorSignature::kind): "sqlite-busy", "pg-lock-timeout", "pool-timeout",
                          // "too-many-clients", …
    QString entry;        // catalogue entry id (ErrorSignature::id): "sqlalchemy-queuepool-timeout", "proxy-502", …
    QString supports;     // the finding id it backs: "lock-contention", "pool-exhaustion", "max-connections-near", …
    int endpoint = -1;    // index into Plan::endpoints; -1 unknown
    int status = 0;       // HTTP status of the sample, 0 = transport failure
    uint64_t count = 0;   // responses the sample stands for
    int stage_index = -1; // where first seen
    QString excerpt;      // the normalised body (normalizeBody), ≤ 160 characters, scrubbed by the sampler
    int pool_size = -1;   // parsed from "QueuePool limit of size 5 overflow 10" (5 + 10), -1 otherwise
};

// Recognise the run's error samples against the catalogue (core/diagnosis/errorsignatures.h; defined in
// errorsignatures.cpp). Pure; at most one hit per error sample (the first matching catalogue entry wins).
std::vector<SignatureHit> recogniseErrorSamples(const RunData &run);

} // namespace Preflight
