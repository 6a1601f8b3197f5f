#include "errorhints.h"

#include <QCoreApplication>

namespace Preflight::ErrorHints {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("Preflight::ErrorHints", text);
}

bool has(const QString &message, const char *word)
{
    return message.contains(QLatin1String(word), Qt::CaseInsensitive);
}
} // namespace

QString suggestedFix(const QString &message, int exitCode)
{
    if (has(message, "refused") || has(message, "couldn't connect") || has(message, "could not connect"))
        return tr("Nothing is listening there. Start the backend, or correct the host and port in the base URL.");
    if (has(message, "resolve") || has(message, "dns"))
        return tr("The host name does not resolve. Check the spelling of the base URL, or use an IP address.");
    if (has(message, "timed out") || has(message, "timeout"))
        return tr("The target accepted the connection but did not answer in time. Check that it is not hung, "
                  "or raise the request timeout in the Target panel.");
    if (has(message, "ssl") || has(message, "tls") || has(message, "certificate"))
        return tr("The TLS handshake failed. Give the CA file in the plan (target.tls.ca_file) rather than "
                  "turning verification off.");
    if (has(message, "login"))
        return tr("Check the login step of the plan and the environment variables it uses.");
    if (has(message, "${env:"))
        return tr("Set the environment variable before starting Preflight; secrets never live in a plan.");
    if (has(message, "loopback"))
        return tr("Confirm the target when asked, or point the base URL at 127.0.0.1 for a local test.");
    if (exitCode == 2)
        return tr("Correct the field named in the message in the Target or Scenario panel, then press Start again.");
    if (exitCode == 3)
        return tr("Check that the target is running and reachable from this machine.");
    return {};
}

} // namespace Preflight::ErrorHints
