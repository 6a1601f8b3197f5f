#include "appsessions.h"

#include "pgconnection.h"

#include <QStringList>

namespace Preflight {

namespace {

// application_name prefixes of tools that open sessions beside an app (a DBA's psql, a backup, an admin GUI).
// Their sessions say nothing about the app's pool or queries.
const QStringList &toolPrefixes()
{
    static const QStringList prefixes = {
        QStringLiteral("psql"),          QStringLiteral("pg_dump"),   QStringLiteral("pg_restore"),
        QStringLiteral("pg_basebackup"), QStringLiteral("pgAdmin"),   QStringLiteral("DBeaver"),
        QStringLiteral("DataGrip"),      QStringLiteral("Navicat"),   QStringLiteral("TablePlus"),
        QStringLiteral("Postico"),       QStringLiteral("pg_cron"),   QStringLiteral("pgbench"),
        QStringLiteral("vacuumdb"),      QStringLiteral("reindexdb"), QStringLiteral("pg_amcheck")};
    return prefixes;
}

} // namespace

AppSessions::AppSessions(const DatabaseSpec &database)
    : m_user(database.app_user), m_applicationName(database.app_application_name),
      m_clientAddr(database.app_client_addr)
{
}

QString AppSessions::exclusionReason(const QString &applicationName, const QString &user,
                                     const QString &clientAddr) const
{
    if (applicationName == QLatin1String(PgConnection::kApplicationName))
        return QStringLiteral("preflight's own");
    if (!m_applicationName.isEmpty() && applicationName != m_applicationName)
        return QStringLiteral("application_name '%1', not the app's '%2'").arg(applicationName, m_applicationName);
    if (!m_user.isEmpty() && user != m_user)
        return QStringLiteral("role %1, not the app's %2")
            .arg(user.isEmpty() ? QStringLiteral("(hidden)") : user, m_user);
    if (!m_clientAddr.isEmpty() && clientAddr != m_clientAddr)
        return QStringLiteral("client %1, not the app's %2")
            .arg(clientAddr.isEmpty() ? QStringLiteral("local socket") : clientAddr, m_clientAddr);
    if (m_applicationName.isEmpty()) {
        for (const QString &tool : toolPrefixes())
            if (applicationName.startsWith(tool, Qt::CaseInsensitive))
                return QStringLiteral("tool: %1").arg(applicationName);
    }
    return QString();
}

QString AppSessions::describe() const
{
    if (!named())
        return QStringLiteral("every session of the target database except Preflight's own and known tools (psql, "
                              "pg_dump, pgAdmin, …); name the app in the plan (database.app) to narrow it");
    QStringList parts;
    if (!m_user.isEmpty())
        parts << QStringLiteral("role %1").arg(m_user);
    if (!m_applicationName.isEmpty())
        parts << QStringLiteral("application_name '%1'").arg(m_applicationName);
    if (!m_clientAddr.isEmpty())
        parts << QStringLiteral("client %1").arg(m_clientAddr);
    return QStringLiteral("sessions of the target database with %1 (database.app in the plan)")
        .arg(parts.join(QStringLiteral(", ")));
}

} // namespace Preflight
