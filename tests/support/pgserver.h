#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

struct pg_conn;

// A throwaway PostgreSQL 15 cluster for tests: initdb in a temporary directory, loopback TCP on a free port
// plus a Unix socket inside the temporary directory, fsync off, started with pg_ctl, stopped and removed
// by the destructor. When the tests run as root the server binaries run as the `postgres` system user
// (initdb refuses root) via `runuser`, with the temporary directory chowned to it.
//
// Authentication: the Unix socket trusts everyone (superuser helpers use it); loopback TCP requires
// scram-sha-256 passwords, so wrong-password behaviour can be tested against it.
//
// Not thread-safe; use it from the test's main thread. Every helper returns false / an empty value and
// fills *error on failure instead of throwing.
class PgTestServer
{
public:
    struct Options
    {
        bool preload_pg_stat_statements = true; // shared_preload_libraries + pg_stat_statements.track=all
        bool log_statements = true;             // log_statement=all into logFile(), to prove what arrived
        QStringList extra_settings;             // more postgresql.conf lines
        // logging_collector = on writing every statement (log_min_duration_statement = 0) to log/pg.log (stderr,
        // log_line_prefix '%m [%p] %q%u@%d/%a '), log/pg.csv (csvlog) and log/pg.json (jsonlog): see serverLog().
        bool log_collector = false;
    };

    // One plain libpq session, as the application under test would hold it (no Preflight safety wrapper).
    class Session
    {
    public:
        explicit Session(const QString &conninfo);
        ~Session();
        Session(const Session &) = delete;
        Session &operator=(const Session &) = delete;
        bool ok() const;
        bool exec(const QByteArray &sql);          // any statements, autocommit unless BEGIN
        QStringList column(const QByteArray &sql); // first column of every row; empty on error
    private:
        pg_conn *m_conn = nullptr;
    };

    PgTestServer();
    explicit PgTestServer(Options options);
    ~PgTestServer();
    PgTestServer(const PgTestServer &) = delete;
    PgTestServer &operator=(const PgTestServer &) = delete;

    // initdb + pg_ctl start; false and *error (with the tail of the server log) when it cannot start.
    bool start(QString *error);
    void stop();
    bool isRunning() const { return m_running; }

    static QString binDir() { return QStringLiteral("/usr/lib/postgresql/15/bin"); }
    // PREFLIGHT_REQUIRE_POSTGRES=1: a server that cannot start is a test failure, not a skip.
    static bool postgresRequired();

    int port() const { return m_port; }
    QString socketDir() const;
    QString dataDir() const;
    QString logFile() const;
    // With Options::log_collector: the collector's file for "stderr", "csvlog" or "jsonlog"; empty otherwise.
    QString serverLog(const QString &destination) const;
    QString superuser() const { return QStringLiteral("postgres"); }
    QString superuserPassword() const { return QStringLiteral("preflight-test-su"); }

    // Superuser over the Unix socket (trust).
    QString conninfo(const QString &dbname = QStringLiteral("postgres")) const;
    // A role over loopback TCP with a password (key=value form).
    QString tcpConninfo(const QString &user, const QString &password,
                        const QString &dbname = QStringLiteral("postgres")) const;

    // Runs sql (may be several statements) as superuser in autocommit mode.
    bool exec(const QString &sql, const QString &dbname = QStringLiteral("postgres"), QString *error = nullptr) const;
    // First column of the first row, or a null QString on error/no rows.
    QString queryValue(const QString &sql, const QString &dbname = QStringLiteral("postgres"),
                       QString *error = nullptr) const;
    bool createRole(const QString &name, const QString &password, const QStringList &grantedRoles = {},
                    QString *error = nullptr) const;
    bool createDatabase(const QString &name, const QString &owner = {}, QString *error = nullptr) const;

private:
    bool runTool(const QStringList &argv, QString *output, int timeout_ms) const;
    QString serverLogTail() const;

    Options m_options;
    std::unique_ptr<QTemporaryDir> m_dir;
    int m_port = 0;
    bool m_running = false;
    bool m_asPostgresUser = false;
};

// Use in initTestCase(): starts the server or QFAILs (PREFLIGHT_REQUIRE_POSTGRES=1) / QSKIPs with the reason.
#define PREFLIGHT_START_PG(server)                                                                                     \
    do {                                                                                                               \
        QString pgStartError_;                                                                                         \
        if (!(server).start(&pgStartError_)) {                                                                         \
            const QByteArray reason_ =                                                                                 \
                (QStringLiteral("PostgreSQL test server unavailable: ") + pgStartError_).toUtf8();                     \
            if (PgTestServer::postgresRequired())                                                                      \
                QFAIL(reason_.constData());                                                                            \
            QSKIP(reason_.constData());                                                                                \
        }                                                                                                              \
    } while (false)
