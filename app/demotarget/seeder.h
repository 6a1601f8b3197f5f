#pragma once

#include "dbconnection.h"

#include <QString>

namespace Demo {

// Creates the demo schema and fills it with deterministic data (same seed, same rows). PostgreSQL tables of
// the same names are dropped first: `--db` must name a database the demo owns.
//
// Shape: `customers` customers, each with 1-2 vehicles and 18-22 appointments; each appointment has 1-3
// services, one payment and 1-2 messages; `orders` rows in `orders` (≈ orders/customers per customer).
// Indexes on every foreign key, and on orders(customer_id, created_at) unless `missingIndex`.
class Seeder
{
public:
    Seeder(DbConnection &connection, bool postgres);
    bool run(int customers, int orders, quint32 seed, bool missingIndex, QString *error);

private:
    bool exec(const QByteArray &sql, QString *error);
    bool insertRows(const char *table, const char *columns, const QList<QByteArray> &rows, QString *error);

    DbConnection &m_connection;
    const bool m_postgres;
};

} // namespace Demo
