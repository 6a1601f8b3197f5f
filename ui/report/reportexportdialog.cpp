#include "reportexportdialog.h"

#include "jobtracker.h"
#include "pdfreport.h"
#include "storecall.h"

#include "report/htmlreport.h"
#include "report/reportdocument.h"
#include "report/reportwriter.h"
#include "store/runstore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace Preflight {

namespace {

enum Job { BaselineListJob, BaselineJob, PreviewJob };

struct BaselineList
{
    std::vector<RunListEntry> runs;
    QString error;
};

QString entryLabel(const RunListEntry &e)
{
    QString verdict = e.verdict.isEmpty() ? QStringLiteral("not judged") : e.verdict;
    return QStringLiteral("#%1 \u00b7 %2 \u00b7 %3 \u00b7 %4")
        .arg(e.id)
        .arg(e.name.isEmpty() ? QStringLiteral("(unnamed)") : e.name,
             e.started_at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")), verdict);
}

QString safeFileName(QString name)
{
    name = name.simplified();
    for (QChar &c : name)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_'))
            c = QLatin1Char('-');
    while (name.contains(QStringLiteral("--")))
        name.replace(QStringLiteral("--"), QStringLiteral("-"));
    name = name.left(60);
    return name.isEmpty() ? QStringLiteral("preflight-report") : QStringLiteral("preflight-report-") + name.toLower();
}

} // namespace

ReportExportDialog::ReportExportDialog(const RunData &run, const QString &storePath, QWidget *parent)
    : QDialog(parent), m_run(std::make_shared<const RunData>(run)),
      m_storePath(storePath.isEmpty() ? RunStore::defaultPath() : storePath)
{
    m_jobs = new JobTracker(this);
    setWindowTitle(tr("Export Report"));
    setAccessibleName(tr("Export readiness report"));
    resize(900, 760);

    m_baselineCombo = new QComboBox(this);
    m_baselineCombo->setAccessibleName(tr("Baseline run for before/after"));
    m_baselineCombo->addItem(tr("None (no before/after section)"), QVariant::fromValue<qint64>(-1));
    m_format = new QComboBox(this);
    m_format->setAccessibleName(tr("Report format"));
    m_format->addItem(tr("PDF document (.pdf)"), QStringLiteral("pdf"));
    m_format->addItem(tr("Web page, self-contained (.html)"), QStringLiteral("html"));
    m_pageSize = new QComboBox(this);
    m_pageSize->setAccessibleName(tr("Page size"));
    m_pageSize->addItem(tr("A4"), QStringLiteral("a4"));
    m_pageSize->addItem(tr("US Letter"), QStringLiteral("letter"));
    if (QLocale().measurementSystem() == QLocale::ImperialUSSystem)
        m_pageSize->setCurrentIndex(1);
    m_title = new QLineEdit(this);
    m_title->setAccessibleName(tr("Report title"));
    m_title->setPlaceholderText(
        tr("Readiness report: %1").arg(run.info.name.isEmpty() ? run.plan.name : run.info.name));

    auto *form = new QFormLayout;
    form->addRow(tr("&Title:"), m_title);
    form->addRow(tr("&Baseline:"), m_baselineCombo);
    auto *formatRow = new QHBoxLayout;
    formatRow->addWidget(m_format, 1);
    auto *pageLabel = new QLabel(tr("&Page size:"), this);
    pageLabel->setBuddy(m_pageSize);
    formatRow->addWidget(pageLabel);
    formatRow->addWidget(m_pageSize);
    form->addRow(tr("&Format:"), formatRow);

    m_preview = new QTextBrowser(this);
    m_preview->setAccessibleName(tr("Report preview"));
    m_preview->setOpenLinks(false); // only in-page anchors; nothing leaves the dialog
    connect(m_preview, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.hasFragment())
            m_preview->scrollToAnchor(url.fragment());
    });
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_save = buttons->addButton(tr("&Save…"), QDialogButtonBox::AcceptRole);
    m_save->setDefault(true);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_save, &QPushButton::clicked, this, &ReportExportDialog::save);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_preview, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(m_baselineCombo, &QComboBox::currentIndexChanged, this, &ReportExportDialog::onBaselineChanged);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ReportExportDialog::onFormatChanged);
    connect(m_title, &QLineEdit::editingFinished, this, &ReportExportDialog::refreshPreview);
    onFormatChanged();
    loadBaselines();
    refreshPreview();
}

ReportExportDialog::~ReportExportDialog() = default;

ReportExportDialog *ReportExportDialog::openFor(const RunData &run, const QString &storePath, QWidget *parent)
{
    auto *dialog = new ReportExportDialog(run, storePath, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void ReportExportDialog::loadBaselines()
{
    const QString path = m_storePath;
    if (!QFileInfo::exists(path)) {
        // No store yet: nothing to compare against. Announced on the next turn, like a list that was read.
        QMetaObject::invokeMethod(this, &ReportExportDialog::baselinesLoaded, Qt::QueuedConnection);
        return;
    }
    m_jobs->start(
        BaselineListJob,
        [path, self = m_run->info.id] {
            return StoreCall::run(path, StoreCall::reading(), [self](RunStore &store, StoreError *error) {
                std::vector<RunListEntry> runs = store.listRuns(error);
                runs.erase(
                    std::remove_if(runs.begin(), runs.end(), [self](const RunListEntry &e) { return e.id == self; }),
                    runs.end());
                return runs;
            });
        },
        [this](const StoreOutcome<std::vector<RunListEntry>> &list) {
            for (const RunListEntry &e : list.value)
                m_baselineCombo->addItem(entryLabel(e), QVariant::fromValue<qint64>(e.id));
            if (!list.ok())
                showError(tr("Baselines unavailable: %1").arg(list.error));
            emit baselinesLoaded();
        });
}

std::vector<qint64> ReportExportDialog::baselineIds() const
{
    std::vector<qint64> ids;
    for (int i = 1; i < m_baselineCombo->count(); ++i)
        ids.push_back(m_baselineCombo->itemData(i).toLongLong());
    return ids;
}

void ReportExportDialog::setBaseline(qint64 runId)
{
    const int index = m_baselineCombo->findData(QVariant::fromValue<qint64>(runId));
    m_baselineCombo->setCurrentIndex(index < 0 ? 0 : index);
}

void ReportExportDialog::onBaselineChanged()
{
    const qint64 id = m_baselineCombo->currentData().toLongLong();
    if (id < 0) {
        m_jobs->cancel(BaselineJob);
        m_baseline.reset();
        refreshPreview();
        return;
    }
    m_status->setText(tr("Loading baseline run #%1…").arg(id));
    m_jobs->start(
        BaselineJob,
        [path = m_storePath, id] {
            return StoreCall::run(path, StoreCall::reading(),
                                  [id](RunStore &store, StoreError *error) -> std::shared_ptr<const RunData> {
                                      std::optional<RunData> run = store.loadRun(id, error);
                                      return run ? std::make_shared<const RunData>(std::move(*run)) : nullptr;
                                  });
        },
        [this](const StoreOutcome<std::shared_ptr<const RunData>> &result) {
            if (!result.value) {
                showError(tr("Cannot load the baseline: %1").arg(result.error));
                m_baseline.reset();
            } else {
                m_status->clear();
                m_baseline = result.value;
            }
            refreshPreview();
        });
}

ReportOptions ReportExportDialog::currentOptions() const
{
    ReportOptions options;
    options.title = m_title->text().trimmed();
    options.page_size = reportPageSizeFromId(m_pageSize->currentData().toString()).value_or(ReportPageSize::A4);
    return options;
}

void ReportExportDialog::refreshPreview()
{
    m_save->setEnabled(false);
    ReportOptions options = currentOptions();
    std::shared_ptr<const RunData> run = m_run, baseline = m_baseline;
    m_jobs->start(
        PreviewJob,
        [run, baseline, options]() mutable {
            options.baseline = baseline.get(); // kept alive by the capture
            return std::make_shared<const ReportModel>(ReportModel::build(*run, options));
        },
        [this](const std::shared_ptr<const ReportModel> &model) {
            m_model = model;
            const ReportDocument document = ReportDocument::compose(*model);
            QTextDocument *doc = m_preview->document();
            // Charts as images for Qt's rich text (it does not draw SVG), at twice the size for a sharp preview.
            for (const ReportModel::Chart &c : model->charts) {
                QSvgRenderer renderer(c.drawing.toSvg(true).toUtf8());
                QImage image(QSize(int(c.drawing.width * 2), int(c.drawing.height * 2)),
                             QImage::Format_ARGB32_Premultiplied);
                image.setDevicePixelRatio(2);
                image.fill(Qt::white);
                QPainter painter(&image);
                painter.setRenderHint(QPainter::Antialiasing);
                renderer.render(&painter, QRectF(0, 0, c.drawing.width, c.drawing.height));
                painter.end();
                doc->addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("chart:chart-") + c.id), image);
            }
            const int scroll = m_preview->verticalScrollBar() ? m_preview->verticalScrollBar()->value() : 0;
            m_preview->setHtml(QString::fromUtf8(HtmlReport::render(document, HtmlReport::Charts::ImageResource)));
            if (m_preview->verticalScrollBar())
                m_preview->verticalScrollBar()->setValue(scroll);
            m_save->setEnabled(true);
            emit previewUpdated();
        });
}

void ReportExportDialog::onFormatChanged()
{
    m_pageSize->setEnabled(m_format->currentData().toString() == QLatin1String("pdf"));
}

QString ReportExportDialog::previewText() const
{
    return m_preview->toPlainText();
}

bool ReportExportDialog::exportTo(const QString &path, QString *error)
{
    const ReportOptions options = currentOptions();
    std::shared_ptr<const ReportModel> model = m_model;
    if (!model) {
        ReportOptions withBaseline = options;
        withBaseline.baseline = m_baseline.get();
        model = std::make_shared<const ReportModel>(ReportModel::build(*m_run, withBaseline));
    }
    const ReportDocument document = ReportDocument::compose(*model);
    const std::optional<ReportFormatKind> format = ReportWriter::formatOf(path);
    if (!format) {
        if (error)
            *error = tr("Name the file .html or .pdf");
        return false;
    }
    const bool ok = *format == ReportFormatKind::Pdf ? PdfReport::write(document, path, options.page_size, error)
                                                     : HtmlReport::write(document, path, error);
    if (ok)
        emit reportExported(path);
    return ok;
}

void ReportExportDialog::save()
{
    const bool pdf = m_format->currentData().toString() == QLatin1String("pdf");
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString suggested =
        QDir(dir).filePath(safeFileName(m_run->info.name) + (pdf ? QStringLiteral(".pdf") : QStringLiteral(".html")));
    QString path = QFileDialog::getSaveFileName(this, tr("Save report"), suggested,
                                                pdf ? tr("PDF document (*.pdf)") : tr("Web page (*.html)"));
    if (path.isEmpty())
        return;
    const QString suffix = pdf ? QStringLiteral(".pdf") : QStringLiteral(".html");
    if (!path.endsWith(suffix, Qt::CaseInsensitive))
        path += suffix;
    QString error;
    if (!exportTo(path, &error)) {
        showError(error);
        return;
    }
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Saved to %1").arg(QDir::toNativeSeparators(path)));
}

void ReportExportDialog::showError(const QString &message)
{
    m_status->setStyleSheet(QStringLiteral("color: #b91c1c; font-weight: bold;"));
    m_status->setText(message);
}

} // namespace Preflight
