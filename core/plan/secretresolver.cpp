#include "secretresolver.h"

#include <QRegularExpression>

namespace Preflight {

namespace {
const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression re(QStringLiteral(R"(\$\{env:([A-Za-z_][A-Za-z0-9_]*)\})"));
    return re;
}
} // namespace

QString SecretResolver::resolve(const QString &text, QStringList *missing)
{
    if (!text.contains(QLatin1String("${env:")))
        return text;
    QString out;
    qsizetype last = 0;
    auto it = placeholderPattern().globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        const QString name = m.captured(1);
        const QByteArray value = qgetenv(name.toLocal8Bit().constData());
        if (value.isNull() && missing && !missing->contains(name))
            missing->append(name);
        out += QString::fromLocal8Bit(value);
        last = m.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

bool SecretResolver::hasPlaceholder(const QString &text) { return placeholderPattern().match(text).hasMatch(); }

QString SecretResolver::redact(const QString &text, const QString &templateText)
{
    QString out = text;
    auto it = placeholderPattern().globalMatch(templateText);
    while (it.hasNext()) {
        const QByteArray value = qgetenv(it.next().captured(1).toLocal8Bit().constData());
        if (value.size() >= 3)
            out.replace(QString::fromLocal8Bit(value), QStringLiteral("***"));
    }
    return out;
}

QString SecretResolver::redactConninfo(const QString &conninfo)
{
    QString out = conninfo;
    // key=value form: password='...' or password=...
    static const QRegularExpression keyValue(QStringLiteral(R"((\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))"),
                                             QRegularExpression::CaseInsensitiveOption);
    out.replace(keyValue, QStringLiteral("\\1***"));
    // URI form: postgresql://user:secret@host/db and ?password=secret
    static const QRegularExpression uriPassword(QStringLiteral(R"(^(postgres(?:ql)?://[^:/@]*):[^@/]*@)"),
                                                QRegularExpression::CaseInsensitiveOption);
    out.replace(uriPassword, QStringLiteral("\\1:***@"));
    static const QRegularExpression queryPassword(QStringLiteral(R"(([?&]password=)[^&]*)"),
                                                  QRegularExpression::CaseInsensitiveOption);
    out.replace(queryPassword, QStringLiteral("\\1***"));
    return out;
}

QString SecretResolver::redactUrl(const QString &url)
{
    static const QRegularExpression userInfo(QStringLiteral(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@)"));
    QString out = url;
    out.replace(userInfo, QStringLiteral("\\1"));
    return out;
}

} // namespace Preflight
