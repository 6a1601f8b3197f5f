#include "pgserver.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>

#include <libpq-fe.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

int freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool chownTree(const QString &path, uid_t uid, gid_t gid)
{
    if (::chown(QFile::encodeName(path).constData(), uid, gid) != 0)
        return false;
    const QFileInfoList entries = QDir(path).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QFileInfo &fi : entries) {
        if (fi.isDir() && !fi.isSymLink()) {
            if (!chownTree(fi.absoluteFilePath(), uid, gid))
                return false;
        } else if (::chown(QFile::encodeName(fi.absoluteFilePath()).constData(), uid, gid) != 0) {
            return false;
        }
    }
    return true;
}

QString quoteConnValue(const QString &v)
{
    QString out = v;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

} // namespace

PgTestServer::PgTestServer() : PgTestServer(Options{}) {}

PgTestServer::PgTestServer(Options options) : m_options(std::move(options)) {}

PgTestServer::~PgTestServer()
{
    stop();
}

bool PgTestServer::postgresRequired()
{
    return qEnvironmentVariable("PREFLIGHT_REQUIRE_POSTGRES") == QLatin1String("1");
}

QString PgTestServer::socketDir() const
{
    return m_dir ? m_dir->filePath(QStringLiteral("sock")) : QString();
}
QString PgTestServer::dataDir() const
{
    return m_dir ? m_dir->filePath(QStringLiteral("data")) : QString();
}
QString PgTestServer::logFile() const
{
    return m_dir ? m_dir->filePath(QStringLiteral("server.log")) : QString();
}

QString PgTestServer::serverLog(const QString &destination) const
{
    if (!m_dir || !m_options.log_collector)
        return {};
    const QString suffix = destination == QLatin1String("csvlog")    ? QStringLiteral("csv")
                           : destination == QLatin1String("jsonlog") ? QStringLiteral("json")
                                                                     : QStringLiteral("log");
    return dataDir() + QStringLiteral("/log/pg.") + suffix;
}

bool PgTestServer::runTool(const QStringList &argv, QString *output, int timeout_ms) const
{
    QStringList args = argv;
    QString program = args.takeFirst();
    if (m_asPostgresUser) {
        args.prepend(program);
        args = QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--")} + args;
        program = QStringLiteral("runuser");
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    // pg_ctl's children inherit our stdout otherwise and keep the pipe open; the log goes to a file.
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        if (output)
            *output = program + QStringLiteral(": ") + p.errorString();
        return false;
    }
    const bool finished = p.waitForFinished(timeout_ms);
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    if (!finished) {
        p.kill();
        p.waitForFinished(2000);
        if (output)
            output->append(QStringLiteral(" (timed out)"));
        return false;
    }
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QString PgTestServer::serverLogTail() const
{
    QFile f(logFile());
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = f.readAll();
    return QString::fromLocal8Bit(all.right(1500));
}

bool PgTestServer::start(QString *error)
{
    QString scratch;
    if (!error)
        error = &scratch;
    if (m_running)
        return true;
    const QString initdb = binDir() + QStringLiteral("/initdb");
    if (!QFile::exists(initdb)) {
        *error = initdb + QStringLiteral(" not found (apt-get install postgresql postgresql-contrib)");
        return false;
    }
    // Short base path: Unix socket paths are limited to ~107 bytes.
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/pfpg-XXXXXX"));
    if (!m_dir->isValid()) {
        *error = QStringLiteral("cannot create a temporary directory: ") + m_dir->errorString();
        return false;
    }
    QDir().mkpath(socketDir());
    const QString pwFile = m_dir->filePath(QStringLiteral("pw"));
    {
        QFile f(pwFile);
        if (!f.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write ") + pwFile;
            return false;
        }
        f.write(superuserPassword().toUtf8() + '\n');
    }
    m_asPostgresUser = ::geteuid() == 0;
    if (m_asPostgresUser) {
        const passwd *pw = ::getpwnam("postgres");
        if (!pw) {
            *error = QStringLiteral("running as root but there is no `postgres` user to run initdb as");
            return false;
        }
        ::chmod(QFile::encodeName(m_dir->path()).constData(), 0755);
        if (!chownTree(m_dir->path(), pw->pw_uid, pw->pw_gid)) {
            *error = QStringLiteral("cannot chown %1 to postgres").arg(m_dir->path());
            return false;
        }
    }
    QString out;
    if (!runTool({initdb, QStringLiteral("-D"), dataDir(), QStringLiteral("-U"), superuser(),
                  QStringLiteral("--pwfile=") + pwFile, QStringLiteral("--auth-local=trust"),
                  QStringLiteral("--auth-host=scram-sha-256"), QStringLiteral("--no-sync"),
                  QStringLiteral("--encoding=UTF8"), QStringLiteral("--locale=C")},
                 &out, 60000)) {
        *error = QStringLiteral("initdb failed: ") + out.right(1500);
        return false;
    }
    QStringList conf{
        QStringLiteral("listen_addresses = '127.0.0.1'"),
        QStringLiteral("unix_socket_directories = '%1'").arg(socketDir()),
        QStringLiteral("fsync = off"),
        QStringLiteral("synchronous_commit = off"),
        QStringLiteral("full_page_writes = off"),
        QStringLiteral("shared_buffers = 32MB"),
        QStringLiteral("max_connections = 60"),
        QStringLiteral("logging_collector = off"),
    };
    if (m_options.preload_pg_stat_statements) {
        conf << QStringLiteral("shared_preload_libraries = 'pg_stat_statements'")
             << QStringLiteral("pg_stat_statements.track = all")
             << QStringLiteral("pg_stat_statements.track_utility = on");
    }
    if (m_options.log_statements)
        conf << QStringLiteral("log_statement = 'all'");
    if (m_options.log_collector)
        conf << QStringLiteral("logging_collector = on") << QStringLiteral("log_destination = 'stderr,csvlog,jsonlog'")
             << QStringLiteral("log_directory = 'log'") << QStringLiteral("log_filename = 'pg.log'")
             << QStringLiteral("log_file_mode = 0644") << QStringLiteral("log_rotation_age = 0")
             << QStringLiteral("log_rotation_size = 0") << QStringLiteral("log_min_duration_statement = 0")
             << QStringLiteral("log_line_prefix = '%m [%p] %q%u@%d/%a '");
    conf << m_options.extra_settings;
    auto appendConf = [this](const QStringList &lines) {
        QFile f(dataDir() + QStringLiteral("/postgresql.conf"));
        if (!f.open(QIODevice::Append))
            return false;
        return f.write('\n' + lines.join(QLatin1Char('\n')).toUtf8() + '\n') > 0;
    };
    if (!appendConf(conf)) {
        *error = QStringLiteral("cannot append to postgresql.conf");
        return false;
    }
    if (m_asPostgresUser) {
        // The log file is created by pg_ctl running as postgres; make sure it can write it.
        QFile(logFile()).open(QIODevice::WriteOnly);
        const passwd *pw = ::getpwnam("postgres");
        if (pw && ::chown(QFile::encodeName(logFile()).constData(), pw->pw_uid, pw->pw_gid) != 0) {
            *error = QStringLiteral("cannot chown the server log");
            return false;
        }
    }
    // The port is free when probed, but another test's client sockets draw from the same ephemeral range and
    // can take it before the postmaster binds it: then try another (a later "port =" line overrides).
    for (int attempt = 1;; ++attempt) {
        m_port = freeLoopbackPort();
        if (m_port == 0 || !appendConf({QStringLiteral("port = %1").arg(m_port)})) {
            *error = QStringLiteral("no free loopback port");
            return false;
        }
        if (runTool({binDir() + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), dataDir(), QStringLiteral("-l"),
                     logFile(), QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"),
                     QStringLiteral("start")},
                    &out, 70000))
            break;
        const QString log = serverLogTail();
        if (attempt < 3 && log.contains(QLatin1String("Address already in use")))
            continue;
        *error = QStringLiteral("pg_ctl start failed: ") + out.right(500) + QStringLiteral("\nserver log: ") + log;
        return false;
    }
    m_running = true;
    return true;
}

void PgTestServer::stop()
{
    if (m_running) {
        QString out;
        runTool({binDir() + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), dataDir(), QStringLiteral("-m"),
                 QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("30"),
                 QStringLiteral("stop")},
                &out, 40000);
        m_running = false;
    }
    m_dir.reset(); // removes the cluster
}

QString PgTestServer::conninfo(const QString &dbname) const
{
    return QStringLiteral("host=%1 port=%2 user=%3 dbname=%4")
        .arg(quoteConnValue(socketDir()))
        .arg(m_port)
        .arg(superuser(), quoteConnValue(dbname));
}

QString PgTestServer::tcpConninfo(const QString &user, const QString &password, const QString &dbname) const
{
    return QStringLiteral("host=127.0.0.1 port=%1 user=%2 password=%3 dbname=%4")
        .arg(m_port)
        .arg(quoteConnValue(user), quoteConnValue(password), quoteConnValue(dbname));
}

bool PgTestServer::exec(const QString &sql, const QString &dbname, QString *error) const
{
    PGconn *conn = PQconnectdb(conninfo(dbname).toUtf8().constData());
    bool ok = false;
    if (PQstatus(conn) != CONNECTION_OK) {
        if (error)
            *error = QString::fromUtf8(PQerrorMessage(conn));
    } else {
        PGresult *res = PQexec(conn, sql.toUtf8().constData());
        const ExecStatusType st = PQresultStatus(res);
        ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (!ok && error)
            *error = QString::fromUtf8(PQresultErrorMessage(res));
        PQclear(res);
    }
    PQfinish(conn);
    return ok;
}

QString PgTestServer::queryValue(const QString &sql, const QString &dbname, QString *error) const
{
    PGconn *conn = PQconnectdb(conninfo(dbname).toUtf8().constData());
    QString value;
    if (PQstatus(conn) != CONNECTION_OK) {
        if (error)
            *error = QString::fromUtf8(PQerrorMessage(conn));
    } else {
        PGresult *res = PQexec(conn, sql.toUtf8().constData());
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0)
            value = PQgetisnull(res, 0, 0) ? QStringLiteral("") : QString::fromUtf8(PQgetvalue(res, 0, 0));
        else if (error)
            *error = QString::fromUtf8(PQresultErrorMessage(res));
        PQclear(res);
    }
    PQfinish(conn);
    return value;
}

bool PgTestServer::createRole(const QString &name, const QString &password, const QStringList &grantedRoles,
                              QString *error) const
{
    QString sql = QStringLiteral("CREATE ROLE \"%1\" LOGIN PASSWORD '%2';").arg(name, password);
    for (const QString &r : grantedRoles)
        sql += QStringLiteral("GRANT %1 TO \"%2\";").arg(r, name);
    return exec(sql, QStringLiteral("postgres"), error);
}

bool PgTestServer::createDatabase(const QString &name, const QString &owner, QString *error) const
{
    QString sql = QStringLiteral("CREATE DATABASE \"%1\"").arg(name);
    if (!owner.isEmpty())
        sql += QStringLiteral(" OWNER \"%1\"").arg(owner);
    return exec(sql, QStringLiteral("postgres"), error);
}

PgTestServer::Session::Session(const QString &conninfo) : m_conn(PQconnectdb(conninfo.toUtf8().constData())) {}

PgTestServer::Session::~Session()
{
    PQfinish(m_conn);
}

bool PgTestServer::Session::ok() const
{
    return PQstatus(m_conn) == CONNECTION_OK;
}

bool PgTestServer::Session::exec(const QByteArray &sql)
{
    PGresult *r = PQexec(m_conn, sql.constData());
    const bool good = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return good;
}

QStringList PgTestServer::Session::column(const QByteArray &sql)
{
    QStringList out;
    PGresult *r = PQexec(m_conn, sql.constData());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQnfields(r) > 0)
        for (int i = 0; i < PQntuples(r); ++i)
            out << QString::fromUtf8(PQgetvalue(r, i, 0));
    PQclear(r);
    return out;
}
