#pragma once

#include <QString>
#include <QStringList>

namespace Preflight {

// Resolves `${env:NAME}` placeholders from the environment at the moment a request or a connection is made.
// The resolved text must never be written to a log, the run store, a report, JSON or JUnit.
class SecretResolver
{
public:
    // Returns text with every placeholder replaced; names of unset variables are appended to *missing.
    static QString resolve(const QString &text, QStringList *missing = nullptr);
    static bool hasPlaceholder(const QString &text);
    // Replaces every resolved secret value in text by "***" (for error messages that echo input).
    static QString redact(const QString &text, const QString &templateText);
    // A libpq conninfo (key=value or URI) with any literal password removed, safe to store or print.
    static QString redactConninfo(const QString &conninfo);
    // A URL with any user:password@ part removed.
    static QString redactUrl(const QString &url);
};

} // namespace Preflight
