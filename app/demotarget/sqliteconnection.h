#pragma once

#include "dbconnection.h"

struct sqlite3;

namespace Demo {

// A read-write SQLite connection (the file is in WAL mode, set when the schema is created).
class SqliteConnection final : public DbConnection
{
public:
    ~SqliteConnection() override;
    static std::unique_ptr<DbConnection> open(const QString &path, int busy_timeout_ms, QString *error);
    bool isBroken() const override { return m_db == nullptr; }

protected:
    DbResult execImpl(const QByteArray &sql, const std::vector<QByteArray> &params) override;

private:
    SqliteConnection() = default;
    sqlite3 *m_db = nullptr;
};

} // namespace Demo
