#pragma once

#include "dberror.h"
#include "pgresultset.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <mutex>
#include <vector>

struct pg_conn;
struct pg_cancel;

namespace Preflight {

// One libpq session to the target database, owned by one thread at a time (not thread-safe, except
// cancel()). Safety properties, enforced here so no caller can forget them (docs/architecture.md):
//  - the conninfo may be anything libpq accepts (URI, key=value, `service=`); `${env:NAME}` placeholders are
//    resolved here; .pgpass / PGPASSFILE / PGSERVICEFILE work because libpq reads them;
//  - `sslmode=verify-full` is added for non-loopback hosts when neither the conninfo, the service file nor
//    PGSSLMODE sets one;
//  - every session sets application_name=preflight, statement_timeout, lock_timeout,
//    idle_in_transaction_session_timeout and default_transaction_read_only=on;
//  - every statement is sent alone with the extended protocol (no multi-statement strings), prefixed with
//    the marker comment kMarker (so pg_stat_statements shows Preflight's own statements as such), inside
//    `BEGIN READ ONLY` … `COMMIT` (or `ROLLBACK`).
// Failures come back as DbError values with a message naming the fix; passwords are never quoted.
class PgConnection
{
public:
    struct Options
    {
        int statement_timeout_ms = 5000;
        int lock_timeout_ms = 1000;
        int idle_in_transaction_timeout_ms = 10000;
        int connect_timeout_s = 5; // used when the conninfo does not set connect_timeout
    };
    struct Statement
    {
        QString sql;        // exactly one statement, without the marker
        QStringList params; // $1.. as text; a null QString is SQL NULL
    };
    enum class Finish { Commit, Rollback };

    static constexpr const char *kMarker = "/* preflight */ ";
    static constexpr const char *kApplicationName = "preflight";

    PgConnection();
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    // Blocks up to connect_timeout_s. Closes any previous session first.
    DbError open(const QString &conninfo, const Options &options);
    DbError open(const QString &conninfo) { return open(conninfo, Options{}); }
    DbError reopen(); // same conninfo and options (after a broken session)
    void close();
    bool isOpen() const;

    // BEGIN READ ONLY; sql; COMMIT (ROLLBACK on failure). Blocks up to statement_timeout_ms.
    PgResultSet query(const QString &sql, const QStringList &params = {});
    // All statements in one BEGIN READ ONLY transaction, stopping at the first failure; then COMMIT or
    // ROLLBACK (always ROLLBACK after a failure). Returns one result per statement that was sent.
    std::vector<PgResultSet> transaction(const std::vector<Statement> &statements, Finish finish);

    // Thread-safe: asks the server to cancel the statement in flight (if any). Returns immediately-ish.
    void cancel();

    int backendPid() const;
    int serverVersionNum() const; // e.g. 150004; 0 when closed
    QString user() const;
    QString database() const;
    QString hostPort() const; // "host:port" or the socket directory
    QString redactedConninfo() const { return m_redacted; }

    // Sessions this process has opened to any server since start (to discount them from session counts).
    static quint64 sessionsOpened() { return s_sessionsOpened.load(); }
    static bool isLoopbackHost(const QString &host);

private:
    PgResultSet exec(const QString &sql, const QStringList &params);
    DbError connectError() const;

    pg_conn *m_conn = nullptr;
    pg_cancel *m_cancel = nullptr;
    std::mutex m_cancelMutex;
    QString m_conninfoTemplate; // as given, placeholders unresolved
    QString m_redacted;
    Options m_options;
    static std::atomic<quint64> s_sessionsOpened;
};

} // namespace Preflight
