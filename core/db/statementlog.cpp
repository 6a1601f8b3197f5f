#include "statementlog.h"

#include "pgconnection.h"
#include "queryfingerprint.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>

#include <map>

namespace Preflight {

namespace {

bool isOwn(const QString &sql) { return sql.startsWith(QLatin1String(PgConnection::kMarker).trimmed()); }

// "duration: 0.051 ms  statement: SELECT 1" / "execute <unnamed>: SELECT 1" / "statement: SELECT 1"
bool statementFromMessage(const QString &message, StatementLog::Statement *out)
{
    static const QRegularExpression re(QStringLiteral(
        R"(^(?:duration:\s+([0-9.]+)\s+ms\s+)?(?:statement|execute\s+[^:]*):\s?(.*)$)"),
        QRegularExpression::DotMatchesEverythingOption);
    const auto m = re.match(message);
    if (!m.hasMatch())
        return false;
    out->duration_ms = m.captured(1).isEmpty() ? -1 : m.captured(1).toDouble();
    out->sql = m.captured(2).trimmed();
    return !out->sql.isEmpty();
}

} // namespace

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
        out.push_back(s);
    }
    return out;
}

std::vector<StatementLog::Statement> StatementLog::parsePostgresLog(const QByteArray &text)
{
    std::vector<Statement> out;
    // A statement spans its LOG line and the tab-indented continuation lines after it.
    static const QRegularExpression logLine(QStringLiteral(R"(\b(LOG|DETAIL|ERROR|STATEMENT|HINT|CONTEXT|WARNING):\s\s(.*)$)"));
    QString pending;
    bool inLog = false;
    auto flush = [&] {
        Statement s;
        if (inLog && statementFromMessage(pending, &s) && !isOwn(s.sql)) {
            s.fingerprint = QueryFingerprint::of(s.sql);
            out.push_back(s);
        }
        pending.clear();
        inLog = false;
    };
    for (const QByteArray &raw : text.split('\n')) {
        const QString line = QString::fromUtf8(raw);
        if (line.startsWith(QLatin1Char('\t'))) {
            if (inLog)
                pending += QLatin1Char('\n') + line.mid(1);
            continue;
        }
        flush();
        const auto m = logLine.match(line);
        if (m.hasMatch() && m.captured(1) == QLatin1String("LOG")) {
            inLog = true;
            pending = m.captured(2);
        }
    }
    flush();
    return out;
}

std::vector<StatementLog::Statement> StatementLog::parsePostgresCsvLog(const QByteArray &text)
{
    std::vector<Statement> out;
    QStringList fields;
    QString field;
    bool quoted = false;
    auto endRecord = [&] {
        fields << field;
        field.clear();
        // 11 error_severity, 13 message, 22 application_name (PostgreSQL 13+ layout)
        if (fields.size() > 13 && fields[11] == QLatin1String("LOG") &&
            fields.value(22) != QLatin1String(PgConnection::kApplicationName)) {
            Statement s;
            if (statementFromMessage(fields[13], &s) && !isOwn(s.sql)) {
                s.fingerprint = QueryFingerprint::of(s.sql);
                out.push_back(s);
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

std::vector<QueryStat> StatementLog::perRequest(const std::vector<Statement> &statements, const QString &endpoint,
                                                double requests)
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
        q.phase = endpoint.isEmpty() ? QStringLiteral("log") : QStringLiteral("profile");
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
    if (!f.open(QIODevice::ReadOnly))
        return {};
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

} // namespace Preflight
