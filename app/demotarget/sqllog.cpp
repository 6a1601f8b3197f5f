#include "sqllog.h"

#include <QFile>

namespace Demo {

namespace {
thread_local quint64 t_requestId = 0;
}

SqlLog::~SqlLog()
{
    if (m_file)
        std::fclose(m_file);
}

bool SqlLog::open(const QString &path, QString *error)
{
    m_file = std::fopen(QFile::encodeName(path).constData(), "ae");
    if (!m_file) {
        *error = QStringLiteral("cannot open SQL log %1 for appending").arg(path);
        return false;
    }
    return true;
}

void SqlLog::write(quint64 request_id, const QByteArray &sql)
{
    if (!m_file || request_id == 0)
        return;
    QByteArray line = QByteArray::number(request_id) + '\t' + sql;
    line.replace('\n', ' ').replace('\r', ' ');
    line += '\n';
    std::lock_guard<std::mutex> lock(m_mutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), m_file);
    std::fflush(m_file);
}

void SqlLog::setCurrentRequestId(quint64 request_id)
{
    t_requestId = request_id;
}

quint64 SqlLog::currentRequestId()
{
    return t_requestId;
}

} // namespace Demo
