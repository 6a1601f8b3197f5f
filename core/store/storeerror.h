#pragma once

#include <QString>

namespace Preflight {

// A failure of the run store, phrased for the person who has to act on it ("…: choose another file with
// --store"). Converted from a sqlite rc at the edge; never thrown. Default-constructed = no error.
struct StoreError
{
    enum class Kind {
        None,
        NotFound,  // file, run or row does not exist
        NotAStore, // not an SQLite database, or an SQLite file that is not a Preflight run store
        Corrupt,   // quick_check failed or SQLite reported corruption
        TooNew,    // written by a newer Preflight (user_version above what this build knows)
        Busy,      // locked by another process beyond the busy timeout
        ReadOnly,  // file or directory not writable
        Io,        // disk full, I/O error, cannot open
        Sql,       // anything else SQLite reported (a bug if it happens)
        Usage,     // programmer or caller error (no run begun, store not open, ...)
    };

    Kind kind = Kind::None;
    QString message;
    int sqlite_code = 0; // the extended sqlite rc when the error came from SQLite, else 0

    bool isError() const { return kind != Kind::None; }
    explicit operator bool() const { return isError(); }

    static StoreError make(Kind kind, const QString &message, int sqlite_code = 0)
    {
        StoreError e;
        e.kind = kind;
        e.message = message;
        e.sqlite_code = sqlite_code;
        return e;
    }
};

} // namespace Preflight
