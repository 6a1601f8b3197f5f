#pragma once

#include <QString>

#include <string>

namespace Preflight {

// What counts as a secret, decided once (docs/architecture.md). The importer (which values become ${env:…}), the
// run store's scrubber (which plan values become "***"), the failure sampler (which request header values are
// masked in echoed error bodies) and the GUI (which login fields are hidden) all ask here. Pure functions,
// thread-safe.
namespace Secrets {

// A header, query parameter or JSON key that carries a credential: authorization, tokens, passwords, cookies,
// sessions, API keys, signatures, … Deliberately broad (a masked harmless value costs a line; a leaked token
// costs a rotation), except for names that describe a secret rather than hold it ("authenticationType",
// "tokenExpiresAt", "privateKeyId"); a session's id is the session itself ("sessionId").
bool isSecretName(const QString &name);
bool isSecretName(const std::string &name);

// A libpq conninfo (key=value or URI) with any literal password replaced by "***": password=…, the URI's
// user:password@ and ?password=…. Safe to store or print. Text around a conninfo is kept, so it also cleans
// messages that quote one.
QString redactConninfo(const QString &conninfo);

// The conninfo with its password set to `placeholder` (e.g. "${keychain:db}"): a literal password (any of the
// three forms above) is replaced, or a password parameter is added in the conninfo's own form.
QString conninfoWithPassword(const QString &conninfo, const QString &placeholder);

} // namespace Secrets

} // namespace Preflight
