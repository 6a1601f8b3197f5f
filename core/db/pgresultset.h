#pragma once

#include "dberror.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace Preflight {

// The rows of one statement, copied out of a PGresult so it can outlive the connection and cross threads.
// Values are text as PostgreSQL prints them; SQL NULL is a null QString (isNull() true).
struct PgResultSet
{
    DbError error;
    QStringList columns;
    std::vector<QStringList> rows;

    bool ok() const { return error.ok(); }
    int rowCount() const { return int(rows.size()); }
    int column(const QString &name) const { return int(columns.indexOf(name)); }
    QString value(int row, int col) const { return rows[size_t(row)][col]; }
    QString value(int row, const QString &name) const { return rows[size_t(row)][column(name)]; }
    double number(int row, const QString &name, double fallback = 0) const
    {
        bool ok = false;
        const double v = value(row, name).toDouble(&ok);
        return ok ? v : fallback;
    }
};

} // namespace Preflight
