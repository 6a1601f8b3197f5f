#pragma once

#include <QString>

namespace Preflight {

// Decides, with libpg_query and before anything reaches a server, whether a text may be EXPLAINed.
// Allowed: exactly one statement that is a plain SELECT (or VALUES/set operation of SELECTs), optionally
// WITH … SELECT when no CTE modifies data; no FOR UPDATE/SHARE locking clause and no SELECT INTO anywhere.
// With forAnalyze (EXPLAIN ANALYZE executes the statement) it is stricter: no CTEs at all and no calls to
// functions with side effects outside the data (pg_terminate_backend, set_config, nextval, pg_sleep, …).
// Thread-safe, pure.
class StatementGuard
{
public:
    struct Verdict
    {
        bool allowed = false;
        QString reason;    // why it was refused, for the user ("2 statements", "DELETE in a CTE", …)
        QString statement; // the single statement without trailing ';' (what may be sent)
        int max_param = 0; // highest $n placeholder, 0 when none
    };
    static Verdict checkSelect(const QString &sql, bool forAnalyze = false);
};

} // namespace Preflight
