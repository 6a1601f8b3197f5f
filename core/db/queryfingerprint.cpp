#include "queryfingerprint.h"

#include <pg_query.h>

#include <QStringList>

namespace Preflight {

QString QueryFingerprint::of(const QString &sql)
{
    const QByteArray text = sql.toUtf8();
    PgQueryFingerprintResult r = pg_query_fingerprint(text.constData());
    QString out;
    if (!r.error && r.fingerprint_str)
        out = QString::fromLatin1(r.fingerprint_str);
    pg_query_free_fingerprint_result(r);
    return out;
}

QString QueryFingerprint::normalized(const QString &sql)
{
    const QByteArray text = sql.toUtf8();
    PgQueryNormalizeResult r = pg_query_normalize(text.constData());
    QString out;
    if (!r.error && r.normalized_query)
        out = QString::fromUtf8(r.normalized_query);
    pg_query_free_normalize_result(r);
    return out;
}

bool QueryFingerprint::isTransactionControlOrUtility(const QString &sql)
{
    // The first keyword decides; comments and whitespace first are skipped. Data statements (SELECT, INSERT,
    // UPDATE, DELETE, MERGE, WITH, VALUES, TABLE, COPY, CALL, EXPLAIN) are never utility here.
    static const QStringList utility = {
        QStringLiteral("BEGIN"),      QStringLiteral("START"),    QStringLiteral("COMMIT"),
        QStringLiteral("END"),        QStringLiteral("ROLLBACK"), QStringLiteral("ABORT"),
        QStringLiteral("SAVEPOINT"),  QStringLiteral("RELEASE"),  QStringLiteral("PREPARE"),
        QStringLiteral("DEALLOCATE"), QStringLiteral("SET"),      QStringLiteral("RESET"),
        QStringLiteral("SHOW"),       QStringLiteral("DISCARD"),  QStringLiteral("LISTEN"),
        QStringLiteral("UNLISTEN"),   QStringLiteral("NOTIFY"),   QStringLiteral("LOCK"),
        QStringLiteral("DECLARE"),    QStringLiteral("FETCH"),    QStringLiteral("CLOSE"),
        QStringLiteral("MOVE"),       QStringLiteral("VACUUM"),   QStringLiteral("ANALYZE")};
    qsizetype i = 0;
    const qsizetype n = sql.size();
    while (i < n) {
        if (sql.at(i).isSpace() || sql.at(i) == QLatin1Char('(') || sql.at(i) == QLatin1Char(';')) {
            ++i;
        } else if (sql.mid(i, 2) == QLatin1String("--")) {
            while (i < n && sql.at(i) != QLatin1Char('\n'))
                ++i;
        } else if (sql.mid(i, 2) == QLatin1String("/*")) {
            const qsizetype end = sql.indexOf(QLatin1String("*/"), i + 2);
            i = end < 0 ? n : end + 2;
        } else {
            break;
        }
    }
    qsizetype j = i;
    while (j < n && (sql.at(j).isLetter() || sql.at(j) == QLatin1Char('_')))
        ++j;
    const QString keyword = sql.mid(i, j - i).toUpper();
    return utility.contains(keyword);
}

} // namespace Preflight
