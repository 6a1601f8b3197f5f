#pragma once

#include <QByteArray>
#include <QString>

#include <cstdio>
#include <mutex>

namespace Demo {

// Appends one line per executed statement, `<request-id>\t<sql text>`, to a file (the `--sql-log` option).
// Thread-safe; every line is flushed so that a reader sees a statement as soon as the response is sent.
// Newlines inside SQL are folded to spaces so one line is always one statement.
class SqlLog
{
public:
    SqlLog() = default;
    ~SqlLog();
    SqlLog(const SqlLog &) = delete;
    SqlLog &operator=(const SqlLog &) = delete;

    bool open(const QString &path, QString *error);
    void write(quint64 request_id, const QByteArray &sql);

    // The id of the HTTP request the calling thread is serving (0: start-up work, not logged).
    static void setCurrentRequestId(quint64 request_id);
    static quint64 currentRequestId();

private:
    std::mutex m_mutex;
    std::FILE *m_file = nullptr;
};

} // namespace Demo
