#pragma once

#include <QString>
#include <QStringList>

namespace Preflight {

struct Plan;

// Resolves secret placeholders at the moment a request or a connection is made:
//   `${env:NAME}`       from the process environment;
//   `${keychain:NAME}`  from the process-wide session secret table, which the GUI fills from the OS keychain
//                       (or from a password dialog when no keychain is available) before a run. The CLI has no
//                       keychain: there the table stays empty and the placeholder is reported as missing.
// The resolved text must never be written to a log, the run store, a report, JSON or JUnit.
// Thread-safe: the session table is guarded by a mutex; every function may be called from any thread.
class SecretResolver
{
public:
    // Returns text with every placeholder replaced (an unresolved one by the empty string); each unresolved
    // placeholder is appended once to *missing, spelled as in the plan ("${env:NAME}", "${keychain:NAME}").
    static QString resolve(const QString &text, QStringList *missing = nullptr);
    static bool hasPlaceholder(const QString &text);
    // One sentence naming the fix for every unresolved placeholder in `missing` (as filled by resolve()),
    // `where` says what uses them ("the plan", "the database conninfo", "login"). Empty when missing is empty.
    static QString describeMissing(const QStringList &missing, const QString &where = QStringLiteral("the plan"));
    // Names of the `${keychain:NAME}` placeholders in text (each once, in order of appearance).
    static QStringList keychainNames(const QString &text);
    // Every `${keychain:NAME}` the plan uses (conninfo, headers, login body, endpoints, pool URL).
    static QStringList keychainNames(const Plan &plan);

    // The in-memory session secret table behind `${keychain:NAME}`. Values live only in this process's
    // memory until clearSessionSecrets() (or exit); an empty value is a valid secret.
    static void setSessionSecret(const QString &name, const QString &value);
    static bool hasSessionSecret(const QString &name);
    static void clearSessionSecrets();

    // Replaces every resolved secret value of templateText's placeholders in text by "***" (for error
    // messages that echo input). Values shorter than 3 characters are left alone (they would mask noise).
    static QString redact(const QString &text, const QString &templateText);
    // Replaces every value of the session secret table in text by "***" (same length rule as redact()).
    static QString redactSessionSecrets(const QString &text);
    // A URL with any user:password@ part removed.
    static QString redactUrl(const QString &url);
};

} // namespace Preflight
