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
};

} // namespace Preflight
