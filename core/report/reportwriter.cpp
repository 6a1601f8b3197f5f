#include "reportwriter.h"

#include "htmlreport.h"

#include <QDir>
#include <QFileInfo>

namespace Preflight {

namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

std::optional<ReportFormatKind> ReportWriter::formatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("html") || suffix == QLatin1String("htm"))
        return ReportFormatKind::Html;
    if (suffix == QLatin1String("pdf"))
        return ReportFormatKind::Pdf;
    return std::nullopt;
}

bool ReportWriter::check(const QString &path, QString *error) const
{
    if (path.isEmpty()) {
        setError(error, QStringLiteral("no report file given"));
        return false;
    }
    const std::optional<ReportFormatKind> format = formatOf(path);
    if (!format) {
        setError(error, QStringLiteral("cannot tell the report format of \"%1\": name it .html or .pdf")
                            .arg(QDir::toNativeSeparators(path)));
        return false;
    }
    if (*format == ReportFormatKind::Pdf && !writesPdf()) {
        setError(error, QStringLiteral("PDF reports need Preflight built with PDF support (Qt Gui); this build writes "
                                       "HTML only: use a .html file name, or rebuild with PREFLIGHT_BUILD_PDF=ON"));
        return false;
    }
    const QFileInfo info(path);
    const QFileInfo dir(info.absolutePath());
    if (!dir.exists() || !dir.isDir()) {
        setError(error, QStringLiteral("cannot write %1: the directory %2 does not exist")
                            .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(info.absolutePath())));
        return false;
    }
    if (info.isDir()) {
        setError(error, QStringLiteral("cannot write %1: it is a directory").arg(QDir::toNativeSeparators(path)));
        return false;
    }
    return true;
}

bool ReportWriter::write(const ReportDocument &document, const QString &path, ReportPageSize pageSize,
                         QString *error) const
{
    if (!check(path, error))
        return false;
    if (*formatOf(path) == ReportFormatKind::Html)
        return HtmlReport::write(document, path, error);
    return m_pdf(document, path, pageSize, error);
}

bool ReportWriter::write(const RunData &run, const QString &path, const ReportOptions &options, QString *error) const
{
    if (!check(path, error))
        return false;
    const ReportModel model = ReportModel::build(run, options);
    return write(ReportDocument::compose(model), path, options.page_size, error);
}

} // namespace Preflight
