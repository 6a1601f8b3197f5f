#include "queryfingerprint.h"

#include <pg_query.h>

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

} // namespace Preflight
