#include "pgconnection.h"

#include <libpq-fe.h>

#include <cstring>

namespace Demo {

PgConnection::~PgConnection()
{
    if (m_conn)
        PQfinish(m_conn);
}

std::unique_ptr<DbConnection> PgConnection::open(const QString &conninfo, int lock_timeout_ms, QString *error)
{
    // expand_dbname: the first "dbname" is the user's whole conninfo; the later application_name overrides
    // whatever it says so pg_stat_activity always names the demo.
    const QByteArray info = conninfo.toUtf8();
    const QByteArray options =
        lock_timeout_ms > 0 ? "-c lock_timeout=" + QByteArray::number(lock_timeout_ms) : QByteArray();
    const char *keys[] = {"dbname", "application_name", options.isEmpty() ? nullptr : "options", nullptr};
    const char *values[] = {info.constData(), "preflight-demo-target", options.constData(), nullptr};
    std::unique_ptr<PgConnection> connection(new PgConnection);
    connection->m_conn = PQconnectdbParams(keys, values, 1);
    if (!connection->m_conn || PQstatus(connection->m_conn) != CONNECTION_OK) {
        *error = QStringLiteral("cannot connect to PostgreSQL: %1")
                     .arg(connection->m_conn ? QString::fromUtf8(PQerrorMessage(connection->m_conn)).trimmed()
                                             : QStringLiteral("out of memory"));
        return nullptr;
    }
    PQsetNoticeProcessor(
        connection->m_conn, [](void *, const char *) {}, nullptr);
    return connection;
}

bool PgConnection::isBroken() const
{
    return !m_conn || PQstatus(m_conn) != CONNECTION_OK;
}

DbResult PgConnection::execImpl(const QByteArray &sql, const std::vector<QByteArray> &params)
{
    // `?` -> `$n`. The demo's own SQL never has a `?` inside a literal.
    QByteArray text;
    text.reserve(sql.size() + 16);
    int n = 0;
    for (char c : sql) {
        if (c == '?')
            text += '$' + QByteArray::number(++n);
        else
            text += c;
    }
    std::vector<const char *> values;
    for (const QByteArray &p : params)
        values.push_back(p.constData());

    DbResult result;
    PGresult *res =
        PQexecParams(m_conn, text.constData(), int(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
    const ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        const int rows = PQntuples(res);
        const int columns = PQnfields(res);
        result.rows.reserve(size_t(rows));
        for (int r = 0; r < rows; ++r) {
            std::vector<QByteArray> row;
            row.reserve(size_t(columns));
            for (int c = 0; c < columns; ++c)
                row.emplace_back(PQgetvalue(res, r, c), PQgetlength(res, r, c));
            result.rows.push_back(std::move(row));
        }
        result.rows_affected = QByteArray(PQcmdTuples(res)).toLongLong();
    } else {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
        result.message = QString::fromUtf8(PQerrorMessage(m_conn)).trimmed();
        if (PQstatus(m_conn) != CONNECTION_OK)
            result.error = DbResult::Error::Connection;
        else if (state && std::strcmp(state, "55P03") == 0)
            result.error = DbResult::Error::LockTimeout;
        else
            result.error = DbResult::Error::Other;
    }
    PQclear(res);
    return result;
}

} // namespace Demo
