#include "normalizebody.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

namespace Preflight {

namespace {

bool isWordChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isHexLetter(char c)
{
    return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A word that differs between two occurrences of the same error: any digit (except identifier-like words such
// as "psycopg2", "sqlite3", "utf8": ≥ 3 letters first, ≤ 2 digits), or a hex-only word of ≥ 8 characters.
bool isVariable(const char *w, int n)
{
    int digits = 0, lettersFirst = 0;
    bool allHex = true;
    for (int i = 0; i < n; ++i) {
        const char c = w[i];
        if (c >= '0' && c <= '9')
            ++digits;
        else if (digits == 0)
            ++lettersFirst;
        if (!(c >= '0' && c <= '9') && !isHexLetter(c))
            allHex = false;
    }
    if (digits == 0)
        return allHex && n >= 8;
    return !(lettersFirst >= 3 && digits <= 2);
}

int wordLength(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && isWordChar(*q))
        ++q;
    return int(q - p);
}

bool isJoiner(char c)
{
    return c == '-' || c == ':' || c == '.' || c == '/' || c == '+';
}

} // namespace

QString normalizeBody(const QByteArray &body)
{
    std::string out;
    out.reserve(size_t(std::min<qsizetype>(body.size(), kMaxNormalizedChars + 16)));
    const char *p = body.constData();
    const char *end = p + body.size();
    bool pendingSpace = false;
    auto put = [&](const char *s, size_t n) {
        if (pendingSpace && !out.empty())
            out.push_back(' ');
        pendingSpace = false;
        out.append(s, n);
    };
    while (p < end && out.size() < size_t(kMaxNormalizedChars)) {
        const char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            pendingSpace = true;
            ++p;
            continue;
        }
        // HTML markup: a tag or a comment becomes a space.
        if (c == '<' && p + 1 < end && (std::isalpha(static_cast<unsigned char>(p[1])) || p[1] == '/' || p[1] == '!')) {
            const char *close = static_cast<const char *>(memchr(p, '>', size_t(end - p)));
            if (close) {
                p = close + 1;
                pendingSpace = true;
                continue;
            }
        }
        if (isWordChar(c)) {
            int n = wordLength(p, end);
            if (!isVariable(p, n)) {
                put(p, size_t(n));
                p += n;
                continue;
            }
            // A variable word; swallow what joins more variable words to it ("2024-05-01T12:00:00.123Z", a uuid,
            // "10.0.3.7:5432", "1.25.3") so that it becomes one placeholder.
            p += n;
            while (p + 1 < end && isJoiner(*p) && isWordChar(p[1])) {
                const int m = wordLength(p + 1, end);
                const bool hexPart =
                    std::all_of(p + 1, p + 1 + m, [](char ch) { return (ch >= '0' && ch <= '9') || isHexLetter(ch); });
                if (!isVariable(p + 1, m) && !(hexPart && m >= 4))
                    break;
                p += 1 + m;
            }
            put("<n>", 3);
            continue;
        }
        put(p, 1);
        ++p;
    }
    if (out.size() > size_t(kMaxNormalizedChars))
        out.resize(size_t(kMaxNormalizedChars));
    QString result = QString::fromUtf8(out.data(), qsizetype(out.size()));
    // A cut through a multi-byte character leaves a replacement character at the end: drop it.
    while (result.endsWith(QChar::ReplacementCharacter))
        result.chop(1);
    return result;
}

} // namespace Preflight
