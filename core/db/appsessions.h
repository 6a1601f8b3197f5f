#pragma once

#include "plan/plan.h"

#include <QString>

namespace Preflight {

// Decides which sessions of the target database are the application's (docs/database.md, "What is read").
// Preflight's own sessions and known interactive/maintenance tools are never the app's; when the plan
// names the app (database.app: user, application_name, client_addr), a session must match every named field.
// Pure and thread-safe.
class AppSessions
{
public:
    AppSessions() = default;
    explicit AppSessions(const DatabaseSpec &database);

    // Empty: the session counts as the app's. Otherwise the reason it is left out, a short phrase that becomes
    // a key of DbSample::excluded ("preflight's own", "tool: psql", "role reporting, not app", ...).
    QString exclusionReason(const QString &applicationName, const QString &user, const QString &clientAddr) const;

    // One sentence for a finding's evidence: which sessions were counted ("sessions of role app from any
    // address" or "every session of the target database but Preflight's and tools'").
    QString describe() const;
    bool named() const { return !m_user.isEmpty() || !m_applicationName.isEmpty() || !m_clientAddr.isEmpty(); }

private:
    QString m_user;
    QString m_applicationName;
    QString m_clientAddr;
};

} // namespace Preflight
