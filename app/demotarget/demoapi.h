#pragma once

#include "connectionpool.h"
#include "democonfig.h"
#include "httprequest.h"
#include "httpresponse.h"

#include <QJsonArray>
#include <QJsonObject>

#include <atomic>
#include <functional>
#include <initializer_list>

namespace Demo {

class HttpServer;
class SqlLog;

// The demo's JSON API (docs/demo.md). handle() runs on handler threads, concurrently; it checks a connection
// out of the pool per request (except /health, /metrics and, with write-contention, the create endpoint which
// uses the handler thread's own writer connection) and returns it before the response is sent.
class DemoApi
{
public:
    // `sqlLog` may be null.
    DemoApi(const DemoConfig &config, const DbTarget &target, ConnectionPool &pool, SqlLog *sqlLog);
    void setServer(const HttpServer *server) { m_server = server; }

    HttpResponse handle(const HttpRequest &request);

private:
    struct Field
    {
        const char *name;
        bool integer = false;
    };
    using Body = std::function<HttpResponse(DbConnection &)>;

    HttpResponse withConnection(const Body &body);
    void holdWork() const;
    static HttpResponse dbError(const DbResult &result);
    static QJsonObject toObject(const std::vector<QByteArray> &row, std::initializer_list<Field> fields,
                                size_t offset = 0);
    static QJsonArray toArray(const DbResult &result, std::initializer_list<Field> fields);

    HttpResponse health() const;
    HttpResponse metrics() const;
    HttpResponse index() const;
    HttpResponse customers(const QByteArray &query);
    HttpResponse customer(qint64 id);
    HttpResponse customerChildren(qint64 id, const QByteArray &what);
    HttpResponse appointment(qint64 id);
    HttpResponse appointmentChildren(qint64 id, const QByteArray &what);
    HttpResponse vehicle(qint64 id);
    HttpResponse orders(const QByteArray &query);
    HttpResponse search(const QByteArray &query);
    HttpResponse revenue();
    HttpResponse createItem(const HttpRequest &request);
    HttpResponse item(qint64 id);
    HttpResponse customerProfile(qint64 id, const QByteArray &query);
    HttpResponse profileNPlusOne(DbConnection &db, qint64 id);
    HttpResponse profileJoined(DbConnection &db, qint64 id);
    HttpResponse insertItem(DbConnection &db, const QString &name, bool contended);

    const DemoConfig m_config;
    const DbTarget m_target;
    const bool m_postgres;
    ConnectionPool &m_pool;
    SqlLog *const m_sqlLog;
    const HttpServer *m_server = nullptr;
    int m_workMinMs = 0;
    int m_workMaxMs = 0;
};

} // namespace Demo
