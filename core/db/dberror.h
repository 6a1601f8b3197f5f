#pragma once

#include <QString>

namespace Preflight {

// A database failure converted at the libpq/SQLite edge: what happened, in words a user can act on.
// Never contains a password (conninfo is always redacted before it is quoted).
struct DbError
{
    enum class Kind {
        None,
        Config,      // bad conninfo, unset ${env:…}
        Auth,        // wrong or missing password, role not allowed
        Unreachable, // refused, DNS, timeout, TLS
        Query,       // the server rejected a statement (see sqlstate)
        Refused,     // Preflight refused to send a statement (not a plain read-only SELECT)
        Cancelled,
    };
    Kind kind = Kind::None;
    QString sqlstate; // five-character SQLSTATE for Query errors, else empty
    QString message;  // one or two sentences naming the fix

    bool ok() const { return kind == Kind::None; }
};

} // namespace Preflight
