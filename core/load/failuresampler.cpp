#include "failuresampler.h"

#include "data/normalizebody.h"
#include "plan/secrets.h"

#include <QRegularExpression>

#include <algorithm>

namespace Preflight {

namespace {

// Words without which no pattern below can match: bodies without them (most error pages) skip the regexes.
bool mayHoldCredentials(const QByteArray &body)
{
    const QByteArray lower = body.toLower();
    for (const char *word : {"auth", "bearer", "basic", "passw", "pwd", "secret", "token", "cookie", "key", "@"})
        if (lower.contains(word))
            return true;
    return false;
}

} // namespace

std::vector<QByteArray> FailureSampler::secretHeaderValues(const std::vector<std::string> &requestHeaders)
{
    std::vector<QByteArray> out;
    for (const std::string &line : requestHeaders) {
        const size_t colon = line.find(':');
        if (colon == std::string::npos || !Secrets::isSecretName(line.substr(0, colon)))
            continue;
        QByteArray value = QByteArray::fromStdString(line.substr(colon + 1)).trimmed();
        if (value.isEmpty())
            continue;
        const qsizetype space = value.indexOf(' ');
        if (space > 0) // "Bearer x", "Basic x": the credential alone too
            out.push_back(value.mid(space + 1).trimmed());
        out.push_back(value);
    }
    return out;
}

QByteArray FailureSampler::scrubCredentials(const QByteArray &body, const std::vector<QByteArray> &canaries)
{
    QByteArray out = body;
    for (const QByteArray &canary : canaries)
        if (canary.size() >= 3 && out.contains(canary))
            out.replace(canary, "***");
    if (!mayHoldCredentials(out))
        return out;
    static const QRegularExpression patterns[] = {
        // Echoed headers, "Authorization: Bearer x" or "authorization": "Bearer x": the whole value.
        QRegularExpression(
            QStringLiteral(
                R"(((?:proxy-)?authori[sz]ation|set-cookie|cookie|x-api-key|api[-_]?key|x-auth-token|x-access-token)(["']?\s*[:=]\s*["']?)[^"'\r\n]+)"),
            QRegularExpression::CaseInsensitiveOption),
        // Tokens on their own.
        QRegularExpression(QStringLiteral(R"(\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{6,})"),
                           QRegularExpression::CaseInsensitiveOption),
        // password=…, "password": "…", secret, token, api key values.
        QRegularExpression(
            QStringLiteral(
                R"(\b((?:[a-z_]*passw(?:or)?d|pwd|passwd|[a-z_]*secret|[a-z_]*token|api[-_]?key|credentials?))(["']?\s*[:=]\s*["']?)[^"'&\s,;}<]+)"),
            QRegularExpression::CaseInsensitiveOption),
        // URL user:password@
        QRegularExpression(QStringLiteral(R"(\b([a-zA-Z][a-zA-Z0-9+.-]*://[^/@\s:]*)(:)[^/@\s]*(?=@))")),
    };
    QString text = QString::fromUtf8(out);
    for (const QRegularExpression &re : patterns)
        text.replace(re, QStringLiteral("\\1\\2***"));
    return text.toUtf8();
}

void FailureSampler::offer(const ErrorSample &sample, const std::vector<std::string> &requestHeaders)
{
    ErrorSample kept = sample;
    if (kept.body.size() > kMaxBodyBytes)
        kept.body.truncate(kMaxBodyBytes);
    kept.body = scrubCredentials(kept.body, secretHeaderValues(requestHeaders));
    keep(normalizeBody(kept.body), kept);
}

void FailureSampler::keep(const QString &key, const ErrorSample &sample)
{
    auto &bucket = m_samples[Key{sample.endpoint, sample.status, int(sample.error_class)}];
    for (Kept &known : bucket) {
        if (known.key == key) {
            ErrorSample &k = known.sample;
            k.count += sample.count;
            k.first_seen_s = std::min(k.first_seen_s, sample.first_seen_s);
            k.last_seen_s = std::max(k.last_seen_s, sample.last_seen_s);
            if (k.retry_after.isEmpty())
                k.retry_after = sample.retry_after;
            return;
        }
    }
    if (int(bucket.size()) >= kMaxDistinctBodies) {
        m_overflow += sample.count;
        return;
    }
    bucket.push_back(Kept{key, sample});
}

void FailureSampler::merge(const FailureSampler &other)
{
    // Both sides are already scrubbed, truncated and keyed.
    for (const auto &[key, bucket] : other.m_samples)
        for (const Kept &k : bucket)
            keep(k.key, k.sample);
    m_overflow += other.m_overflow;
}

std::vector<ErrorSample> FailureSampler::samples() const
{
    std::vector<ErrorSample> out;
    for (const auto &[key, bucket] : m_samples) {
        const size_t from = out.size();
        for (const Kept &k : bucket)
            out.push_back(k.sample);
        std::stable_sort(out.begin() + qsizetype(from), out.end(),
                         [](const ErrorSample &a, const ErrorSample &b) { return a.first_seen_s < b.first_seen_s; });
    }
    return out;
}

uint64_t FailureSampler::bytesHeld() const
{
    uint64_t bytes = 0;
    for (const auto &[key, bucket] : m_samples)
        for (const Kept &k : bucket)
            bytes += uint64_t(k.sample.body.size()) + uint64_t(k.key.size()) * 2 + sizeof(Kept);
    return bytes;
}

} // namespace Preflight
