#pragma once

#include "data/normalizebody.h"
#include "data/rundata.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace Preflight {

// The error-signature catalogue (docs/errors.md): what failing response bodies say, what it means and which
// finding it backs. ONE table in errorsignatures.cpp; add an entry there (with a real-world example body,
// which tests/core/tst_errorsignatures.cpp checks) to teach Preflight a new signature.
struct ErrorSignature
{
    enum class Match {
        Body,             // `pattern` (case-insensitive regular expression) over the raw body
        RetryAfterHeader, // a 429/503 answer that carries Retry-After, whatever its body
    };
    const char *id;   // stable, unique: "sqlalchemy-queuepool-timeout", "proxy-502", …
    const char *kind; // the family rules key on (SignatureHit::signature): "pool-timeout", "sqlite-busy", …
    Match match;
    const char *pattern;
    const char *meaning;  // one sentence a user reads
    const char *supports; // finding id it backs ("pool-exhaustion", …)
    const char *fix;      // the typical fix
    const char *example;  // a real-world body it recognises
};

// All entries, most specific first: the first entry that matches a sample wins.
const std::vector<ErrorSignature> &errorSignatureCatalogue();
// nullptr when no entry has that id.
const ErrorSignature *errorSignatureById(const QString &id);

// Recognises one failing response. Transport failures (status 0) are never recognised (their body is the
// client's own message). Returns nullptr when nothing matches. Thread-safe, pure.
const ErrorSignature *recogniseErrorBody(const QByteArray &body, int status, const QString &retryAfter);

// One signature of a run: samples with the same catalogue entry and the same normalised message, folded over
// endpoints and statuses. `signature` is the catalogue id or "unrecognised".
struct ErrorSignatureSummary
{
    QString signature;
    QString kind;          // catalogue family, empty when unrecognised
    QString normalized;    // normalizeBody() of the example
    uint64_t count = 0;    // responses
    QStringList endpoints; // plan endpoint names, in plan order
    std::vector<int> endpoint_indices;
    QString example;  // one raw (scrubbed) body, ≤ 2 KiB
    QString supports; // finding id, empty when unrecognised
    QString meaning;
    QString fix;
    double first_seen_s = 0; // seconds since run start
    double last_seen_s = 0;
    std::vector<int> statuses; // HTTP statuses seen (0 = transport failure), ascending
    QString retry_after;       // last Retry-After seen, empty if none
};

// The run's error samples grouped by signature, most frequent first. Examples are scrubbed once more against
// the plan's `${env:…}` values (defence in depth; the sampler already scrubbed). Pure.
std::vector<ErrorSignatureSummary> summarizeErrors(const RunData &run);

} // namespace Preflight
