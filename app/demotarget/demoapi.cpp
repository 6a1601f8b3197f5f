#include "demoapi.h"

#include "httpserver.h"
#include "sqllog.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QList>
#include <QUrlQuery>

#include <chrono>
#include <map>
#include <random>
#include <thread>

namespace Demo {

namespace {

QByteArray toJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

HttpResponse ok(const QJsonObject &o, int status = 200)
{
    return HttpResponse::json(status, toJson(o));
}

HttpResponse notFound(const QString &what)
{
    return HttpResponse::error(404, what + QStringLiteral(" not found"));
}

void sleepMs(int ms)
{
    if (ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

bool parseId(const QByteArray &segment, qint64 *id)
{
    bool ok = false;
    *id = segment.toLongLong(&ok);
    return ok && *id > 0;
}

QString queryValue(const QByteArray &query, const QString &key)
{
    return QUrlQuery(QString::fromUtf8(query)).queryItemValue(key, QUrl::FullyDecoded);
}

} // namespace

DemoApi::DemoApi(const DemoConfig &config, const DbTarget &target, ConnectionPool &pool, SqlLog *sqlLog)
    : m_config(config), m_target(target), m_postgres(target.kind == DbTarget::Kind::Postgres), m_pool(pool),
      m_sqlLog(sqlLog)
{
    if (config.work_ms >= 0) {
        m_workMinMs = m_workMaxMs = config.work_ms;
    } else if (config.flaws.small_pool) {
        // The small-pool incident: handlers keep the session through slow work (templating, an HTTP call).
        m_workMinMs = 20;
        m_workMaxMs = 50;
    } else if (config.flaws.single_connection) {
        // The single-connection incident: the request keeps the shared session from its first query to the
        // end (session per request: ORM loading, serialising the response). Without this, SQLite answers in
        // well under a millisecond and the one connection is never what limits throughput.
        m_workMinMs = 10;
        m_workMaxMs = 30;
    }
}

void DemoApi::holdWork() const
{
    if (m_workMaxMs <= 0)
        return;
    thread_local std::mt19937 rng(std::random_device{}());
    sleepMs(m_workMinMs + int(rng() % quint32(m_workMaxMs - m_workMinMs + 1)));
}

HttpResponse DemoApi::withConnection(const Body &body)
{
    QString error;
    bool timedOut = false;
    ConnectionPool::Lease lease = m_pool.checkout(&error, &timedOut);
    if (!lease) {
        // SQLAlchemy surfaces a pool timeout as an unhandled TimeoutError: a 500 with its message.
        QJsonObject o{
            {QStringLiteral("error"), error},
            {QStringLiteral("type"), timedOut ? QStringLiteral("TimeoutError") : QStringLiteral("OperationalError")}};
        return HttpResponse::json(timedOut ? 500 : 503, toJson(o));
    }
    holdWork();
    return body(*lease);
}

HttpResponse DemoApi::dbError(const DbResult &result)
{
    const bool contention = result.error == DbResult::Error::Busy || result.error == DbResult::Error::LockTimeout;
    QJsonObject o{
        {QStringLiteral("error"), result.message},
        {QStringLiteral("type"), contention ? QStringLiteral("OperationalError") : QStringLiteral("DatabaseError")}};
    return HttpResponse::json(contention ? 503 : 500, toJson(o));
}

QJsonObject DemoApi::toObject(const std::vector<QByteArray> &row, std::initializer_list<Field> fields, size_t offset)
{
    QJsonObject o;
    size_t i = offset;
    for (const Field &f : fields) {
        const QByteArray v = i < row.size() ? row[i] : QByteArray();
        if (f.integer)
            o.insert(QLatin1String(f.name), v.toLongLong());
        else
            o.insert(QLatin1String(f.name), QString::fromUtf8(v));
        ++i;
    }
    return o;
}

QJsonArray DemoApi::toArray(const DbResult &result, std::initializer_list<Field> fields)
{
    QJsonArray a;
    for (const auto &row : result.rows)
        a.append(toObject(row, fields));
    return a;
}

HttpResponse DemoApi::handle(const HttpRequest &request)
{
    // Request id 0 is never logged: with --sql-log-marked-only only the profiling pass's requests are, so a
    // long load does not write (and flush) a line for every statement.
    const bool logged = !m_config.sql_log_marked_only || !request.header("x-preflight-profile").isEmpty();
    SqlLog::setCurrentRequestId(logged ? request.id : 0);
    const QList<QByteArray> seg = request.path.mid(1).split('/');
    const QByteArray &method = request.method;
    const bool get = method == "GET";
    qint64 id = 0;

    if (request.path == "/health")
        return m_config.flaws.no_health ? notFound(QStringLiteral("/health")) : health();
    if (request.path == "/metrics" && get)
        return metrics();
    if (request.path == "/" && get)
        return index();

    // /api/v1/...
    if (seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1") {
        if (!get)
            return HttpResponse::error(405, QStringLiteral("method not allowed"));
        const QByteArray &resource = seg[2];
        if (resource == "customers") {
            if (seg.size() == 3)
                return customers(request.query);
            if (!parseId(seg[3], &id))
                return HttpResponse::error(400, QStringLiteral("customer id must be a positive integer"));
            if (seg.size() == 4)
                return customer(id);
            if (seg.size() == 5 && (seg[4] == "vehicles" || seg[4] == "appointments" || seg[4] == "payments"))
                return customerChildren(id, seg[4]);
        } else if (resource == "appointments" && seg.size() >= 4) {
            if (!parseId(seg[3], &id))
                return HttpResponse::error(400, QStringLiteral("appointment id must be a positive integer"));
            if (seg.size() == 4)
                return appointment(id);
            if (seg.size() == 5 && (seg[4] == "services" || seg[4] == "payments" || seg[4] == "messages"))
                return appointmentChildren(id, seg[4]);
        } else if (resource == "vehicles" && seg.size() == 4) {
            if (!parseId(seg[3], &id))
                return HttpResponse::error(400, QStringLiteral("vehicle id must be a positive integer"));
            return vehicle(id);
        } else if (resource == "orders" && seg.size() == 3) {
            return orders(request.query);
        } else if (resource == "search" && seg.size() == 3) {
            return search(request.query);
        } else if (resource == "reports" && seg.size() == 4 && seg[3] == "revenue") {
            return revenue();
        }
        return notFound(QString::fromUtf8(request.path));
    }
    if (seg.size() >= 2 && seg[0] == "api" && seg[1] == "items") {
        if (seg.size() == 2) {
            if (method != "POST")
                return HttpResponse::error(405, QStringLiteral("use POST to create an item"));
            return createItem(request);
        }
        if (seg.size() == 3 && get && parseId(seg[2], &id))
            return item(id);
        return notFound(QString::fromUtf8(request.path));
    }
    if (seg.size() == 4 && seg[0] == "api" && seg[1] == "admin" && seg[2] == "customers") {
        if (!get)
            return HttpResponse::error(405, QStringLiteral("method not allowed"));
        if (!parseId(seg[3], &id))
            return HttpResponse::error(400, QStringLiteral("customer id must be a positive integer"));
        return customerProfile(id, request.query);
    }
    return notFound(QString::fromUtf8(request.path));
}

HttpResponse DemoApi::health() const
{
    const PoolStats s = m_pool.stats();
    QJsonObject pool{{QStringLiteral("size"), s.size},         {QStringLiteral("max"), s.max},
                     {QStringLiteral("in_use"), s.in_use},     {QStringLiteral("idle"), s.idle},
                     {QStringLiteral("overflow"), s.overflow}, {QStringLiteral("waiting"), s.waiting},
                     {QStringLiteral("mode"), s.mode}};
    return ok({{QStringLiteral("status"), QStringLiteral("ok")},
               {QStringLiteral("database"), m_postgres ? QStringLiteral("postgresql") : QStringLiteral("sqlite")},
               {QStringLiteral("pool"), pool}});
}

HttpResponse DemoApi::metrics() const
{
    const PoolStats s = m_pool.stats();
    QByteArray out;
    auto gauge = [&out](const char *name, const char *help, qint64 value, const char *type = "gauge") {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' + name + ' ' +
               QByteArray::number(value) + '\n';
    };
    gauge("demo_pool_in_use", "Database connections checked out of the pool.", s.in_use);
    gauge("demo_pool_idle", "Open database connections idle in the pool.", s.idle);
    gauge("demo_pool_max", "Most connections the pool hands out at once (size + overflow).", s.max);
    gauge("demo_pool_size", "Configured pool size.", s.size);
    gauge("demo_pool_overflow", "Open connections beyond the pool size.", s.overflow);
    gauge("demo_pool_waiting", "Requests waiting for a connection.", s.waiting);
    if (m_server) {
        gauge("demo_http_in_flight", "Requests being handled or queued for a handler thread.", m_server->inFlight());
        gauge("demo_http_requests_total", "Requests answered by handler threads.", qint64(m_server->requestsServed()),
              "counter");
    }
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = out;
    return r;
}

HttpResponse DemoApi::index() const
{
    QJsonArray endpoints;
    for (const char *e :
         {"GET /health", "GET /metrics", "GET /api/v1/customers?limit=&offset=", "GET /api/v1/customers/{id}",
          "GET /api/v1/customers/{id}/vehicles", "GET /api/v1/customers/{id}/appointments",
          "GET /api/v1/customers/{id}/payments", "GET /api/v1/appointments/{id}",
          "GET /api/v1/appointments/{id}/services", "GET /api/v1/appointments/{id}/payments",
          "GET /api/v1/appointments/{id}/messages", "GET /api/v1/vehicles/{id}", "GET /api/v1/orders?customer={id}",
          "GET /api/v1/search?q=", "GET /api/v1/reports/revenue", "POST /api/items", "GET /api/items/{id}",
          "GET /api/admin/customers/{id}?include=appointmentDetails"})
        endpoints.append(QLatin1String(e));
    return ok(
        {{QStringLiteral("name"), QStringLiteral("preflight-demo-target")}, {QStringLiteral("endpoints"), endpoints}});
}

HttpResponse DemoApi::customers(const QByteArray &query)
{
    bool okLimit = true, okOffset = true;
    const QString limitText = queryValue(query, QStringLiteral("limit"));
    const QString offsetText = queryValue(query, QStringLiteral("offset"));
    const int limit = limitText.isEmpty() ? 20 : limitText.toInt(&okLimit);
    const int offset = offsetText.isEmpty() ? 0 : offsetText.toInt(&okOffset);
    if (!okLimit || !okOffset || limit < 1 || limit > 100 || offset < 0)
        return HttpResponse::error(400, QStringLiteral("limit must be 1..100 and offset >= 0"));
    return withConnection([&](DbConnection &db) {
        const DbResult r = db.exec("SELECT id, name, email, city, company FROM customers ORDER BY id LIMIT ? OFFSET ?",
                                   {QByteArray::number(limit), QByteArray::number(offset)});
        if (!r.ok())
            return dbError(r);
        return ok({{QStringLiteral("items"), toArray(r, {{"id", true}, {"name"}, {"email"}, {"city"}, {"company"}})},
                   {QStringLiteral("limit"), limit},
                   {QStringLiteral("offset"), offset}});
    });
}

HttpResponse DemoApi::customer(qint64 id)
{
    return withConnection([&](DbConnection &db) {
        const DbResult r = db.exec("SELECT c.id, c.name, c.email, c.phone, c.city, c.company, c.created_at, "
                                   "(SELECT count(*) FROM appointments a WHERE a.customer_id = c.id) "
                                   "FROM customers c WHERE c.id = ?",
                                   {QByteArray::number(id)});
        if (!r.ok())
            return dbError(r);
        if (r.rows.empty())
            return notFound(QStringLiteral("customer %1").arg(id));
        return ok(toObject(r.rows[0], {{"id", true},
                                       {"name"},
                                       {"email"},
                                       {"phone"},
                                       {"city"},
                                       {"company"},
                                       {"created_at"},
                                       {"appointment_count", true}}));
    });
}

HttpResponse DemoApi::customerChildren(qint64 id, const QByteArray &what)
{
    return withConnection([&](DbConnection &db) {
        const QByteArray key = QByteArray::number(id);
        DbResult r;
        QJsonArray items;
        if (what == "vehicles") {
            r = db.exec("SELECT id, make, model, year, plate FROM vehicles WHERE customer_id = ? ORDER BY id", {key});
            items = toArray(r, {{"id", true}, {"make"}, {"model"}, {"year", true}, {"plate"}});
        } else if (what == "appointments") {
            r = db.exec("SELECT id, vehicle_id, scheduled_at, status, notes FROM appointments WHERE customer_id = ? "
                        "ORDER BY scheduled_at DESC",
                        {key});
            items = toArray(r, {{"id", true}, {"vehicle_id", true}, {"scheduled_at"}, {"status"}, {"notes"}});
        } else {
            r = db.exec(
                "SELECT p.id, p.appointment_id, p.amount_cents, p.method, p.paid_at FROM payments p "
                "JOIN appointments a ON a.id = p.appointment_id WHERE a.customer_id = ? ORDER BY p.paid_at DESC",
                {key});
            items =
                toArray(r, {{"id", true}, {"appointment_id", true}, {"amount_cents", true}, {"method"}, {"paid_at"}});
        }
        if (!r.ok())
            return dbError(r);
        return ok({{QStringLiteral("customer_id"), id}, {QStringLiteral("items"), items}});
    });
}

HttpResponse DemoApi::appointment(qint64 id)
{
    return withConnection([&](DbConnection &db) {
        const DbResult r =
            db.exec("SELECT a.id, a.customer_id, a.vehicle_id, a.scheduled_at, a.status, a.notes, "
                    "v.make, v.model, v.plate FROM appointments a LEFT JOIN vehicles v ON v.id = a.vehicle_id "
                    "WHERE a.id = ?",
                    {QByteArray::number(id)});
        if (!r.ok())
            return dbError(r);
        if (r.rows.empty())
            return notFound(QStringLiteral("appointment %1").arg(id));
        QJsonObject o = toObject(
            r.rows[0],
            {{"id", true}, {"customer_id", true}, {"vehicle_id", true}, {"scheduled_at"}, {"status"}, {"notes"}});
        o.insert(QStringLiteral("vehicle"), toObject(r.rows[0], {{"make"}, {"model"}, {"plate"}}, 6));
        return ok(o);
    });
}

HttpResponse DemoApi::appointmentChildren(qint64 id, const QByteArray &what)
{
    return withConnection([&](DbConnection &db) {
        const QByteArray key = QByteArray::number(id);
        DbResult r;
        QJsonArray items;
        if (what == "services") {
            r = db.exec("SELECT id, name, price_cents FROM services WHERE appointment_id = ? ORDER BY id", {key});
            items = toArray(r, {{"id", true}, {"name"}, {"price_cents", true}});
        } else if (what == "payments") {
            r = db.exec("SELECT id, amount_cents, method, paid_at FROM payments WHERE appointment_id = ? ORDER BY id",
                        {key});
            items = toArray(r, {{"id", true}, {"amount_cents", true}, {"method"}, {"paid_at"}});
        } else {
            r = db.exec("SELECT id, channel, body, sent_at FROM messages WHERE appointment_id = ? ORDER BY id", {key});
            items = toArray(r, {{"id", true}, {"channel"}, {"body"}, {"sent_at"}});
        }
        if (!r.ok())
            return dbError(r);
        return ok({{QStringLiteral("appointment_id"), id}, {QStringLiteral("items"), items}});
    });
}

HttpResponse DemoApi::vehicle(qint64 id)
{
    return withConnection([&](DbConnection &db) {
        const DbResult r = db.exec("SELECT id, customer_id, make, model, year, plate FROM vehicles WHERE id = ?",
                                   {QByteArray::number(id)});
        if (!r.ok())
            return dbError(r);
        if (r.rows.empty())
            return notFound(QStringLiteral("vehicle %1").arg(id));
        return ok(
            toObject(r.rows[0], {{"id", true}, {"customer_id", true}, {"make"}, {"model"}, {"year", true}, {"plate"}}));
    });
}

HttpResponse DemoApi::orders(const QByteArray &query)
{
    bool valid = false;
    const qint64 customerId = queryValue(query, QStringLiteral("customer")).toLongLong(&valid);
    if (!valid || customerId <= 0)
        return HttpResponse::error(400, QStringLiteral("customer=<id> is required"));
    return withConnection([&](DbConnection &db) {
        // With missing-index this filter scans the whole orders table.
        const DbResult r = db.exec("SELECT id, reference, status, total_cents, created_at FROM orders "
                                   "WHERE customer_id = ? ORDER BY created_at DESC LIMIT 20",
                                   {QByteArray::number(customerId)});
        if (!r.ok())
            return dbError(r);
        return ok({{QStringLiteral("customer_id"), customerId},
                   {QStringLiteral("items"),
                    toArray(r, {{"id", true}, {"reference"}, {"status"}, {"total_cents", true}, {"created_at"}})}});
    });
}

HttpResponse DemoApi::search(const QByteArray &query)
{
    const QString q = queryValue(query, QStringLiteral("q")).trimmed();
    if (q.isEmpty() || q.size() > 100)
        return HttpResponse::error(400, QStringLiteral("q=<text> is required (1..100 characters)"));
    const QByteArray pattern = '%' + q.toLower().toUtf8() + '%';
    return withConnection([&](DbConnection &db) {
        const DbResult r = db.exec("SELECT id, name, email, company, city FROM customers "
                                   "WHERE lower(name) LIKE ? OR lower(company) LIKE ? OR lower(email) LIKE ? "
                                   "ORDER BY id LIMIT 20",
                                   {pattern, pattern, pattern});
        if (!r.ok())
            return dbError(r);
        const QJsonArray items = toArray(r, {{"id", true}, {"name"}, {"email"}, {"company"}, {"city"}});
        return ok(
            {{QStringLiteral("q"), q}, {QStringLiteral("count"), items.size()}, {QStringLiteral("items"), items}});
    });
}

HttpResponse DemoApi::revenue()
{
    return withConnection([&](DbConnection &db) {
        if (m_config.flaws.slow_endpoint)
            sleepMs(m_config.slow_ms); // a slow report: holds its handler thread and its connection
        const DbResult r = db.exec("SELECT substr(paid_at, 1, 7) AS month, count(*), sum(amount_cents) FROM payments "
                                   "GROUP BY substr(paid_at, 1, 7) ORDER BY month");
        if (!r.ok())
            return dbError(r);
        return ok({{QStringLiteral("months"), toArray(r, {{"month"}, {"payments", true}, {"revenue_cents", true}})}});
    });
}

HttpResponse DemoApi::item(qint64 id)
{
    return withConnection([&](DbConnection &db) {
        const DbResult r = db.exec("SELECT id, name, created_at FROM items WHERE id = ?", {QByteArray::number(id)});
        if (!r.ok())
            return dbError(r);
        if (r.rows.empty())
            return notFound(QStringLiteral("item %1").arg(id));
        return ok(toObject(r.rows[0], {{"id", true}, {"name"}, {"created_at"}}));
    });
}

HttpResponse DemoApi::createItem(const HttpRequest &request)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return HttpResponse::error(400, QStringLiteral("body must be a JSON object"));
    const QJsonValue nameValue = doc.object().value(QStringLiteral("name"));
    const QString name = nameValue.toString();
    if (!nameValue.isString() || name.isEmpty() || name.size() > 200)
        return HttpResponse::error(400, QStringLiteral("\"name\" must be a string of 1..200 characters"));

    if (!m_config.flaws.write_contention)
        return withConnection([&](DbConnection &db) { return insertItem(db, name, false); });

    // write-contention: every handler thread is an "app worker" with its own connection and a short busy
    // (SQLite) or lock (PostgreSQL) timeout, as with N gunicorn workers sharing one SQLite file.
    thread_local std::unique_ptr<DbConnection> writer;
    if (!writer || writer->isBroken()) {
        DbTarget target = m_target;
        target.sqlite_busy_timeout_ms = 20;
        // PostgreSQL times out each lock wait separately, and a queue of row-lock waiters advances one
        // holder at a time, so the timeout must be shorter than one holder's 10 ms for waits to fail.
        target.pg_lock_timeout_ms = 5;
        QString error;
        writer = DbConnection::open(target, &error);
        if (!writer)
            return HttpResponse::error(503, error);
        writer->setSqlLog(m_sqlLog);
    }
    return insertItem(*writer, name, true);
}

HttpResponse DemoApi::insertItem(DbConnection &db, const QString &name, bool contended)
{
    const QByteArray now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8();
    DbResult r = db.exec(m_postgres ? "BEGIN" : "BEGIN IMMEDIATE");
    if (!r.ok())
        return dbError(r);
    auto rollback = [&db](const DbResult &failed) {
        db.exec("ROLLBACK");
        return dbError(failed);
    };
    // The counter row is the hot spot every writer touches (FOR UPDATE in PostgreSQL, the file lock in SQLite).
    if (m_postgres) {
        r = db.exec("SELECT value FROM counters WHERE name = 'items' FOR UPDATE");
        if (!r.ok())
            return rollback(r);
    }
    const DbResult inserted =
        db.exec("INSERT INTO items (name, created_at) VALUES (?, ?) RETURNING id", {name.toUtf8(), now});
    if (!inserted.ok())
        return rollback(inserted);
    r = db.exec("UPDATE counters SET value = value + 1 WHERE name = 'items'");
    if (!r.ok())
        return rollback(r);
    if (contended)
        sleepMs(10); // validation and audit work done inside the transaction, holding the write lock
    r = db.exec("COMMIT");
    if (!r.ok())
        return rollback(r);
    return ok({{QStringLiteral("id"), inserted.integer(0, 0)},
               {QStringLiteral("name"), name},
               {QStringLiteral("created_at"), QString::fromUtf8(now)}},
              201);
}

HttpResponse DemoApi::customerProfile(qint64 id, const QByteArray &query)
{
    const bool details = queryValue(query, QStringLiteral("include"))
                             .split(QLatin1Char(','))
                             .contains(QStringLiteral("appointmentDetails"));
    if (!details)
        return customer(id);
    return withConnection(
        [&](DbConnection &db) { return m_config.flaws.n_plus_one ? profileNPlusOne(db, id) : profileJoined(db, id); });
}

HttpResponse DemoApi::profileNPlusOne(DbConnection &db, qint64 id)
{
    // What a lazy-loading ORM does: one query for the customer and its appointments, then for each
    // appointment one query per relationship: 1 + 3N statements.
    const DbResult head = db.exec("SELECT c.id, c.name, c.email, c.phone, c.city, c.company, a.id, a.vehicle_id, "
                                  "a.scheduled_at, a.status, a.notes FROM customers c "
                                  "LEFT JOIN appointments a ON a.customer_id = c.id WHERE c.id = ? ORDER BY a.id",
                                  {QByteArray::number(id)});
    if (!head.ok())
        return dbError(head);
    if (head.rows.empty())
        return notFound(QStringLiteral("customer %1").arg(id));
    QJsonObject customer =
        toObject(head.rows[0], {{"id", true}, {"name"}, {"email"}, {"phone"}, {"city"}, {"company"}});
    QJsonArray appointments;
    for (const auto &row : head.rows) {
        if (row[6].isEmpty())
            continue; // LEFT JOIN row of a customer without appointments
        QJsonObject a = toObject(row, {{"id", true}, {"vehicle_id", true}, {"scheduled_at"}, {"status"}, {"notes"}}, 6);
        const QByteArray key = row[6];
        const DbResult services = db.exec("SELECT id, name, price_cents FROM services WHERE appointment_id = ?", {key});
        const DbResult payments =
            db.exec("SELECT id, amount_cents, method, paid_at FROM payments WHERE appointment_id = ?", {key});
        const DbResult messages =
            db.exec("SELECT id, channel, body, sent_at FROM messages WHERE appointment_id = ?", {key});
        for (const DbResult *r : {&services, &payments, &messages})
            if (!r->ok())
                return dbError(*r);
        a.insert(QStringLiteral("services"), toArray(services, {{"id", true}, {"name"}, {"price_cents", true}}));
        a.insert(QStringLiteral("payments"),
                 toArray(payments, {{"id", true}, {"amount_cents", true}, {"method"}, {"paid_at"}}));
        a.insert(QStringLiteral("messages"), toArray(messages, {{"id", true}, {"channel"}, {"body"}, {"sent_at"}}));
        appointments.append(a);
    }
    customer.insert(QStringLiteral("appointment_count"), appointments.size());
    customer.insert(QStringLiteral("appointments"), appointments);
    return ok(customer);
}

HttpResponse DemoApi::profileJoined(DbConnection &db, qint64 id)
{
    // The fix: one statement. Each branch of the UNION tags its rows; all columns are text so both SQLite and
    // PostgreSQL accept the union. Columns: kind, id, parent, f1..f5.
    const QByteArray key = QByteArray::number(id);
    const DbResult r = db.exec(
        "SELECT 'c' AS kind, c.id, 0 AS parent, c.name AS f1, c.email AS f2, c.phone AS f3, c.city AS f4, c.company AS "
        "f5 "
        "FROM customers c WHERE c.id = ? "
        "UNION ALL SELECT 'a', a.id, a.customer_id, CAST(a.vehicle_id AS TEXT), a.scheduled_at, a.status, a.notes, '' "
        "FROM appointments a WHERE a.customer_id = ? "
        "UNION ALL SELECT 's', s.id, s.appointment_id, s.name, CAST(s.price_cents AS TEXT), '', '', '' "
        "FROM services s JOIN appointments a ON a.id = s.appointment_id WHERE a.customer_id = ? "
        "UNION ALL SELECT 'p', p.id, p.appointment_id, CAST(p.amount_cents AS TEXT), p.method, p.paid_at, '', '' "
        "FROM payments p JOIN appointments a ON a.id = p.appointment_id WHERE a.customer_id = ? "
        "UNION ALL SELECT 'm', m.id, m.appointment_id, m.channel, m.body, m.sent_at, '', '' "
        "FROM messages m JOIN appointments a ON a.id = m.appointment_id WHERE a.customer_id = ? "
        "ORDER BY 1, 2",
        {key, key, key, key, key});
    if (!r.ok())
        return dbError(r);
    QJsonObject customer;
    std::map<qint64, QJsonObject> appointments;
    std::map<qint64, QJsonArray> services, payments, messages;
    for (const auto &row : r.rows) {
        const QByteArray kind = row[0];
        const qint64 parent = row[2].toLongLong();
        if (kind == "c") {
            customer =
                toObject(row, {{"id", true}, {"ignored"}, {"name"}, {"email"}, {"phone"}, {"city"}, {"company"}}, 1);
            customer.remove(QStringLiteral("ignored"));
        } else if (kind == "a") {
            appointments[row[1].toLongLong()] = QJsonObject{{QStringLiteral("id"), row[1].toLongLong()},
                                                            {QStringLiteral("vehicle_id"), row[3].toLongLong()},
                                                            {QStringLiteral("scheduled_at"), QString::fromUtf8(row[4])},
                                                            {QStringLiteral("status"), QString::fromUtf8(row[5])},
                                                            {QStringLiteral("notes"), QString::fromUtf8(row[6])}};
        } else if (kind == "s") {
            services[parent].append(QJsonObject{{QStringLiteral("id"), row[1].toLongLong()},
                                                {QStringLiteral("name"), QString::fromUtf8(row[3])},
                                                {QStringLiteral("price_cents"), row[4].toLongLong()}});
        } else if (kind == "p") {
            payments[parent].append(QJsonObject{{QStringLiteral("id"), row[1].toLongLong()},
                                                {QStringLiteral("amount_cents"), row[3].toLongLong()},
                                                {QStringLiteral("method"), QString::fromUtf8(row[4])},
                                                {QStringLiteral("paid_at"), QString::fromUtf8(row[5])}});
        } else if (kind == "m") {
            messages[parent].append(QJsonObject{{QStringLiteral("id"), row[1].toLongLong()},
                                                {QStringLiteral("channel"), QString::fromUtf8(row[3])},
                                                {QStringLiteral("body"), QString::fromUtf8(row[4])},
                                                {QStringLiteral("sent_at"), QString::fromUtf8(row[5])}});
        }
    }
    if (customer.isEmpty())
        return notFound(QStringLiteral("customer %1").arg(id));
    QJsonArray list;
    for (auto &entry : appointments) {
        QJsonObject a = entry.second;
        a.insert(QStringLiteral("services"), services[entry.first]);
        a.insert(QStringLiteral("payments"), payments[entry.first]);
        a.insert(QStringLiteral("messages"), messages[entry.first]);
        list.append(a);
    }
    customer.insert(QStringLiteral("appointment_count"), list.size());
    customer.insert(QStringLiteral("appointments"), list);
    return ok(customer);
}

} // namespace Demo
