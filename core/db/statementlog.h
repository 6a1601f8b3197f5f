#pragma once

#include "data/querystat.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace Preflight {

// Log-based query capture, the fallback (or complement) to pg_stat_statements:
//  - an application SQL log: one statement per line, "<request-id>\t<sql>";
//  - a PostgreSQL server log with log_min_duration_statement = 0 (or log_statement = all), stderr format
//    (default log_line_prefix; continuation lines start with a tab) or csvlog.
// Every statement is fingerprinted with libpg_query so that literal values do not split a query into many.
// Preflight's own statements (kMarker, application_name 'preflight' in csvlog) are dropped. Pure functions
// plus a small tailer; not thread-safe per instance.
class StatementLog
{
public:
    struct Statement
    {
        QString request_id;      // app log only
        QString sql;
        QString fingerprint;     // empty when the text does not parse
        double duration_ms = -1; // server log with durations, else -1
    };

    static std::vector<Statement> parseAppLog(const QByteArray &text);
    static std::vector<Statement> parsePostgresLog(const QByteArray &text);   // stderr format
    static std::vector<Statement> parsePostgresCsvLog(const QByteArray &text);

    // Per fingerprint: calls, calls per request (requests = distinct request ids when the log has them,
    // else the given count), mean/total duration when known. Phase "profile" when endpoint is set, else "log".
    static std::vector<QueryStat> perRequest(const std::vector<Statement> &statements, const QString &endpoint,
                                             double requests);

    // Tailing: reads what was appended to path since the previous call (first call: from the current end
    // when fromEnd, else from the start). A shrunk file (rotation) is read from the start. Only whole lines.
    explicit StatementLog(const QString &path, bool fromEnd = true);
    QByteArray readNew();

private:
    QString m_path;
    qint64 m_offset = -1;
    bool m_fromEnd = true;
};

} // namespace Preflight
