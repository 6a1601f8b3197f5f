#pragma once

#include "data/querystat.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace Preflight {

// Log-based query capture, the fallback (or complement) to pg_stat_statements:
//  - an application SQL log: one statement per line, "<request-id>\t<sql>";
//  - a PostgreSQL server log with log_min_duration_statement = 0 (or log_statement = all), in any of the
//    server's formats: stderr (continuation lines start with a tab), csvlog or jsonlog (PostgreSQL 15+).
// Every statement is fingerprinted with libpg_query so that literal values do not split a query into many,
// and its text is passed through redactSecrets(). Preflight's own statements (kMarker, application_name
// 'preflight' when the log names the application) are dropped; a Filter keeps only the target database.
// Pure functions plus a small tailer; not thread-safe per instance.
class StatementLog
{
public:
    enum class Format {
        Unknown,        // nothing to judge by yet (empty file)
        AppLog,         // "<request-id>\t<sql>"
        PostgresStderr, // log_destination = 'stderr' (with or without logging_collector)
        PostgresCsv,    // log_destination = 'csvlog'
        PostgresJson,   // log_destination = 'jsonlog'
    };

    struct Statement
    {
        QString request_id;      // app log only
        QString sql;             // as logged, secrets redacted
        QString fingerprint;     // empty when the text does not parse
        double duration_ms = -1; // server log with durations, else -1
        QString database;        // server log, when it names the database (csv/json, or %d in log_line_prefix)
        QString application;     // server log, when it names the application (csv/json, or %a)
    };

    // What a server log's statements must match to be kept.
    struct Filter
    {
        QString database; // keep only this database's statements when the log names databases; empty: all
        // stderr format: the server's log_line_prefix (SHOW log_line_prefix), so that %d and %a can be read from
        // each line. Empty, or a prefix that matches no line: any prefix, and no database/application known.
        QString line_prefix;
    };

    // The rule (docs/database.md "Log-based capture"): a name ending in .csv is csvlog and .json jsonlog;
    // otherwise the content decides: a line that is a JSON object with "error_severity" → jsonlog; a line
    // starting "YYYY-MM-DD HH:MM:SS.mmm ZONE," → csvlog; a line with a severity followed by two spaces
    // ("LOG:  ", "ERROR:  ") → stderr; a line "<id>\t<sql>" → app log; nothing to judge by → Unknown.
    static Format detect(const QString &path, const QByteArray &sample);
    static QString formatName(Format format);
    static bool isServerLog(Format format)
    {
        return format == Format::PostgresStderr || format == Format::PostgresCsv || format == Format::PostgresJson;
    }
    // Whether a stderr log with this log_line_prefix names each line's database (%d) / application (%a).
    static bool prefixNamesDatabase(const QString &linePrefix);
    static bool prefixNamesApplication(const QString &linePrefix);

    static std::vector<Statement> parse(Format format, const QByteArray &text, const Filter &filter = {});
    static std::vector<Statement> parseAppLog(const QByteArray &text);
    static std::vector<Statement> parsePostgresLog(const QByteArray &text, const Filter &filter = {}); // stderr
    static std::vector<Statement> parsePostgresCsvLog(const QByteArray &text, const Filter &filter = {});
    static std::vector<Statement> parsePostgresJsonLog(const QByteArray &text, const Filter &filter = {});

    // Logged texts hold literal values; a few of them are credentials. Replaces the value of password=…
    // (conninfo strings, e.g. dblink_connect), the password of postgres://user:password@ URIs and the
    // literal after PASSWORD (CREATE/ALTER ROLE) with ***.
    static QString redactSecrets(const QString &sql);

    // Per fingerprint: calls, calls per request (requests = distinct request ids when the log has them,
    // else the given count), mean/total duration when known. Phase "profile" for a plan endpoint's index
    // (QueryStat::endpoint), "log" for -1 (the whole run).
    static std::vector<QueryStat> perRequest(const std::vector<Statement> &statements, int endpoint, double requests);

    // Tailing: reads what was appended to path since the previous call (first call: from the current end
    // when fromEnd, else from the start). A shrunk file (rotation) is read from the start. Only whole lines.
    explicit StatementLog(const QString &path, bool fromEnd = true);
    QByteArray readNew();
    // The first bytes of the file (for detect()), up to max_bytes; empty when it cannot be read.
    QByteArray head(qint64 max_bytes = 64 * 1024) const;
    // Why the last readNew()/head() could not open the file; empty when it could.
    QString error() const { return m_error; }

private:
    QString m_path;
    qint64 m_offset = -1;
    bool m_fromEnd = true;
    mutable QString m_error;
};

} // namespace Preflight
