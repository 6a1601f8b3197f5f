#include "reportwriter.h"

#include "htmlreport.h"

#include <QDir>
#include <QFileInfo>

#include <mutex>

namespace Preflight {

namespace {

std::mutex &rendererMutex()
{
    static std::mutex m;
    return m;
}

ReportWriter::PdfRenderer &renderer()
{
    static ReportWriter::PdfRenderer r;
    return r;
}

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

void ReportWriter::setPdfRenderer(PdfRenderer r)
{
    std::lock_guard<std::mutex> lock(rendererMutex());
    renderer() = std::move(r);
}

bool ReportWriter::hasPdfRenderer()
{
    std::lock_guard<std::mutex> lock(rendererMutex());
    return bool(renderer());
}

bool ReportWriter::check(const QString &path, QString *error)
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
    if (*format == ReportFormatKind::Pdf && !hasPdfRenderer()) {
        setError(error, QStringLiteral("PDF reports need the GUI build of Preflight (Qt Gui); this build writes HTML "
                                       "only: use a .html file name, or rebuild with PREFLIGHT_BUILD_GUI=ON"));
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

bool ReportWriter::write(const ReportDocument &document, const QString &path, ReportPageSize pageSize, QString *error)
{
    if (!check(path, error))
        return false;
    if (*formatOf(path) == ReportFormatKind::Html)
        return HtmlReport::write(document, path, error);
    PdfRenderer r;
    {
        std::lock_guard<std::mutex> lock(rendererMutex());
        r = renderer();
    }
    return r(document, path, pageSize, error);
}

bool writeReport(const RunData &run, const QString &path, const ReportOptions &options, QString *error)
{
    if (!ReportWriter::check(path, error))
        return false;
    const ReportModel model = ReportModel::build(run, options);
    return ReportWriter::write(ReportDocument::compose(model), path, options.page_size, error);
}

} // namespace Preflight
