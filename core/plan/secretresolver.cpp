#include "secretresolver.h"

#include "plan.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <map>
#include <mutex>

namespace Preflight {

namespace {
const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression re(QStringLiteral(R"(\$\{(env|keychain):([A-Za-z_][A-Za-z0-9_]*)\})"));
    return re;
}

bool mayHavePlaceholder(const QString &text)
{
    return text.contains(QLatin1String("${env:")) || text.contains(QLatin1String("${keychain:"));
}

// The session table behind ${keychain:NAME}. A plain map under a mutex: it holds a handful of entries and is
// read a few times per run (when requests and connections are prepared), never in the load loop.
struct SessionTable
{
    std::mutex mutex;
    std::map<QString, QString> values;
};

SessionTable &sessionTable()
{
    static SessionTable table;
    return table;
}

bool sessionSecret(const QString &name, QString *value)
{
    SessionTable &t = sessionTable();
    std::lock_guard<std::mutex> lock(t.mutex);
    const auto it = t.values.find(name);
    if (it == t.values.end())
        return false;
    *value = it->second;
    return true;
}

// The value a placeholder stands for; false when it is unset.
bool lookup(const QString &kind, const QString &name, QString *value)
{
    if (kind == QLatin1String("keychain"))
        return sessionSecret(name, value);
    const QByteArray env = qgetenv(name.toLocal8Bit().constData());
    if (env.isNull())
        return false;
    *value = QString::fromLocal8Bit(env);
    return true;
}

// Masks every value of at least 3 characters, longest first: when one secret contains another ("pass" in
// "password123"), masking the short one first would leave the rest of the long one readable.
QString mask(QString text, QStringList values)
{
    std::sort(values.begin(), values.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &value : values)
        if (value.size() >= 3)
            text.replace(value, QStringLiteral("***"));
    return text;
}
} // namespace

QString SecretResolver::resolve(const QString &text, QStringList *missing)
{
    if (!mayHavePlaceholder(text))
        return text;
    QString out;
    qsizetype last = 0;
    auto it = placeholderPattern().globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        QString value;
        if (!lookup(m.captured(1), m.captured(2), &value) && missing && !missing->contains(m.captured(0)))
            missing->append(m.captured(0));
        out += value;
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

bool SecretResolver::hasPlaceholder(const QString &text)
{
    return placeholderPattern().match(text).hasMatch();
}

QString SecretResolver::describeMissing(const QStringList &missing, const QString &where)
{
    QStringList env;
    QStringList keychain;
    for (const QString &placeholder : missing) {
        const auto m = placeholderPattern().match(placeholder);
        if (!m.hasMatch())
            continue;
        (m.captured(1) == QLatin1String("keychain") ? keychain : env).append(m.captured(2));
    }
    QStringList sentences;
    if (!env.isEmpty()) {
        sentences << QStringLiteral(
                         "%1 uses ${env:%2} but the environment variable is not set; export it before the run")
                         .arg(where, env.join(QStringLiteral("}, ${env:")));
    }
    if (!keychain.isEmpty()) {
        sentences << QStringLiteral(
                         "%1 reads %2 from the OS keychain, which only the GUI can open; in CI use ${env:%3} "
                         "instead")
                         .arg(where, keychain.join(QStringLiteral(", ")), keychain.join(QStringLiteral("}, ${env:")));
    }
    return sentences.join(QStringLiteral("; "));
}

QStringList SecretResolver::keychainNames(const QString &text)
{
    QStringList names;
    if (!text.contains(QLatin1String("${keychain:")))
        return names;
    auto it = placeholderPattern().globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.captured(1) == QLatin1String("keychain") && !names.contains(m.captured(2)))
            names.append(m.captured(2));
    }
    return names;
}

QStringList SecretResolver::keychainNames(const Plan &plan)
{
    // Placeholder names are [A-Za-z_][A-Za-z0-9_]*, which JSON never escapes: the compact JSON text of the plan
    // holds every placeholder of every field verbatim.
    return keychainNames(QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact)));
}

void SecretResolver::setSessionSecret(const QString &name, const QString &value)
{
    SessionTable &t = sessionTable();
    std::lock_guard<std::mutex> lock(t.mutex);
    t.values[name] = value;
}

bool SecretResolver::hasSessionSecret(const QString &name)
{
    QString ignored;
    return sessionSecret(name, &ignored);
}

void SecretResolver::clearSessionSecrets()
{
    SessionTable &t = sessionTable();
    std::lock_guard<std::mutex> lock(t.mutex);
    for (auto &entry : t.values)
        entry.second.fill(QLatin1Char('\0')); // best effort: overwrite before the memory is released
    t.values.clear();
}

QString SecretResolver::redact(const QString &text, const QString &templateText)
{
    QStringList values;
    auto it = placeholderPattern().globalMatch(templateText);
    while (it.hasNext()) {
        const auto m = it.next();
        QString value;
        if (lookup(m.captured(1), m.captured(2), &value))
            values << value;
    }
    return mask(text, values);
}

QString SecretResolver::redactSessionSecrets(const QString &text)
{
    QStringList values;
    {
        SessionTable &t = sessionTable();
        std::lock_guard<std::mutex> lock(t.mutex);
        for (const auto &entry : t.values)
            values << entry.second;
    }
    return mask(text, values);
}

QString SecretResolver::redactUrl(const QString &url)
{
    static const QRegularExpression userInfo(QStringLiteral(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@)"));
    QString out = url;
    out.replace(userInfo, QStringLiteral("\\1"));
    return out;
}

} // namespace Preflight
