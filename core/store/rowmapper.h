#pragma once

#include "sqlitestatement.h"

#include "plan/plan.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <type_traits>
#include <utility>
#include <vector>

namespace Preflight {

// What a column may need beyond the value: the stored (scrubbed) plan's JSON, so that free text a secret could
// have reached is scrubbed before it is written (SecretScrubber::text); the run's endpoints as stored
// (run_endpoints), so that a column holding an endpoint's name (query_stats.endpoint) is written from and read
// back into the index the value holds (Plan::endpointName, Plan::endpointIndex).
struct RowContext
{
    QString planJson;
    Plan endpoints; // only `endpoints` is set
};

// How one struct becomes one row of one table and back (internal to the run store). The column list is the
// single place a field is named: INSERT and SELECT statements are generated from it, write and read of a
// field sit side by side, so a new field is one line here (plus its schema step in storeschema.cpp).
//
// Key columns (run_id, idx, ...) are not fields of the struct: the caller binds them first and reads them
// first; the mapper's columns follow. A column without a reader is written only (a denormalised total).
template <typename T> class RowMapper
{
public:
    using Bind = std::function<void(SqliteStatement &, int index, const T &, const RowContext &)>;
    // false: the stored value is unreadable (a corrupt blob); the caller reports which row.
    using Read = std::function<bool(const SqliteStatement &, int column, T &, const RowContext &)>;
    struct Column
    {
        const char *name;
        Bind bind;
        Read read; // empty: written only
    };

    RowMapper(const char *table, std::vector<Column> columns) : m_table(table), m_columns(std::move(columns)) {}

    const char *table() const { return m_table; }

    // "INSERT INTO t (k1, k2, c1, ...) VALUES (?, ?, ?, ...)"; verb "INSERT OR REPLACE" replaces a row with
    // the same key. upsertOn: "ON CONFLICT (upsertOn) DO UPDATE SET" every column (a repeated write updates).
    QByteArray insertSql(std::initializer_list<const char *> keys, const char *verb = "INSERT",
                         const char *upsertOn = nullptr) const
    {
        QByteArray names, marks;
        auto add = [&](const char *name) {
            names += (names.isEmpty() ? "" : ", ") + QByteArray(name);
            marks += marks.isEmpty() ? "?" : ", ?";
        };
        for (const char *k : keys)
            add(k);
        for (const Column &c : m_columns)
            add(c.name);
        QByteArray sql = QByteArray(verb) + " INTO " + m_table + " (" + names + ") VALUES (" + marks + ")";
        if (upsertOn) {
            QByteArray set;
            for (const Column &c : m_columns)
                set += (set.isEmpty() ? "" : ", ") + QByteArray(c.name) + " = excluded." + c.name;
            sql += " ON CONFLICT (" + QByteArray(upsertOn) + ") DO UPDATE SET " + set;
        }
        return sql;
    }

    // "SELECT k1, ..., c1, ... FROM t WHERE where ORDER BY orderBy" over the readable columns.
    QByteArray selectSql(std::initializer_list<const char *> keys, const char *where, const char *orderBy) const
    {
        QByteArray names;
        auto add = [&](const char *name) { names += (names.isEmpty() ? "" : ", ") + QByteArray(name); };
        for (const char *k : keys)
            add(k);
        for (const Column &c : m_columns)
            if (c.read)
                add(c.name);
        QByteArray sql = "SELECT " + names + " FROM " + m_table + " WHERE " + where;
        if (orderBy)
            sql += QByteArray(" ORDER BY ") + orderBy;
        return sql;
    }

    // Binds every column after `keyCount` key parameters the caller bound.
    void bind(SqliteStatement &q, int keyCount, const T &value, const RowContext &context) const
    {
        int index = keyCount + 1;
        for (const Column &c : m_columns)
            c.bind(q, index++, value, context);
    }

    // Reads the readable columns after `keyCount` key columns of a row from selectSql().
    bool read(const SqliteStatement &q, int keyCount, T &value, const RowContext &context) const
    {
        int column = keyCount;
        bool ok = true;
        for (const Column &c : m_columns)
            if (c.read)
                ok = c.read(q, column++, value, context) && ok;
        return ok;
    }

private:
    const char *m_table;
    std::vector<Column> m_columns;
};

namespace Rows {

inline void load(const SqliteStatement &q, int c, QString &v)
{
    v = q.text(c);
}
inline void load(const SqliteStatement &q, int c, double &v)
{
    v = q.real(c);
}
inline void load(const SqliteStatement &q, int c, bool &v)
{
    v = q.int64(c) != 0;
}
inline void load(const SqliteStatement &q, int c, QByteArray &v)
{
    v = q.blob(c);
}
template <typename V>
std::enable_if_t<std::is_integral_v<V> && !std::is_same_v<V, bool>> load(const SqliteStatement &q, int c, V &v)
{
    v = V(q.int64(c));
}

inline void store(SqliteStatement &q, int i, const QByteArray &v)
{
    q.bindBlob(i, v);
}
template <typename V> void store(SqliteStatement &q, int i, const V &v)
{
    q.bind(i, v);
}

// A column that is one member, stored as SQLite stores its type (text, real, integer, blob).
template <typename T, typename V> typename RowMapper<T>::Column field(const char *name, V T::*member)
{
    return {name, [member](SqliteStatement &q, int i, const T &t, const RowContext &) { store(q, i, t.*member); },
            [member](const SqliteStatement &q, int c, T &t, const RowContext &) {
                load(q, c, t.*member);
                return true;
            }};
}

// A column with its own conversion both ways (JSON text, ids of enums, scrubbed text).
template <typename T>
typename RowMapper<T>::Column custom(const char *name, typename RowMapper<T>::Bind bind,
                                     typename RowMapper<T>::Read read = {})
{
    return {name, std::move(bind), std::move(read)};
}

} // namespace Rows

} // namespace Preflight
