#include "statementlog.h"

#include "pgconnection.h"
#include "queryfingerprint.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <map>

namespace Preflight {

namespace {

bool isOwn(const QString &sql)
{
    return sql.startsWith(QLatin1String(PgConnection::kMarker).trimmed());
}
bool isOwnApplication(const QString &app)
{
    return app == QLatin1String(PgConnection::kApplicationName);
}

// "duration: 0.051 ms  statement: SELECT 1" / "execute <unnamed>: SELECT 1" / "statement: SELECT 1".
// parse/bind lines (log_min_duration_statement with the extended protocol) and bare "duration:" lines (the
// text was already logged by log_statement) are not statements: each execution is counted once.
bool statementFromMessage(const QString &message, StatementLog::Statement *out)
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(?:duration:\s+([0-9.]+)\s+ms\s+)?(?:statement|execute\s+[^:]*):\s?(.*)$)"),
        QRegularExpression::DotMatchesEverythingOption);
    const auto m = re.match(message);
    if (!m.hasMatch())
        return false;
    out->duration_ms = m.captured(1).isEmpty() ? -1 : m.captured(1).toDouble();
    out->sql = m.captured(2).trimmed();
    return !out->sql.isEmpty();
}

// Keeps a server-log statement unless it is Preflight's own or from another database; fingerprints it.
void keep(StatementLog::Statement s, const StatementLog::Filter &filter, std::vector<StatementLog::Statement> *out)
{
    if (isOwn(s.sql) || isOwnApplication(s.application))
        return;
    if (!filter.database.isEmpty() && !s.database.isNull() && s.database != filter.database)
        return;
    s.fingerprint = QueryFingerprint::of(s.sql);
    s.sql = StatementLog::redactSecrets(s.sql);
    out->push_back(std::move(s));
}

const QString kSeverities = QStringLiteral(
    "(?<severity>DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT):  "
    "(?<message>.*)$");

// log_line_prefix → a regular expression for a whole stderr line, with named groups db and app where the prefix
// has %d / %a. Text escapes match lazily up to the next literal; %q makes the rest of the prefix optional (the
// server omits it for processes without a session).
QRegularExpression prefixPattern(const QString &prefix)
{
    QString before, after;
    QString *out = &before;
    bool haveDb = false, haveApp = false, sawQ = false;
    for (qsizetype i = 0; i < prefix.size(); ++i) {
        const QChar c = prefix[i];
        if (c != QLatin1Char('%') || i + 1 >= prefix.size()) {
            *out += QRegularExpression::escape(QString(c));
            continue;
        }
        qsizetype j = i + 1;
        bool padded = false;
        if (prefix[j] == QLatin1Char('-'))
            ++j, padded = true;
        while (j < prefix.size() && prefix[j].isDigit())
            ++j, padded = true;
        if (j >= prefix.size())
            break;
        i = j;
        QString frag;
        switch (prefix[j].toLatin1()) {
        case 'a':
            frag = haveApp ? QStringLiteral(".*?") : QStringLiteral("(?<app>.*?)");
            haveApp = true;
            break;
        case 'd':
            frag = haveDb ? QStringLiteral(".*?") : QStringLiteral("(?<db>.*?)");
            haveDb = true;
            break;
        case 't':
        case 's':
            frag = QStringLiteral(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+)");
            break;
        case 'm':
            frag = QStringLiteral(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+)");
            break;
        case 'n':
            frag = QStringLiteral(R"([0-9.]+)");
            break;
        case 'p':
        case 'l':
            frag = QStringLiteral(R"(\d+)");
            break;
        case 'P':
        case 'x':
            frag = QStringLiteral(R"(\d*)");
            break;
        case 'Q':
            frag = QStringLiteral(R"(-?\d*)");
            break;
        case 'q':
            out = &after;
            sawQ = true;
            continue;
        case '%':
            frag = QStringLiteral("%");
            break;
        default: // %u %r %h %L %b %i %e %c %v and unknown escapes
            frag = QStringLiteral(".*?");
            break;
        }
        if (padded)
            frag = QStringLiteral(" *") + frag + QStringLiteral(" *");
        *out += frag;
    }
    QString pattern = QLatin1Char('^') + before;
    if (sawQ)
        pattern += QStringLiteral("(?:") + after + QStringLiteral(")?");
    return QRegularExpression(pattern + kSeverities);
}

QString captured(const QRegularExpressionMatch &m, const QString &name)
{
    // Null when the pattern has no such group or the line lacks it (%q), "" when the server printed nothing.
    if (m.capturedStart(name) < 0)
        return QString();
    const QString value = m.captured(name);
    return value.isNull() ? QStringLiteral("") : value;
}

} // namespace

StatementLog::Format StatementLog::detect(const QString &path, const QByteArray &sample)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("csv"))
        return Format::PostgresCsv;
    if (suffix == QLatin1String("json"))
        return Format::PostgresJson;
    static const QRegularExpression csvStart(QStringLiteral(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [^,"\s]*,)"));
    static const QRegularExpression stderrSeverity(
        QStringLiteral(R"(\b(LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?|DETAIL|HINT|STATEMENT):  )"));
    bool appLog = false;
    for (const QByteArray &raw : sample.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.trimmed().isEmpty() || line.startsWith(QLatin1Char('\t')))
            continue;
        if (line.startsWith(QLatin1Char('{')) && line.contains(QLatin1String("\"error_severity\"")))
            return Format::PostgresJson;
        if (csvStart.match(line).hasMatch())
            return Format::PostgresCsv;
        if (stderrSeverity.match(line).hasMatch())
            return Format::PostgresStderr;
        if (line.indexOf(QLatin1Char('\t')) > 0)
            appLog = true;
    }
    return appLog ? Format::AppLog : Format::Unknown;
}

QString StatementLog::formatName(Format format)
{
    switch (format) {
    case Format::AppLog:
        return QStringLiteral("application SQL log");
    case Format::PostgresStderr:
        return QStringLiteral("PostgreSQL log (stderr format)");
    case Format::PostgresCsv:
        return QStringLiteral("PostgreSQL csvlog");
    case Format::PostgresJson:
        return QStringLiteral("PostgreSQL jsonlog");
    case Format::Unknown:
        break;
    }
    return QStringLiteral("empty or unrecognised log");
}

bool StatementLog::prefixNamesDatabase(const QString &linePrefix)
{
    static const QRegularExpression re(QStringLiteral("%-?\\d*d"));
    return linePrefix.contains(re);
}

bool StatementLog::prefixNamesApplication(const QString &linePrefix)
{
    static const QRegularExpression re(QStringLiteral("%-?\\d*a"));
    return linePrefix.contains(re);
}

std::vector<StatementLog::Statement> StatementLog::parse(Format format, const QByteArray &text, const Filter &filter)
{
    switch (format) {
    case Format::AppLog:
        return parseAppLog(text);
    case Format::PostgresStderr:
        return parsePostgresLog(text, filter);
    case Format::PostgresCsv:
        return parsePostgresCsvLog(text, filter);
    case Format::PostgresJson:
        return parsePostgresJsonLog(text, filter);
    case Format::Unknown:
        break;
    }
    return {};
}

std::vector<StatementLog::Statement> StatementLog::parseAppLog(const QByteArray &text)
{
    std::vector<Statement> out;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype tab = line.indexOf('\t');
        if (tab <= 0)
            continue;
        Statement s;
        s.request_id = QString::fromUtf8(line.left(tab)).trimmed();
        s.sql = QString::fromUtf8(line.mid(tab + 1)).trimmed();
        if (s.sql.isEmpty() || isOwn(s.sql))
            continue;
        s.fingerprint = QueryFingerprint::of(s.sql);
        s.sql = redactSecrets(s.sql);
        out.push_back(s);
    }
    return out;
}

std::vector<StatementLog::Statement> StatementLog::parsePostgresLog(const QByteArray &text, const Filter &filter)
{
    // A statement spans its LOG line and the tab-indented continuation lines after it.
    static const QRegularExpression anyPrefix(QStringLiteral(R"(\b)") + kSeverities);
    const bool withPrefix = !filter.line_prefix.isEmpty();
    const QRegularExpression pattern = withPrefix ? prefixPattern(filter.line_prefix) : anyPrefix;
    std::vector<Statement> out;
    Statement pending;
    bool inLog = false;
    bool matchedAny = false;
    auto flush = [&] {
        Statement s;
        if (inLog && statementFromMessage(pending.sql, &s)) {
            s.database = pending.database;
            s.application = pending.application;
            keep(std::move(s), filter, &out);
        }
        pending = Statement();
        inLog = false;
    };
    for (const QByteArray &raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(QLatin1Char('\t'))) {
            if (inLog)
                pending.sql += QLatin1Char('\n') + line.mid(1);
            continue;
        }
        flush();
        const auto m = pattern.match(line);
        if (!m.hasMatch())
            continue;
        matchedAny = true;
        if (m.captured(QStringLiteral("severity")) == QLatin1String("LOG")) {
            inLog = true;
            pending.sql = m.captured(QStringLiteral("message"));
            pending.database = captured(m, QStringLiteral("db"));
            pending.application = captured(m, QStringLiteral("app"));
        }
    }
    flush();
    // A log written with another log_line_prefix than the server's current one: read it without names.
    if (withPrefix && !matchedAny && !text.trimmed().isEmpty()) {
        Filter any = filter;
        any.line_prefix.clear();
        return parsePostgresLog(text, any);
    }
    return out;
}

std::vector<StatementLog::Statement> StatementLog::parsePostgresCsvLog(const QByteArray &text, const Filter &filter)
{
    std::vector<Statement> out;
    QStringList fields;
    QString field;
    bool quoted = false;
    auto endRecord = [&] {
        fields << field;
        field.clear();
        // 2 database_name, 11 error_severity, 13 message, 22 application_name (layout since PostgreSQL 9.0;
        // 13+ appends backend_type, 14+ leader_pid and query_id)
        if (fields.size() > 13 && fields[11] == QLatin1String("LOG")) {
            Statement s;
            if (statementFromMessage(fields[13], &s)) {
                s.database = fields[2];
                s.application = fields.value(22);
                keep(std::move(s), filter, &out);
            }
        }
        fields.clear();
    };
    const QString all = QString::fromUtf8(text);
    for (qsizetype i = 0; i < all.size(); ++i) {
        const QChar c = all[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < all.size() && all[i + 1] == QLatin1Char('"')) {
                    field += QLatin1Char('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            fields << field;
            field.clear();
        } else if (c == QLatin1Char('\n')) {
            endRecord();
        } else if (c != QLatin1Char('\r')) {
            field += c;
        }
    }
    if (!field.isEmpty() || !fields.isEmpty())
        endRecord();
    return out;
}

std::vector<StatementLog::Statement> StatementLog::parsePostgresJsonLog(const QByteArray &text, const Filter &filter)
{
    std::vector<Statement> out;
    for (const QByteArray &line : text.split('\n')) {
        if (!line.startsWith('{'))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("error_severity")).toString() != QLatin1String("LOG"))
            continue;
        Statement s;
        if (!statementFromMessage(o.value(QLatin1String("message")).toString(), &s))
            continue;
        // jsonlog leaves out empty fields: a present key is the value, an absent one is "".
        s.database = o.value(QLatin1String("dbname")).toString(QStringLiteral(""));
        s.application = o.value(QLatin1String("application_name")).toString(QStringLiteral(""));
        keep(std::move(s), filter, &out);
    }
    return out;
}

QString StatementLog::redactSecrets(const QString &sql)
{
    // password=VALUE in a conninfo string (the value bare, quoted, or quoted inside an SQL literal: ''…''), and a
    // column or parameter compared with =; a quoted value stays quoted so that the text still parses.
    static const QRegularExpression keyValue(
        QStringLiteral(R"(\bpassword\s*=\s*(''(?:[^']|'''')*''|'(?:[^'\\]|\\.)*'|[^\s'";,)]+))"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression uri(QStringLiteral(R"(\b[a-z][a-z0-9+.-]*://[^:/@\s']+:([^@\s']+)@)"),
                                        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression roleLiteral(QStringLiteral(R"(\bpassword\s+('(?:[^']|'')*'))"),
                                                QRegularExpression::CaseInsensitiveOption);
    if (!sql.contains(QLatin1String("password"), Qt::CaseInsensitive) && !sql.contains(QLatin1String("://")))
        return sql;
    QString out = sql;
    for (const QRegularExpression *re : {&keyValue, &uri, &roleLiteral}) {
        // Right to left, so that earlier offsets stay valid.
        std::vector<std::pair<qsizetype, qsizetype>> spans;
        for (auto it = re->globalMatch(out); it.hasNext();) {
            const auto m = it.next();
            spans.emplace_back(m.capturedStart(1), m.capturedLength(1));
        }
        for (auto s = spans.rbegin(); s != spans.rend(); ++s) {
            const QString value = out.mid(s->first, s->second);
            const QString quote = value.startsWith(QLatin1String("''")) ? QStringLiteral("''")
                                  : value.startsWith(QLatin1Char('\'')) ? QStringLiteral("'")
                                                                        : QString();
            out.replace(s->first, s->second, quote + QStringLiteral("***") + quote);
        }
    }
    return out;
}

std::vector<QueryStat> StatementLog::perRequest(const std::vector<Statement> &statements, int endpoint, double requests)
{
    QSet<QString> ids;
    struct Acc
    {
        QString text;
        double calls = 0;
        double total_ms = 0;
        bool timed = false;
    };
    std::map<QString, Acc> byFp;
    for (const Statement &s : statements) {
        if (!s.request_id.isEmpty())
            ids.insert(s.request_id);
        const QString key = s.fingerprint.isEmpty() ? s.sql : s.fingerprint;
        Acc &a = byFp[key];
        if (a.text.isEmpty())
            a.text = s.sql;
        a.calls += 1;
        if (s.duration_ms >= 0) {
            a.total_ms += s.duration_ms;
            a.timed = true;
        }
    }
    const double n = ids.isEmpty() ? requests : double(ids.size());
    std::vector<QueryStat> out;
    for (const auto &[fp, a] : byFp) {
        QueryStat q;
        q.phase = endpoint >= 0 ? QueryPhase::Profile : QueryPhase::Log;
        q.endpoint = endpoint;
        q.fingerprint = fp.size() == 16 ? fp : QString();
        q.text = a.text; // as logged: may hold literal values, unlike pg_stat_statements' normalised text
        q.calls = a.calls;
        q.requests = n;
        q.calls_per_request = n > 0 ? a.calls / n : 0;
        q.rows = -1;
        q.rows_per_call = -1;
        q.total_ms = a.timed ? a.total_ms : 0;
        q.mean_ms = a.timed && a.calls > 0 ? a.total_ms / a.calls : 0;
        out.push_back(q);
    }
    return out;
}

StatementLog::StatementLog(const QString &path, bool fromEnd) : m_path(path), m_fromEnd(fromEnd) {}

QByteArray StatementLog::readNew()
{
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly)) {
        m_error = f.errorString();
        return {};
    }
    m_error.clear();
    const qint64 size = f.size();
    if (m_offset < 0)
        m_offset = m_fromEnd ? size : 0;
    if (size < m_offset) // rotated or truncated
        m_offset = 0;
    if (!f.seek(m_offset))
        return {};
    QByteArray data = f.read(size - m_offset);
    const qsizetype lastNewline = data.lastIndexOf('\n');
    if (lastNewline < 0)
        return {};
    data.truncate(lastNewline + 1);
    m_offset += data.size();
    return data;
}

QByteArray StatementLog::head(qint64 max_bytes) const
{
    QFile f(m_path);
    if (!f.open(QIODevice::ReadOnly)) {
        m_error = f.errorString();
        return {};
    }
    m_error.clear();
    return f.read(max_bytes);
}

} // namespace Preflight
