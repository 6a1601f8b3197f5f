#include "pgconnection.h"

#include "dblog.h"
#include "plan/secretresolver.h"
#include "plan/secrets.h"

#include <QDir>
#include <QFile>

#include <libpq-fe.h>

#include <map>

#include <arpa/inet.h>

namespace Preflight {

std::atomic<quint64> PgConnection::s_sessionsOpened{0};

namespace {

using Params = std::map<QString, QString>;

// Values of a service section, for the sslmode decision only; libpq itself reads the file to connect.
Params serviceSection(const QString &service)
{
    QStringList files;
    const QString userFile = qEnvironmentVariable("PGSERVICEFILE");
    files << (userFile.isEmpty() ? QDir::homePath() + QStringLiteral("/.pg_service.conf") : userFile);
    const QString sysconf = qEnvironmentVariable("PGSYSCONFDIR");
    files << (sysconf.isEmpty() ? QStringLiteral("/etc/postgresql-common") : sysconf) +
                 QStringLiteral("/pg_service.conf");
    for (const QString &path : files) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            continue;
        Params values;
        bool inSection = false, found = false;
        while (!f.atEnd()) {
            const QString line = QString::fromUtf8(f.readLine()).trimmed();
            if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                continue;
            if (line.startsWith(QLatin1Char('['))) {
                inSection = line.mid(1, line.size() - 2).trimmed() == service;
                found |= inSection;
                continue;
            }
            const qsizetype eq = line.indexOf(QLatin1Char('='));
            if (inSection && eq > 0)
                values[line.left(eq).trimmed()] = line.mid(eq + 1).trimmed();
        }
        if (found)
            return values;
    }
    return {};
}

QString firstLine(const char *text)
{
    const QString s = QString::fromUtf8(text).trimmed();
    return s.section(QLatin1Char('\n'), 0, 0);
}

} // namespace

PgConnection::PgConnection() = default;

PgConnection::~PgConnection()
{
    close();
}

bool PgConnection::isLoopbackHost(const QString &host)
{
    if (host.isEmpty() || host.startsWith(QLatin1Char('/')) || host.startsWith(QLatin1Char('@')))
        return true; // Unix socket
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QByteArray h = host.toLatin1();
    in_addr v4{};
    if (inet_pton(AF_INET, h.constData(), &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, h.constData(), &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

DbError PgConnection::open(const QString &conninfo, const Options &options)
{
    close();
    m_conninfoTemplate = conninfo;
    m_options = options;
    m_redacted = Secrets::redactConninfo(conninfo);

    QStringList missing;
    const QString resolved = SecretResolver::resolve(conninfo, &missing);
    if (!missing.isEmpty()) {
        return {DbError::Kind::Config,
                {},
                SecretResolver::describeMissing(missing, QStringLiteral("the database conninfo"))};
    }

    // Parse to decide on defaults. libpq's parser error can quote the offending token, so only quote
    // it when the text holds no password.
    char *parseError = nullptr;
    PQconninfoOption *parsed = PQconninfoParse(resolved.toUtf8().constData(), &parseError);
    if (!parsed) {
        QString why = parseError ? firstLine(parseError) : QString();
        PQfreemem(parseError);
        if (conninfo.contains(QLatin1String("password"), Qt::CaseInsensitive) ||
            why.contains(QLatin1String("password")))
            why = QStringLiteral("syntax error");
        return {DbError::Kind::Config,
                {},
                QStringLiteral("the database conninfo is not valid libpq syntax (key=value pairs, a postgresql:// "
                               "URI or service=NAME): %1 in \"%2\"")
                    .arg(why, m_redacted)};
    }
    Params given;
    for (PQconninfoOption *o = parsed; o->keyword; ++o) {
        if (o->val)
            given[QString::fromUtf8(o->keyword)] = QString::fromUtf8(o->val);
    }
    PQconninfoFree(parsed);

    Params service;
    const QString serviceName =
        given.count(QStringLiteral("service")) ? given[QStringLiteral("service")] : qEnvironmentVariable("PGSERVICE");
    if (!serviceName.isEmpty())
        service = serviceSection(serviceName);
    auto pick = [&](const QString &key, const char *env) {
        if (given.count(key))
            return given[key];
        if (service.count(key))
            return service[key];
        return qEnvironmentVariable(env);
    };
    QString hosts = pick(QStringLiteral("host"), "PGHOST");
    if (hosts.isEmpty())
        hosts = pick(QStringLiteral("hostaddr"), "PGHOSTADDR");
    bool loopback = true;
    for (const QString &h : hosts.split(QLatin1Char(','), Qt::SkipEmptyParts))
        loopback &= isLoopbackHost(h.trimmed());

    std::vector<QByteArray> keys, values;
    auto add = [&](const char *k, const QString &v) {
        keys.emplace_back(k);
        values.push_back(v.toUtf8());
    };
    add("dbname", resolved);
    if (!loopback && pick(QStringLiteral("sslmode"), "PGSSLMODE").isEmpty())
        add("sslmode", QStringLiteral("verify-full"));
    if (pick(QStringLiteral("connect_timeout"), "PGCONNECT_TIMEOUT").isEmpty())
        add("connect_timeout", QString::number(qMax(1, options.connect_timeout_s)));
    add("application_name", QString::fromLatin1(kApplicationName));
    QString sessionOptions = pick(QStringLiteral("options"), "PGOPTIONS");
    sessionOptions +=
        QStringLiteral(" -c statement_timeout=%1 -c lock_timeout=%2 -c idle_in_transaction_session_timeout=%3"
                       " -c default_transaction_read_only=on")
            .arg(options.statement_timeout_ms)
            .arg(options.lock_timeout_ms)
            .arg(options.idle_in_transaction_timeout_ms);
    add("options", sessionOptions.trimmed());

    std::vector<const char *> k, v;
    for (size_t i = 0; i < keys.size(); ++i) {
        k.push_back(keys[i].constData());
        v.push_back(values[i].constData());
    }
    k.push_back(nullptr);
    v.push_back(nullptr);
    m_conn = PQconnectdbParams(k.data(), v.data(), 1);
    if (!m_conn)
        return {DbError::Kind::Unreachable, {}, QStringLiteral("libpq could not allocate a connection")};
    if (PQstatus(m_conn) != CONNECTION_OK) {
        const DbError e = connectError();
        qCInfo(lcPreflightDb) << "connect failed:" << m_redacted << e.message;
        PQfinish(m_conn);
        m_conn = nullptr;
        return e;
    }
    ++s_sessionsOpened;
    {
        std::lock_guard<std::mutex> lock(m_cancelMutex);
        m_cancel = PQgetCancel(m_conn);
    }
    return {};
}

DbError PgConnection::connectError() const
{
    const QString raw = QString::fromUtf8(PQerrorMessage(m_conn)).trimmed();
    const QString host = QString::fromUtf8(PQhost(m_conn));
    const QString where = host.startsWith(QLatin1Char('/'))
                              ? QStringLiteral("socket %1 (port %2)").arg(host, QString::fromUtf8(PQport(m_conn)))
                              : QStringLiteral("%1:%2").arg(host, QString::fromUtf8(PQport(m_conn)));
    const QString user = QString::fromUtf8(PQuser(m_conn));
    const QString db = QString::fromUtf8(PQdb(m_conn));
    auto has = [&](const char *needle) { return raw.contains(QLatin1String(needle), Qt::CaseInsensitive); };

    if (has("password authentication failed") || has("authentication failed for user")) {
        return {DbError::Kind::Auth,
                {},
                QStringLiteral("wrong password for role \"%1\" at %2: fix it where the password comes from "
                               "(~/.pgpass or PGPASSFILE, the service file, or the ${env:…} variable in the conninfo). "
                               "Preflight never prints passwords.")
                    .arg(user, where)};
    }
    if (PQconnectionNeedsPassword(m_conn) || has("no password supplied") || has("fe_sendauth")) {
        return {DbError::Kind::Auth,
                {},
                QStringLiteral("%1 asks for a password for role \"%2\" but none was given: add a line "
                               "\"host:port:database:%2:password\" to ~/.pgpass (chmod 600) or PGPASSFILE, or use "
                               "password=${env:NAME} in the conninfo")
                    .arg(where, user)};
    }
    if (has("no pg_hba.conf entry")) {
        return {DbError::Kind::Auth,
                {},
                QStringLiteral("%1 does not allow role \"%2\" to connect to database \"%3\" from this host: add a "
                               "pg_hba.conf entry on the server (%4)")
                    .arg(where, user, db, raw.section(QLatin1Char('\n'), 0, 0))};
    }
    if (has("role") && has("does not exist")) {
        return {DbError::Kind::Auth,
                {},
                QStringLiteral("role \"%1\" does not exist on %2: check user= in the conninfo").arg(user, where)};
    }
    if (has("database") && has("does not exist")) {
        // The server is there but the database is not: unreachable, like a missing SQLite file (docs/cli.md).
        return {DbError::Kind::Unreachable,
                {},
                QStringLiteral("database \"%1\" does not exist on %2: check dbname= in the conninfo").arg(db, where)};
    }
    if (has("connection refused")) {
        return {DbError::Kind::Unreachable,
                {},
                QStringLiteral("connection refused at %1: is PostgreSQL running and listening there "
                               "(listen_addresses, port, firewall)?")
                    .arg(where)};
    }
    if (has("could not translate host name") || has("name or service not known")) {
        return {DbError::Kind::Unreachable,
                {},
                QStringLiteral("the database host \"%1\" does not resolve: check host= in the conninfo").arg(host)};
    }
    if (has("timeout expired") || has("timed out")) {
        return {DbError::Kind::Unreachable,
                {},
                QStringLiteral("no answer from %1 within the connect timeout: check the host, port and firewall")
                    .arg(where)};
    }
    if (has("ssl") || has("certificate")) {
        return {DbError::Kind::Unreachable,
                {},
                QStringLiteral("TLS to %1 failed (%2). Non-loopback hosts default to sslmode=verify-full: give the "
                               "server's CA with sslrootcert=FILE, or set sslmode explicitly in the conninfo")
                    .arg(where, raw.section(QLatin1Char('\n'), 0, 0))};
    }
    if (has("too many") && has("clients")) {
        return {DbError::Kind::Unreachable,
                {},
                QStringLiteral("%1 refuses new connections: max_connections is exhausted").arg(where)};
    }
    return {DbError::Kind::Unreachable,
            {},
            QStringLiteral("cannot connect to %1: %2").arg(where, raw.section(QLatin1Char('\n'), 0, 0))};
}

DbError PgConnection::reopen()
{
    const QString conninfo = m_conninfoTemplate;
    return open(conninfo, m_options);
}

void PgConnection::close()
{
    {
        std::lock_guard<std::mutex> lock(m_cancelMutex);
        if (m_cancel)
            PQfreeCancel(m_cancel);
        m_cancel = nullptr;
    }
    if (m_conn)
        PQfinish(m_conn);
    m_conn = nullptr;
}

bool PgConnection::isOpen() const
{
    return m_conn && PQstatus(m_conn) == CONNECTION_OK;
}

void PgConnection::cancel()
{
    std::lock_guard<std::mutex> lock(m_cancelMutex);
    if (!m_cancel)
        return;
    char buf[256];
    PQcancel(m_cancel, buf, sizeof buf);
}

int PgConnection::backendPid() const
{
    return m_conn ? PQbackendPID(m_conn) : 0;
}
int PgConnection::serverVersionNum() const
{
    return m_conn ? PQserverVersion(m_conn) : 0;
}
QString PgConnection::user() const
{
    return m_conn ? QString::fromUtf8(PQuser(m_conn)) : QString();
}
QString PgConnection::database() const
{
    return m_conn ? QString::fromUtf8(PQdb(m_conn)) : QString();
}

QString PgConnection::hostPort() const
{
    if (!m_conn)
        return {};
    return QString::fromUtf8(PQhost(m_conn)) + QLatin1Char(':') + QString::fromUtf8(PQport(m_conn));
}

PgResultSet PgConnection::exec(const QString &sql, const QStringList &params)
{
    PgResultSet out;
    if (!isOpen()) {
        out.error = {
            DbError::Kind::Unreachable, {}, QStringLiteral("the database session is closed (%1)").arg(m_redacted)};
        return out;
    }
    const QByteArray text = QByteArray(kMarker) + sql.toUtf8();
    std::vector<QByteArray> storage;
    std::vector<const char *> values;
    storage.reserve(size_t(params.size()));
    for (const QString &p : params) {
        storage.push_back(p.toUtf8());
        values.push_back(p.isNull() ? nullptr : storage.back().constData());
    }
    // PQexecParams uses the extended protocol, which rejects more than one statement per string.
    PGresult *res = PQexecParams(m_conn, text.constData(), int(values.size()), nullptr,
                                 values.empty() ? nullptr : values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        const int cols = PQnfields(res);
        for (int c = 0; c < cols; ++c)
            out.columns << QString::fromUtf8(PQfname(res, c));
        const int n = PQntuples(res);
        out.rows.reserve(size_t(n));
        for (int r = 0; r < n; ++r) {
            QStringList row;
            row.reserve(cols);
            for (int c = 0; c < cols; ++c)
                row << (PQgetisnull(res, r, c) ? QString()
                                               : QString::fromUtf8(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
            out.rows.push_back(std::move(row));
        }
    } else {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
        out.error.sqlstate = state ? QString::fromLatin1(state) : QString();
        out.error.kind = out.error.sqlstate == QLatin1String("57014") ? DbError::Kind::Cancelled : DbError::Kind::Query;
        QString msg = res ? firstLine(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) : QString();
        if (msg.isEmpty())
            msg = firstLine(PQerrorMessage(m_conn));
        if (PQstatus(m_conn) != CONNECTION_OK) {
            out.error.kind = DbError::Kind::Unreachable;
            msg = QStringLiteral("lost the database session to %1: %2").arg(hostPort(), msg);
        }
        out.error.message = msg;
    }
    PQclear(res);
    return out;
}

PgResultSet PgConnection::query(const QString &sql, const QStringList &params)
{
    auto results = transaction({Statement{sql, params}}, Finish::Commit);
    return results.empty() ? PgResultSet{} : results.back();
}

std::vector<PgResultSet> PgConnection::transaction(const std::vector<Statement> &statements, Finish finish)
{
    std::vector<PgResultSet> results;
    PgResultSet begin = exec(QStringLiteral("BEGIN READ ONLY"), {});
    if (!begin.ok()) {
        results.push_back(begin);
        return results;
    }
    bool failed = false;
    for (const Statement &s : statements) {
        results.push_back(exec(s.sql, s.params));
        if (!results.back().ok()) {
            failed = true;
            break;
        }
    }
    if (isOpen()) {
        const PgResultSet end =
            exec(failed || finish == Finish::Rollback ? QStringLiteral("ROLLBACK") : QStringLiteral("COMMIT"), {});
        if (!end.ok() && !failed)
            results.push_back(end);
    }
    return results;
}

} // namespace Preflight
