#include "seeder.h"

#include <QDateTime>
#include <QList>

#include <random>

namespace Demo {

namespace {

QByteArray quoted(const QString &text)
{
    QByteArray s = text.toUtf8();
    s.replace('\'', "''");
    return '\'' + s + '\'';
}

QByteArray num(qint64 n)
{
    return QByteArray::number(n);
}

const char *const kFirstNames[] = {"Ada",   "Ben",  "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro",  "Ines",
                                   "Jonas", "Kira", "Liam",  "Maya",   "Noah",  "Olga",  "Pavel", "Quinn", "Rosa",
                                   "Sami",  "Tara", "Umar",  "Vera",   "Wen",   "Yusuf", "Zoe"};
const char *const kLastNames[] = {"Adler",    "Brooks", "Costa",    "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
                                  "Ito",      "Jensen", "Kowalski", "Larsen", "Moreau",  "Novak",   "Okafor", "Petrov",
                                  "Quintero", "Rossi",  "Schmidt",  "Tanaka", "Ueda",    "Varga",   "Weber",  "Yilmaz"};
const char *const kCompanies[] = {"Acme Engineering", "Northwind Logistics", "Globex Engineering", "Initech Software",
                                  "Umbrella Health",  "Stark Engineering",   "Wayne Freight",      "Hooli Cloud",
                                  "Vandelay Imports", "Soylent Foods",       "Tyrell Robotics",    "Cyberdyne Systems"};
const char *const kCities[] = {"Berlin", "Lisbon", "Oslo", "Lyon", "Turin", "Gdansk", "Porto", "Ghent", "Graz", "Brno"};
const char *const kMakes[][2] = {{"Toyota", "Corolla"}, {"Volkswagen", "Golf"}, {"Ford", "Focus"},
                                 {"Renault", "Clio"},   {"Skoda", "Octavia"},   {"Peugeot", "308"},
                                 {"Volvo", "V60"},      {"Tesla", "Model 3"},   {"BMW", "320d"}};
const char *const kServices[][2] = {{"Oil change", "8900"},           {"Brake pads", "18900"},
                                    {"Tyre rotation", "4900"},        {"Annual inspection", "12900"},
                                    {"Battery replacement", "21900"}, {"Air conditioning service", "9900"},
                                    {"Wheel alignment", "7900"}};
const char *const kStatuses[] = {"completed", "completed", "completed", "scheduled", "cancelled", "no-show"};
const char *const kMethods[] = {"card", "card", "cash", "invoice", "bank-transfer"};
const char *const kChannels[] = {"sms", "email", "push"};
const char *const kBodies[] = {"Your appointment is confirmed.", "Reminder: your appointment is tomorrow.",
                               "Your vehicle is ready for pick-up.", "Thank you for your visit!",
                               "We need your approval for additional work."};

template <typename T, size_t N> constexpr size_t countOf(T (&)[N])
{
    return N;
}

} // namespace

Seeder::Seeder(DbConnection &connection, bool postgres) : m_connection(connection), m_postgres(postgres) {}

bool Seeder::exec(const QByteArray &sql, QString *error)
{
    const DbResult r = m_connection.exec(sql);
    if (!r.ok()) {
        *error = QStringLiteral("seeding failed: %1 (in: %2)").arg(r.message, QString::fromUtf8(sql.left(120)));
        return false;
    }
    return true;
}

bool Seeder::insertRows(const char *table, const char *columns, const QList<QByteArray> &rows, QString *error)
{
    // Multi-row literal INSERTs: one round trip per 500 rows keeps PostgreSQL seeding to about a second.
    for (qsizetype start = 0; start < rows.size(); start += 500) {
        QByteArray sql = QByteArray("INSERT INTO ") + table + " (" + columns + ") VALUES ";
        const qsizetype end = std::min(rows.size(), start + 500);
        for (qsizetype i = start; i < end; ++i) {
            if (i > start)
                sql += ',';
            sql += '(' + rows[i] + ')';
        }
        if (!exec(sql, error))
            return false;
    }
    return true;
}

bool Seeder::run(int customers, int orders, quint32 seed, bool missingIndex, QString *error)
{
    std::mt19937 rng(seed);
    auto pick = [&rng](size_t n) { return size_t(rng() % n); };
    auto between = [&rng](int lo, int hi) { return lo + int(rng() % quint32(hi - lo + 1)); };
    const QDateTime epoch(QDate(2024, 1, 1), QTime(8, 0), Qt::UTC);
    auto stamp = [](const QDateTime &t) { return quoted(t.toString(Qt::ISODate)); };

    const char *drop = m_postgres ? "DROP TABLE IF EXISTS %1 CASCADE" : "DROP TABLE IF EXISTS %1";
    if (!m_postgres && !exec("PRAGMA journal_mode=WAL", error))
        return false;
    if (!exec("BEGIN", error))
        return false;
    for (const char *t :
         {"messages", "payments", "services", "appointments", "vehicles", "orders", "items", "counters", "customers"}) {
        if (!exec(QByteArray(drop).replace("%1", t), error))
            return false;
    }
    const QByteArray itemsId = m_postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY";
    const QList<QByteArray> schema = {
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT, "
        "city TEXT, company TEXT, created_at TEXT NOT NULL)",
        "CREATE TABLE vehicles (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), "
        "make TEXT, model TEXT, year INTEGER, plate TEXT)",
        "CREATE TABLE appointments (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id), "
        "vehicle_id INTEGER REFERENCES vehicles(id), scheduled_at TEXT NOT NULL, status TEXT NOT NULL, notes TEXT)",
        "CREATE TABLE services (id INTEGER PRIMARY KEY, appointment_id INTEGER NOT NULL REFERENCES appointments(id), "
        "name TEXT NOT NULL, price_cents INTEGER NOT NULL)",
        "CREATE TABLE payments (id INTEGER PRIMARY KEY, appointment_id INTEGER NOT NULL REFERENCES appointments(id), "
        "amount_cents INTEGER NOT NULL, method TEXT NOT NULL, paid_at TEXT NOT NULL)",
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, appointment_id INTEGER NOT NULL REFERENCES appointments(id), "
        "channel TEXT NOT NULL, body TEXT NOT NULL, sent_at TEXT NOT NULL)",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, reference TEXT NOT NULL, "
        "status TEXT NOT NULL, total_cents INTEGER NOT NULL, created_at TEXT NOT NULL)",
        "CREATE TABLE items (id " + itemsId + ", name TEXT NOT NULL, created_at TEXT NOT NULL)",
        "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO counters (name, value) VALUES ('items', 0)",
    };
    for (const QByteArray &sql : schema)
        if (!exec(sql, error))
            return false;

    QList<QByteArray> customerRows, vehicleRows, appointmentRows, serviceRows, paymentRows, messageRows;
    qint64 vehicleId = 0, appointmentId = 0, serviceId = 0, paymentId = 0, messageId = 0;
    for (int c = 1; c <= customers; ++c) {
        const QString first = QString::fromLatin1(kFirstNames[pick(countOf(kFirstNames))]);
        const QString last = QString::fromLatin1(kLastNames[pick(countOf(kLastNames))]);
        const QString email = QStringLiteral("%1.%2%3@example.com").arg(first.toLower(), last.toLower()).arg(c);
        customerRows << num(c) + ',' + quoted(first + QLatin1Char(' ') + last) + ',' + quoted(email) + ',' +
                            quoted(QStringLiteral("+49 30 %1").arg(1000000 + int(rng() % 9000000))) + ',' +
                            quoted(QString::fromLatin1(kCities[pick(countOf(kCities))])) + ',' +
                            quoted(QString::fromLatin1(kCompanies[pick(countOf(kCompanies))])) + ',' +
                            stamp(epoch.addDays(-between(30, 900)));
        const qint64 firstVehicle = vehicleId + 1;
        const int vehicles = between(1, 2);
        for (int v = 0; v < vehicles; ++v) {
            const auto &mm = kMakes[pick(countOf(kMakes))];
            vehicleRows << num(++vehicleId) + ',' + num(c) + ',' + quoted(QString::fromLatin1(mm[0])) + ',' +
                               quoted(QString::fromLatin1(mm[1])) + ',' + num(between(2008, 2024)) + ',' +
                               quoted(
                                   QStringLiteral("B-%1 %2").arg(QChar(u'A' + int(pick(26)))).arg(between(100, 9999)));
        }
        const int appointments = between(18, 22);
        for (int a = 0; a < appointments; ++a) {
            const QDateTime when = epoch.addDays(between(-365, 60)).addSecs(3600 * between(0, 9));
            appointmentRows << num(++appointmentId) + ',' + num(c) + ',' +
                                   num(firstVehicle + between(0, vehicles - 1)) + ',' + stamp(when) + ',' +
                                   quoted(QString::fromLatin1(kStatuses[pick(countOf(kStatuses))])) + ',' +
                                   quoted(QStringLiteral("Visit %1 for customer %2").arg(a + 1).arg(c));
            qint64 total = 0;
            const int services = between(1, 3);
            for (int s = 0; s < services; ++s) {
                const auto &svc = kServices[pick(countOf(kServices))];
                total += QByteArray(svc[1]).toLongLong();
                serviceRows << num(++serviceId) + ',' + num(appointmentId) + ',' + quoted(QString::fromLatin1(svc[0])) +
                                   ',' + svc[1];
            }
            paymentRows << num(++paymentId) + ',' + num(appointmentId) + ',' + num(total) + ',' +
                               quoted(QString::fromLatin1(kMethods[pick(countOf(kMethods))])) + ',' +
                               stamp(when.addSecs(7200));
            const int messages = between(1, 2);
            for (int m = 0; m < messages; ++m) {
                messageRows << num(++messageId) + ',' + num(appointmentId) + ',' +
                                   quoted(QString::fromLatin1(kChannels[pick(countOf(kChannels))])) + ',' +
                                   quoted(QString::fromLatin1(kBodies[pick(countOf(kBodies))])) + ',' +
                                   stamp(when.addSecs(-86400 + 600 * m));
            }
        }
    }
    if (!insertRows("customers", "id, name, email, phone, city, company, created_at", customerRows, error) ||
        !insertRows("vehicles", "id, customer_id, make, model, year, plate", vehicleRows, error) ||
        !insertRows("appointments", "id, customer_id, vehicle_id, scheduled_at, status, notes", appointmentRows,
                    error) ||
        !insertRows("services", "id, appointment_id, name, price_cents", serviceRows, error) ||
        !insertRows("payments", "id, appointment_id, amount_cents, method, paid_at", paymentRows, error) ||
        !insertRows("messages", "id, appointment_id, channel, body, sent_at", messageRows, error))
        return false;

    // The big table is generated by the database itself: 200k rows as literals would be slow to send.
    // reference = n*7919 mod 1000003 is a permutation, so references are unique and look random.
    const QByteArray n = num(orders), c = num(customers);
    const QByteArray ordersSql =
        m_postgres
            ? QByteArray("INSERT INTO orders (id, customer_id, reference, status, total_cents, created_at) "
                         "SELECT g, (g % " +
                         c +
                         ") + 1, 'R-' || lpad(((g::bigint * 7919) % 1000003)::text, 7, '0'), "
                         "(ARRAY['paid','shipped','delivered','refunded'])[(g % 4) + 1], 500 + (g * 37) % 50000, "
                         "to_char(date '2023-01-01' + (g % 730), 'YYYY-MM-DD') FROM generate_series(1, " +
                         n + ") AS g")
            : QByteArray(
                  "WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < " + n +
                  ") "
                  "INSERT INTO orders (id, customer_id, reference, status, total_cents, created_at) "
                  "SELECT g, (g % " +
                  c +
                  ") + 1, printf('R-%07d', (g * 7919) % 1000003), "
                  "CASE g % 4 WHEN 0 THEN 'paid' WHEN 1 THEN 'shipped' WHEN 2 THEN 'delivered' ELSE 'refunded' END, "
                  "500 + (g * 37) % 50000, date('2023-01-01', '+' || (g % 730) || ' days') FROM seq");
    if (orders > 0 && !exec(ordersSql, error))
        return false;

    QList<QByteArray> indexes = {
        "CREATE INDEX vehicles_customer_id ON vehicles (customer_id)",
        "CREATE INDEX appointments_customer_id ON appointments (customer_id)",
        "CREATE INDEX services_appointment_id ON services (appointment_id)",
        "CREATE INDEX payments_appointment_id ON payments (appointment_id)",
        "CREATE INDEX messages_appointment_id ON messages (appointment_id)",
        "CREATE UNIQUE INDEX orders_reference ON orders (reference)",
    };
    if (!missingIndex)
        indexes << "CREATE INDEX orders_customer_id_created_at ON orders (customer_id, created_at)";
    for (const QByteArray &sql : indexes)
        if (!exec(sql, error))
            return false;
    if (!exec("COMMIT", error))
        return false;
    return exec("ANALYZE", error);
}

} // namespace Demo
