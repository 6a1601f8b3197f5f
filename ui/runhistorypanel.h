#pragma once

#include "run/runcontroller.h"
#include "store/runcomparison.h"

#include <QWidget>

#include <memory>

QT_BEGIN_NAMESPACE
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
QT_END_NAMESPACE

namespace Preflight {

class JobTracker;
class RunListModel;

using RunComparisonPtr = std::shared_ptr<const RunComparison>;

// The run history of one store file: list, open (read-only into the views), rename, delete (confirmed),
// compare two. Every store access runs on a worker thread with its own RunStore (StoreCall through a
// JobTracker); a list, open or comparison superseded by a newer one is dropped. The GUI thread never touches
// SQLite.
class RunHistoryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunHistoryPanel(QWidget *parent = nullptr);
    ~RunHistoryPanel() override;

    QString storePath() const { return m_path; }
    RunListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    // Run ids of the selected rows, in list order (newest first).
    QList<qint64> selectedIds() const;

public slots:
    // Lists the runs of this file (RunStore::defaultPath() when empty); the file is checked (quick_check).
    void setStorePath(const QString &path);
    void refresh();
    void openRun(qint64 id);
    void renameRun(qint64 id, const QString &name);
    void deleteRun(qint64 id);
    // `before` and `after` are run ids; the comparison arrives as comparisonReady().
    void compareRuns(qint64 before, qint64 after);

    // The buttons: act on the selection, asking where needed (new name, delete confirmation).
    void openSelected();
    void renameSelected();
    void deleteSelected();
    void compareSelected();

signals:
    void refreshed(int runs);
    void runOpened(const Preflight::RunDataPtr &run);
    void comparisonReady(const Preflight::RunComparisonPtr &comparison, const QString &beforeName,
                         const QString &afterName);
    void errorOccurred(const QString &message, const QString &fix);

private:
    void updateButtons();
    void reportStoreError(const QString &message);

    QString m_path;
    JobTracker *m_jobs;
    RunListModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QLabel *m_pathLabel;
    QPushButton *m_open;
    QPushButton *m_rename;
    QPushButton *m_delete;
    QPushButton *m_compare;
    QPushButton *m_refresh;
    bool m_checkNextOpen = true;
};

} // namespace Preflight

Q_DECLARE_METATYPE(Preflight::RunComparisonPtr)
