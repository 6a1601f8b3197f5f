#include "secrets.h"

#include <QRegularExpression>

namespace Preflight {

namespace {

// The three places a libpq conninfo holds a password, written once.
const QRegularExpression &keyValuePassword()
{
    // password='...' (with \' escapes) or password=...; not a URI's ?password= / &password= (uriQueryPassword)
    static const QRegularExpression re(QStringLiteral(R"((?<![?&])(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

const QRegularExpression &uriUserPassword()
{
    static const QRegularExpression re(QStringLiteral(R"(^(postgres(?:ql)?://[^:/@]*):[^@/]*@)"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

const QRegularExpression &uriQueryPassword()
{
    static const QRegularExpression re(QStringLiteral(R"(([?&]password=)[^&]*)"),
                                       QRegularExpression::CaseInsensitiveOption);
    return re;
}

} // namespace

namespace Secrets {

bool isSecretName(const QString &name)
{
    static const QRegularExpression secret(
        QStringLiteral(
            "authori[sz]ation|auth(?!or)|token|secret|passw|passwd|pwd|session|cookie|csrf|xsrf|credential|signature|"
            "jwt|bearer|private|otp|key$|^(key|sig|sid|pass|pw|hash)$"),
        QRegularExpression::CaseInsensitiveOption);
    // A name that ends in a word describing the secret rather than holding it ("authenticationType",
    // "privateKeyId", "tokenExpiresAt", "sessionTimeout") is ordinary data: replacing it by ${env:…} would only
    // make the request invalid.
    static const QRegularExpression descriptor(
        QStringLiteral("(^|[a-z0-9_.-])(id|ids|type|types|kind|name|names|method|methods|mode|provider|scheme|format|"
                       "status|state|version|url|uri|path|count|length|at|date|time|timeout|ttl|expiry|expires|"
                       "expiresat|expiration|enabled|required|policy|hint|field|fields|label|description)$"),
        QRegularExpression::CaseInsensitiveOption);
    // The suffix must be its own word: "Id" in "privateKeyId" or "private_key_id", not the end of "valid".
    static const QRegularExpression wordEnd(QStringLiteral("(?:[a-z0-9](?=[A-Z])|[_.-])([A-Za-z]+)$"));
    if (!secret.match(name).hasMatch())
        return false;
    const QRegularExpressionMatch last = wordEnd.match(name);
    if (last.hasMatch() && descriptor.match(last.captured(1)).hasMatch() && last.captured(1).size() < name.size()) {
        // "apiKeyType": the descriptor; but "X-Auth-Token" ends in Token, a secret word, and stays one. A session's
        // id is the session itself ("sessionId", "session_id").
        const QString stem = name.left(last.capturedStart(1)).toLower();
        const bool idOfSession = last.captured(1).startsWith(QLatin1String("id"), Qt::CaseInsensitive) &&
                                 stem.contains(QLatin1String("sess"));
        return idOfSession;
    }
    return true;
}

bool isSecretName(const std::string &name)
{
    return isSecretName(QString::fromStdString(name));
}

QString redactConninfo(const QString &conninfo)
{
    QString out = conninfo;
    out.replace(keyValuePassword(), QStringLiteral("\\1***"));
    out.replace(uriUserPassword(), QStringLiteral("\\1:***@"));
    out.replace(uriQueryPassword(), QStringLiteral("\\1***"));
    return out;
}

QString conninfoWithPassword(const QString &conninfo, const QString &placeholder)
{
    static const QRegularExpression uri(QStringLiteral("^postgres(?:ql)?://"),
                                        QRegularExpression::CaseInsensitiveOption);
    if (uri.match(conninfo).hasMatch()) {
        QString out = conninfo;
        // A literal user:password@ goes; the placeholder takes its place as the password parameter.
        out.replace(uriUserPassword(), QStringLiteral("\\1@"));
        if (uriQueryPassword().match(out).hasMatch()) {
            QString replacement = placeholder;
            return out.replace(uriQueryPassword(),
                               QStringLiteral("\\1") + replacement.replace(QLatin1Char('\\'), QStringLiteral("\\\\")));
        }
        return out + (out.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) +
               QStringLiteral("password=") + placeholder;
    }
    const QRegularExpressionMatch m = keyValuePassword().match(conninfo);
    if (m.hasMatch())
        return conninfo.left(m.capturedStart()) + QStringLiteral("password=") + placeholder +
               conninfo.mid(m.capturedEnd());
    if (conninfo.isEmpty())
        return QStringLiteral("password=") + placeholder;
    return conninfo + QStringLiteral(" password=") + placeholder;
}

} // namespace Secrets

} // namespace Preflight
