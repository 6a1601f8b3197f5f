// libFuzzer harness: the statement-log readers (an application SQL log, PostgreSQL stderr/csvlog/jsonlog).
#include "db/statementlog.h"

#include <cstddef>
#include <cstdint>

using Preflight::StatementLog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    StatementLog::Filter filter;
    filter.database = QStringLiteral("app");
    filter.line_prefix = QStringLiteral("%m [%p] %q%u@%d %a ");
    for (StatementLog::Format format : {StatementLog::Format::AppLog, StatementLog::Format::PostgresStderr,
                                        StatementLog::Format::PostgresCsv, StatementLog::Format::PostgresJson}) {
        const std::vector<StatementLog::Statement> statements = StatementLog::parse(format, text, filter);
        (void)StatementLog::perRequest(statements, -1, 10);
        (void)StatementLog::parse(format, text);
    }
    (void)StatementLog::detect(QStringLiteral("postgresql.log"), text);
    return 0;
}
