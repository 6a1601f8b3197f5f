#pragma once

#include "plan/plan.h"

#include <QJsonObject>
#include <QString>

namespace Preflight {

// What the run store does so that no secret reaches the file (docs/architecture.md). Pure functions, thread-safe.
//
// - plan(): Plan::toJson() (placeholders kept), then the conninfo through Secrets::redactConninfo,
//   the base URL through redactUrl, and — defence in depth, since a plan should never hold a literal secret —
//   any header or login-JSON value under a secret name (Secrets::isSecretName) that holds no `${env:…}` /
//   `${keychain:…}` placeholder becomes "***".
// - text(): free text that may echo input (status reasons, warnings, error messages): conninfo and URL
//   passwords removed, every resolved `${env:…}` / `${keychain:…}` value of the plan and every value of
//   SecretResolver's session secret table (what the GUI read from the OS keychain) replaced by "***".
class SecretScrubber
{
public:
    static QJsonObject plan(const Plan &plan);
    static QString text(const QString &text, const Plan &plan);
    static QString text(const QString &text, const QString &planJson);
};

} // namespace Preflight
