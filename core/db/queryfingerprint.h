#pragma once

#include <QString>

namespace Preflight {

// libpg_query fingerprints: statements that differ only in constants, placeholders or whitespace share one.
// Thread-safe (libpg_query keeps its state per thread). Pure CPU, microseconds per statement.
class QueryFingerprint
{
public:
    // 16 hex digits, or an empty string when the text does not parse (e.g. a truncated log line).
    static QString of(const QString &sql);
    // The text with every constant replaced by $n (pg_query_normalize), so no literal value (an e-mail, a
    // token) leaves the sampler. A text that does not parse gives "" rather than the raw text.
    static QString normalized(const QString &sql);
    // Transaction control and utility statements (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, SET, SHOW,
    // DISCARD, LISTEN, ...): run per row by drivers and ORMs, they are no query of the app's data and never
    // count as an N+1 child or a statement "per request". Judged by the first keyword after comments, so
    // truncated log lines are judged too.
    static bool isTransactionControlOrUtility(const QString &sql);
};

} // namespace Preflight
