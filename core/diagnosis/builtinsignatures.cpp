// A small built-in table of failure signatures, enough for the rules to use error bodies as supporting
// evidence. The full catalogue (core/diagnosis/errorsignature*) replaces recogniseErrorSamples().
#include "signaturehit.h"

#include <QRegularExpression>

namespace Preflight {

namespace {

struct Signature
{
    const char *id;
    const char *supports;
    const char *pattern;   // case-insensitive regular expression over the body
};

const Signature kSignatures[] = {
    {"sqlite-busy", "lock-contention", R"(database is locked|database table is locked|SQLITE_BUSY)"},
    {"pg-deadlock", "lock-contention", R"(deadlock detected)"},
    {"pg-lock-timeout", "lock-contention", R"(canceling statement due to lock timeout|could not obtain lock)"},
    {"pool-timeout", "pool-exhaustion",
     R"(QueuePool limit|connection pool exhausted|Timeout acquiring a connection|Connection is not available, request timed out|pool timed out|timed out waiting for a connection)"},
    {"too-many-clients", "max-connections-near",
     R"(remaining connection slots are reserved|too many clients already|too many connections)"},
    {"pg-statement-timeout", "slow-endpoint", R"(canceling statement due to statement timeout)"},
};

} // namespace

std::vector<SignatureHit> recogniseErrorSamples(const RunData &run)
{
    static const QRegularExpression poolSize(QStringLiteral(R"(size (\d+) overflow (\d+))"),
                                             QRegularExpression::CaseInsensitiveOption);
    std::vector<SignatureHit> hits;
    for (const ErrorSample &sample : run.error_samples) {
        const QString body = QString::fromUtf8(sample.body);
        for (const Signature &sig : kSignatures) {
            const QRegularExpression re(QLatin1String(sig.pattern), QRegularExpression::CaseInsensitiveOption);
            const QRegularExpressionMatch m = re.match(body);
            if (!m.hasMatch())
                continue;
            SignatureHit hit;
            hit.signature = QLatin1String(sig.id);
            hit.supports = QLatin1String(sig.supports);
            hit.endpoint = sample.endpoint;
            hit.status = sample.status;
            hit.count = sample.count;
            hit.stage_index = sample.stage_index;
            const qsizetype from = std::max<qsizetype>(0, m.capturedStart() - 40);
            hit.excerpt = body.mid(from, 160).simplified();
            const QRegularExpressionMatch size = poolSize.match(body);
            if (size.hasMatch())
                hit.pool_size = size.captured(1).toInt() + size.captured(2).toInt();
            hits.push_back(hit);
            break;
        }
    }
    return hits;
}

} // namespace Preflight
