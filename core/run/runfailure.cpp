#include "runfailure.h"

#include "data/rundata.h"

namespace Preflight {

namespace {

// Every request failed inside the client before reaching the server (a URL libcurl refuses, a host name that
// does not resolve, a TLS handshake that fails): a problem to fix in the plan or on this machine, not a backend
// to diagnose (docs/cli.md).
std::optional<RunFailure> clientSideFailure(const RunData &run)
{
    const EndpointStats total = run.total();
    if (total.requests == 0 || total.ok + total.http_errors > 0)
        return std::nullopt;
    const auto count = [&](ErrorClass c) { return total.transport_errors[size_t(c)]; };
    const uint64_t dns = count(ErrorClass::Dns), tls = count(ErrorClass::Tls), other = count(ErrorClass::Other);
    if (dns + tls + other != total.requests)
        return std::nullopt;
    QString detail;
    for (const ErrorSample &sample : run.error_samples) {
        if (!sample.body.isEmpty()) {
            detail = QString::fromUtf8(sample.body.left(200)).trimmed();
            break;
        }
    }
    RunFailure failure;
    failure.kind = RunFailure::Kind::RequestNotSent;
    if (tls >= dns && tls >= other) {
        failure.error_class = ErrorClass::Tls;
        failure.fix = QStringLiteral(
            "the TLS handshake failed: give the server's CA with target.tls.ca_file, check that the URL's "
            "scheme (http/https) and port match the server, or (for a test server only) set "
            "target.tls.insecure or --insecure");
    } else if (dns >= other) {
        failure.error_class = ErrorClass::Dns;
        failure.fix = QStringLiteral("the host name did not resolve: check the host in target.base_url (or --target) "
                                     "and this machine's DNS");
    } else {
        failure.error_class = ErrorClass::Other;
        failure.fix = QStringLiteral(
            "libcurl refused the request before sending it: check the endpoint paths and target.base_url "
            "(a space must be written %20, no control characters) and the endpoint methods");
    }
    failure.message = QStringLiteral("all %1 requests failed inside Preflight before reaching the backend%2")
                          .arg(total.requests)
                          .arg(detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail));
    failure.fix += QStringLiteral(". Nothing about the backend was measured.");
    return failure;
}

} // namespace

QString RunFailure::text() const
{
    return fix.isEmpty() ? message : message + QStringLiteral("; ") + fix;
}

RunFailure RunFailure::make(Kind kind, const QString &message, const QString &fix)
{
    RunFailure failure;
    failure.kind = kind;
    failure.message = message;
    failure.fix = fix;
    return failure;
}

std::optional<RunFailure> RunFailure::ofFinishedRun(const RunData &run)
{
    if (run.info.status == RunStatus::Interrupted)
        return make(Kind::Interrupted,
                    run.info.status_reason.isEmpty() ? QStringLiteral("stopped by the user") : run.info.status_reason,
                    QStringLiteral("start the run again to measure every stage; what was measured is stored"));
    if (auto failure = clientSideFailure(run))
        return failure;
    if (run.info.status == RunStatus::Aborted)
        return make(Kind::SafetyGuard,
                    run.info.status_reason.isEmpty() ? QStringLiteral("aborted by a safety guard")
                                                     : run.info.status_reason,
                    QStringLiteral("read the findings: the backend was failing at this load, and the run stopped "
                                   "before it could harm it (its measurements are kept)"));
    return std::nullopt;
}

QString runFailureKindId(RunFailure::Kind kind)
{
    switch (kind) {
    case RunFailure::Kind::PlanInvalid:
        return QStringLiteral("plan-invalid");
    case RunFailure::Kind::SecretMissing:
        return QStringLiteral("secret-missing");
    case RunFailure::Kind::TargetNotConfirmed:
        return QStringLiteral("target-not-confirmed");
    case RunFailure::Kind::RequestNotSent:
        return QStringLiteral("request-not-sent");
    case RunFailure::Kind::TlsFailed:
        return QStringLiteral("tls-failed");
    case RunFailure::Kind::TlsUntrusted:
        return QStringLiteral("tls-untrusted");
    case RunFailure::Kind::TargetUnreachable:
        return QStringLiteral("target-unreachable");
    case RunFailure::Kind::LoginFailed:
        return QStringLiteral("login-failed");
    case RunFailure::Kind::DatabaseInvalid:
        return QStringLiteral("database-invalid");
    case RunFailure::Kind::DatabaseUnreachable:
        return QStringLiteral("database-unreachable");
    case RunFailure::Kind::StoreUnavailable:
        return QStringLiteral("store-unavailable");
    case RunFailure::Kind::AgentsUnavailable:
        return QStringLiteral("agents-unavailable");
    case RunFailure::Kind::SafetyGuard:
        return QStringLiteral("safety-guard");
    case RunFailure::Kind::Interrupted:
        return QStringLiteral("interrupted");
    }
    return QStringLiteral("unknown");
}

} // namespace Preflight
