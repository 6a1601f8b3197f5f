#pragma once

#include "data/rundata.h"

namespace Preflight {

class PgConnection;

// What Preflight can read from a PostgreSQL target, in words a user can act on (docs/architecture.md).
// Reads only: server version, max_connections, whether pg_stat_statements is usable:
//   ok | missing (extension not created in this database) | not-preloaded (created, but the library is not in
//   shared_preload_libraries: SQLSTATE 55000) | insufficient-privilege (other roles' query texts and
//   pg_stat_activity rows are hidden without pg_read_all_stats / pg_monitor).
// Each failure adds a warning and the exact remediation line(s) to DbCapabilities; Preflight never runs
// CREATE EXTENSION, ALTER SYSTEM or GRANT itself. Blocking (a few short read-only statements); call it off
// the GUI thread.
class PgCapabilities
{
public:
    static DbCapabilities check(PgConnection &conn);
    // Schema-qualified name of the pg_stat_statements view ("public.pg_stat_statements"), empty if absent.
    static QString statementsView(PgConnection &conn);
};

} // namespace Preflight
