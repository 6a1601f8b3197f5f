#pragma once

#include "data/rundata.h"
#include "report/reportmodel.h"

#include <QDialog>

#include <memory>
#include <optional>
#include <vector>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;
QT_END_NAMESPACE

namespace Preflight {

class JobTracker;

// File → Export Report: a preview of the readiness report of one run, a baseline picker fed by the run store
// (before/after section), format (HTML or PDF) and page size, and Save. The store is read and the report
// model built off the GUI thread (a JobTracker drops results superseded by a newer choice); the file is
// written on the GUI thread (PDF painting needs it). Errors show inline, never as a modal box.
//
// Hook-up (main window): one action,
//   connect(exportReportAction, &QAction::triggered, this, [this] {
//       if (const RunDataPtr run = m_presenter->shownRun())
//           ReportExportDialog::openFor(*run, m_history->storePath(), this);
//   });
class ReportExportDialog : public QDialog
{
    Q_OBJECT
public:
    // storePath: where baselines are listed from; empty: RunStore::defaultPath().
    explicit ReportExportDialog(const RunData &run, const QString &storePath = QString(), QWidget *parent = nullptr);
    ~ReportExportDialog() override;

    // Opens a non-modal dialog that deletes itself when closed.
    static ReportExportDialog *openFor(const RunData &run, const QString &storePath, QWidget *parent);

    // Writes the report shown in the preview to path (.html or .pdf by extension); false and *error otherwise.
    bool exportTo(const QString &path, QString *error);
    // The preview's current text (for tests).
    QString previewText() const;
    // Ids of the runs offered as baselines, in combo order (for tests).
    std::vector<qint64> baselineIds() const;
    void setBaseline(qint64 runId); // -1: none

signals:
    void previewUpdated();
    void baselinesLoaded();
    void reportExported(const QString &path);

private:
    void loadBaselines();
    void onBaselineChanged();
    void refreshPreview();
    void onFormatChanged();
    void save();
    void showError(const QString &message);
    ReportOptions currentOptions() const;

    std::shared_ptr<const RunData> m_run;
    std::shared_ptr<const RunData> m_baseline;
    QString m_storePath;
    QComboBox *m_baselineCombo = nullptr;
    QComboBox *m_format = nullptr;
    QComboBox *m_pageSize = nullptr;
    QLineEdit *m_title = nullptr;
    QTextBrowser *m_preview = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_save = nullptr;
    std::shared_ptr<const ReportModel> m_model; // what the preview shows and Save writes
    JobTracker *m_jobs = nullptr;
};

} // namespace Preflight
