#include "pgcapabilities.h"

#include "dblog.h"
#include "pgconnection.h"

namespace Preflight {

namespace {
QString quoteIdent(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}
} // namespace

QString PgCapabilities::statementsView(PgConnection &conn)
{
    const PgResultSet r =
        conn.query(QStringLiteral("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                  "WHERE e.extname = 'pg_stat_statements'"));
    if (!r.ok() || r.rowCount() == 0)
        return {};
    return quoteIdent(r.value(0, 0)) + QStringLiteral(".pg_stat_statements");
}

DbCapabilities PgCapabilities::check(PgConnection &conn)
{
    DbCapabilities caps;
    caps.kind = QStringLiteral("postgresql");
    const PgResultSet basics = conn.query(QStringLiteral(
        "SELECT current_setting('server_version') AS version, current_setting('max_connections') AS max_connections, "
        "current_user AS role, current_database() AS db, "
        "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser, "
        "pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats"));
    if (!basics.ok()) {
        caps.warnings << QStringLiteral("could not read the server settings: %1").arg(basics.error.message);
        return caps;
    }
    caps.server_version = basics.value(0, QStringLiteral("version")).section(QLatin1Char(' '), 0, 0);
    caps.max_connections = basics.value(0, QStringLiteral("max_connections")).toInt();
    const QString role = basics.value(0, QStringLiteral("role"));
    const QString db = basics.value(0, QStringLiteral("db"));
    const bool privileged = basics.value(0, QStringLiteral("superuser")) == QLatin1String("t") ||
                            basics.value(0, QStringLiteral("read_all_stats")) == QLatin1String("t");
    const QString grantLine = QStringLiteral("GRANT pg_read_all_stats TO %1;").arg(quoteIdent(role));

    const QString view = statementsView(conn);
    if (view.isEmpty()) {
        caps.pg_stat_statements = QStringLiteral("missing");
        // Whether the server already loads the library decides whether CREATE EXTENSION alone is enough.
        // pg_settings hides shared_preload_libraries from roles without pg_read_all_settings (no row, no error).
        const PgResultSet preload = conn.query(QStringLiteral(
            "SELECT (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS preload, "
            "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS available"));
        const bool known = preload.ok() && preload.rowCount() == 1 && !preload.value(0, 0).isNull();
        const bool preloaded = known && preload.value(0, 0).contains(QLatin1String("pg_stat_statements"));
        const bool available = !preload.ok() || preload.value(0, QStringLiteral("available")) != QLatin1String("f");
        QString extra = preloaded
                            ? QStringLiteral("the server already loads its library, so that line is all it takes.")
                        : known ? QStringLiteral("the server does not load its library yet: add the first line to "
                                                 "postgresql.conf and restart PostgreSQL before running the second.")
                                : QStringLiteral("the library must also be in shared_preload_libraries (which "
                                                 "this role cannot read).");
        if (!available)
            extra += QStringLiteral(" The server has no pg_stat_statements files: install its contrib package "
                                    "(Debian/Ubuntu: postgresql-contrib) first.");
        caps.warnings << QStringLiteral(
                             "pg_stat_statements is not created in database \"%1\": queries per request and query "
                             "timings are not available. A database owner can run the line%2 below (Preflight never "
                             "does); %3")
                             .arg(db, known && !preloaded ? QStringLiteral("s") : QString(), extra);
        if (known && !preloaded)
            caps.remediation << QStringLiteral("shared_preload_libraries = 'pg_stat_statements'");
        caps.remediation << QStringLiteral("CREATE EXTENSION pg_stat_statements;");
    } else {
        const PgResultSet probe = conn.query(QStringLiteral("SELECT queryid FROM %1 LIMIT 1").arg(view));
        if (!probe.ok() && probe.error.sqlstate == QLatin1String("55000")) {
            caps.pg_stat_statements = QStringLiteral("not-preloaded");
            caps.warnings << QStringLiteral(
                "pg_stat_statements is created but not loaded by the server (it must be in shared_preload_libraries, "
                "which needs a restart): queries per request are not available. Add the line below to "
                "postgresql.conf and restart PostgreSQL (Preflight never runs ALTER SYSTEM).");
            caps.remediation << QStringLiteral("shared_preload_libraries = 'pg_stat_statements'");
        } else if (!probe.ok() && probe.error.sqlstate == QLatin1String("42501")) {
            caps.pg_stat_statements = QStringLiteral("insufficient-privilege");
            caps.warnings << QStringLiteral("role \"%1\" may not read pg_stat_statements: %2. Run the line below "
                                            "as a superuser.")
                                 .arg(role, probe.error.message);
            caps.remediation << QStringLiteral("GRANT SELECT ON %1 TO %2;").arg(view, quoteIdent(role)) << grantLine;
        } else if (!probe.ok()) {
            caps.pg_stat_statements = QStringLiteral("missing");
            caps.warnings << QStringLiteral("pg_stat_statements cannot be read: %1").arg(probe.error.message);
        } else if (!privileged) {
            caps.pg_stat_statements = QStringLiteral("insufficient-privilege");
            caps.warnings << QStringLiteral(
                                 "role \"%1\" sees the text of its own queries only (others show as <insufficient "
                                 "privilege>), and other sessions in pg_stat_activity without state: grant it "
                                 "pg_read_all_stats (or pg_monitor) with the line below, run as a superuser.")
                                 .arg(role);
            caps.remediation << grantLine;
        } else {
            caps.pg_stat_statements = QStringLiteral("ok");
            const PgResultSet track =
                conn.query(QStringLiteral("SELECT current_setting('pg_stat_statements.track', true)"));
            if (track.ok() && track.rowCount() == 1 && track.value(0, 0) == QLatin1String("none")) {
                caps.warnings << QStringLiteral(
                    "pg_stat_statements.track = none: no statements are recorded; set it to "
                    "'top' or 'all' in postgresql.conf and reload.");
                caps.remediation << QStringLiteral("pg_stat_statements.track = 'all'");
            }
        }
    }
    if (!privileged && caps.pg_stat_statements != QLatin1String("insufficient-privilege")) {
        caps.warnings << QStringLiteral("role \"%1\" cannot see other sessions' state in pg_stat_activity: backend "
                                        "counts by state will be incomplete; grant pg_read_all_stats.")
                             .arg(role);
        if (!caps.remediation.contains(grantLine))
            caps.remediation << grantLine;
    }
    qCInfo(lcPreflightDb) << "capabilities:" << caps.server_version << caps.pg_stat_statements;
    return caps;
}

} // namespace Preflight
