#pragma once

#include "dbconnection.h"

struct pg_conn;

namespace Demo {

// A PostgreSQL session (one backend) with application_name=preflight-demo-target.
class PgConnection final : public DbConnection
{
public:
    ~PgConnection() override;
    static std::unique_ptr<DbConnection> open(const QString &conninfo, int lock_timeout_ms, QString *error);
    bool isBroken() const override;

protected:
    DbResult execImpl(const QByteArray &sql, const std::vector<QByteArray> &params) override;

private:
    PgConnection() = default;
    pg_conn *m_conn = nullptr;
};

} // namespace Demo
