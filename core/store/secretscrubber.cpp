#include "secretscrubber.h"

#include "plan/secretresolver.h"
#include "plan/secrets.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Preflight {

namespace {
const QString kMask = QStringLiteral("***");

bool onlyPlaceholders(const QString &value)
{
    // "Bearer ${env:TOKEN}" or "Bearer ${keychain:TOKEN}" keeps a fixed prefix around the placeholder, which is
    // fine; a literal with no placeholder at all is what we mask.
    return SecretResolver::hasPlaceholder(value);
}

QJsonObject maskHeaders(const QJsonObject &headers)
{
    QJsonObject out = headers;
    for (auto it = out.begin(); it != out.end(); ++it)
        if (Secrets::isSecretName(it.key()) && it.value().isString() && !onlyPlaceholders(it.value().toString()))
            it.value() = kMask;
    return out;
}

QJsonValue maskJson(const QJsonValue &value, bool secretContext)
{
    if (value.isObject()) {
        QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            it.value() = maskJson(it.value(), Secrets::isSecretName(it.key()));
        return o;
    }
    if (value.isArray()) {
        QJsonArray a = value.toArray();
        for (auto it = a.begin(); it != a.end(); ++it)
            *it = maskJson(*it, secretContext);
        return a;
    }
    if (secretContext && value.isString() && !onlyPlaceholders(value.toString()))
        return kMask;
    if (secretContext && value.isDouble())
        return kMask;
    return value;
}
} // namespace

QJsonObject SecretScrubber::plan(const Plan &plan)
{
    QJsonObject root = plan.toJson();
    QJsonObject target = root.value(QLatin1String("target")).toObject();
    target.insert(QStringLiteral("base_url"), SecretResolver::redactUrl(plan.target.base_url));
    if (target.contains(QLatin1String("headers")))
        target.insert(QStringLiteral("headers"), maskHeaders(target.value(QLatin1String("headers")).toObject()));
    if (target.contains(QLatin1String("login"))) {
        QJsonObject login = target.value(QLatin1String("login")).toObject();
        login.insert(QStringLiteral("json"), maskJson(login.value(QLatin1String("json")), false));
        target.insert(QStringLiteral("login"), login);
    }
    root.insert(QStringLiteral("target"), target);

    QJsonArray endpoints = root.value(QLatin1String("endpoints")).toArray();
    for (auto it = endpoints.begin(); it != endpoints.end(); ++it) {
        QJsonObject e = it->toObject();
        if (e.contains(QLatin1String("headers")))
            e.insert(QStringLiteral("headers"), maskHeaders(e.value(QLatin1String("headers")).toObject()));
        if (e.contains(QLatin1String("json")))
            e.insert(QStringLiteral("json"), maskJson(e.value(QLatin1String("json")), false));
        *it = e;
    }
    root.insert(QStringLiteral("endpoints"), endpoints);

    if (root.contains(QLatin1String("database"))) {
        QJsonObject db = root.value(QLatin1String("database")).toObject();
        db.insert(QStringLiteral("conninfo"), Secrets::redactConninfo(plan.database.conninfo));
        root.insert(QStringLiteral("database"), db);
    }
    if (root.contains(QLatin1String("pool"))) {
        QJsonObject pool = root.value(QLatin1String("pool")).toObject();
        pool.insert(QStringLiteral("url"), SecretResolver::redactUrl(plan.pool.url));
        root.insert(QStringLiteral("pool"), pool);
    }
    return root;
}

QString SecretScrubber::text(const QString &text, const Plan &plan)
{
    return SecretScrubber::text(text, QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact)));
}

QString SecretScrubber::text(const QString &text, const QString &planJson)
{
    if (text.isEmpty())
        return text;
    QString out = SecretResolver::redact(text, planJson);
    // Every value the GUI read from the OS keychain this session, whether or not this plan names it: a
    // response may echo a credential that an earlier plan of the same session sent.
    out = SecretResolver::redactSessionSecrets(out);
    out = Secrets::redactConninfo(out);
    // URLs anywhere in the text, not only at its start.
    static const QRegularExpression userInfo(QStringLiteral(R"(\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*:[^/@\s]*@)"));
    out.replace(userInfo, QStringLiteral("\\1***@"));
    return out;
}

} // namespace Preflight
