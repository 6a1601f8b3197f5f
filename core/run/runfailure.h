#pragma once

#include "data/errorclass.h"

#include <QMetaType>
#include <QString>

#include <optional>

namespace Preflight {

struct RunData;

// Why a run could not start or could not finish, as a value (docs/architecture.md). RunController emits it with
// runFailed(); the CLI maps the kind to its exit code (app/cli: exitCodeFor), the GUI shows message and fix in
// its banner. Nobody parses the text to learn what happened: add a kind instead.
//
// A value type: copy it across threads freely. message and fix never hold a secret (URLs and conninfo strings
// are redacted before they are quoted).
struct RunFailure
{
    enum class Kind {
        PlanInvalid,         // the plan, a flag or the gates cannot be run as written (a field is named)
        SecretMissing,       // a ${env:…} or ${keychain:…} placeholder has no value here
        TargetNotConfirmed,  // a non-loopback target without --yes or the GUI's confirmation
        RequestNotSent,      // requests fail inside Preflight, before the backend: libcurl refuses the URL, or
                             // after the load, every request failed in DNS, TLS or libcurl (error_class says)
        TlsFailed,           // the TLS handshake fails for a reason in the plan: scheme, port, client certificate
        TlsUntrusted,        // the target speaks TLS, but its certificate is not trusted or not for this host
        TargetUnreachable,   // no TCP connection to the target (refused, no route, no DNS, connect timeout)
        LoginFailed,         // the plan's login step did not yield a token
        DatabaseInvalid,     // database.conninfo (or --db) cannot be used as written
        DatabaseUnreachable, // the database is not there or does not let Preflight in
        StoreUnavailable,    // the run store cannot be opened for writing
        AgentsUnavailable,   // a distributed run: its agents did not all come, were refused, or one was lost
        SafetyGuard,         // a safety guard stopped the load; the run is kept as aborted (docs/architecture.md)
        Interrupted,         // the user stopped the run
    };

    Kind kind = Kind::PlanInvalid;
    // The transport failure behind TargetUnreachable, TlsFailed and RequestNotSent, as the load counts it.
    std::optional<ErrorClass> error_class;
    QString message; // what happened: one line, names the field, URL or file involved
    QString fix;     // what the user can do about it: one sentence, never empty

    // "message; fix": the one line the CLI prints.
    QString text() const;

    static RunFailure make(Kind kind, const QString &message, const QString &fix);

    // The failure a finished run carries, if any: stopped by the user, stopped by a safety guard, or every request
    // failed inside Preflight before reaching the backend (docs/cli.md). In that order of precedence, which
    // is the CLI's exit code order; nullopt for a run that measured the backend to the end.
    static std::optional<RunFailure> ofFinishedRun(const RunData &run);
};

// Stable lower-case ids ("plan-invalid", "target-unreachable", …) for logs and tests.
QString runFailureKindId(RunFailure::Kind kind);

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::RunFailure)
