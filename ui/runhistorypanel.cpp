#include "runhistorypanel.h"

#include "jobtracker.h"
#include "runlistmodel.h"
#include "store/runstore.h"
#include "storecall.h"
#include "uiwiring.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace Preflight {

namespace {

enum Job { ListJob, OpenJob, CompareJob };

} // namespace

RunHistoryPanel::RunHistoryPanel(QWidget *parent)
    : QWidget(parent), m_jobs(new JobTracker(this)), m_model(new RunListModel(this)),
      m_proxy(new QSortFilterProxyModel(this)), m_view(new QTableView), m_pathLabel(new QLabel),
      m_open(new QPushButton(tr("&Open"))), m_rename(new QPushButton(tr("Rena&me…"))),
      m_delete(new QPushButton(tr("&Delete…"))), m_compare(new QPushButton(tr("&Compare"))),
      m_refresh(new QPushButton(tr("Refresh")))
{
    setObjectName(QStringLiteral("runHistory"));
    setAccessibleName(tr("Run history"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunListModel::SortRole);
    m_view->setObjectName(QStringLiteral("runHistoryView"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder);
    m_view->verticalHeader()->setVisible(false);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->horizontalHeader()->setSectionResizeMode(RunListModel::NameColumn, QHeaderView::Stretch);
    UiWiring::name(m_view, tr("Stored runs"), tr("Runs in the store, newest first; select two to compare"));
    m_pathLabel->setObjectName(QStringLiteral("storePath"));
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pathLabel->setWordWrap(true);
    m_open->setObjectName(QStringLiteral("openRun"));
    m_rename->setObjectName(QStringLiteral("renameRun"));
    m_delete->setObjectName(QStringLiteral("deleteRun"));
    m_compare->setObjectName(QStringLiteral("compareRuns"));
    m_refresh->setObjectName(QStringLiteral("refreshRuns"));
    UiWiring::name(m_open, tr("Open run"), tr("Show the selected run in the charts, table and findings"));
    UiWiring::name(m_rename, tr("Rename run"));
    UiWiring::name(m_delete, tr("Delete run"), tr("Delete the selected runs and everything measured in them"));
    UiWiring::name(m_compare, tr("Compare runs"), tr("Compare two selected runs: older before, newer after"));
    UiWiring::name(m_refresh, tr("Refresh run list"));

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_open, m_compare, m_rename, m_delete, m_refresh})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_pathLabel);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);

    connect(m_open, &QPushButton::clicked, this, &RunHistoryPanel::openSelected);
    connect(m_rename, &QPushButton::clicked, this, &RunHistoryPanel::renameSelected);
    connect(m_delete, &QPushButton::clicked, this, &RunHistoryPanel::deleteSelected);
    connect(m_compare, &QPushButton::clicked, this, &RunHistoryPanel::compareSelected);
    connect(m_refresh, &QPushButton::clicked, this, &RunHistoryPanel::refresh);
    connect(m_view, &QTableView::doubleClicked, this, &RunHistoryPanel::openSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunHistoryPanel::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RunHistoryPanel::updateButtons);
    updateButtons();
}

RunHistoryPanel::~RunHistoryPanel() = default;

QList<qint64> RunHistoryPanel::selectedIds() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_view->selectionModel()->selectedRows())
        rows << m_proxy->mapToSource(index).row();
    std::sort(rows.begin(), rows.end());
    QList<qint64> ids;
    for (int row : rows) {
        if (const RunListEntry *e = m_model->entry(row))
            ids << e->id;
    }
    return ids;
}

void RunHistoryPanel::updateButtons()
{
    const int selected = int(m_view->selectionModel()->selectedRows().size());
    m_open->setEnabled(selected == 1);
    m_rename->setEnabled(selected == 1);
    m_delete->setEnabled(selected >= 1);
    m_compare->setEnabled(selected == 2);
}

void RunHistoryPanel::reportStoreError(const QString &message)
{
    emit errorOccurred(message, tr("Open another store with File → Open Store…, or check the file's permissions."));
}

void RunHistoryPanel::setStorePath(const QString &path)
{
    m_path = path.isEmpty() ? RunStore::defaultPath() : path;
    m_pathLabel->setText(tr("Store: %1").arg(QDir::toNativeSeparators(m_path)));
    m_checkNextOpen = true;
    refresh();
}

void RunHistoryPanel::refresh()
{
    if (m_path.isEmpty())
        return setStorePath({});
    const bool check = std::exchange(m_checkNextOpen, false);
    m_jobs->start(
        ListJob,
        [path = m_path, check] {
            return StoreCall::run(path, StoreCall::writing(check),
                                  [](RunStore &store, StoreError *error) { return store.listRuns(error); });
        },
        [this](StoreOutcome<std::vector<RunListEntry>> result) {
            if (!result.ok())
                reportStoreError(result.error);
            m_model->setRuns(std::move(result.value));
            emit refreshed(m_model->rowCount());
        });
}

void RunHistoryPanel::openRun(qint64 id)
{
    m_jobs->start(
        OpenJob,
        [path = m_path, id] {
            return StoreCall::run(path, StoreCall::writing(), [id](RunStore &store, StoreError *error) -> RunDataPtr {
                std::optional<RunData> run = store.loadRun(id, error);
                return run ? std::make_shared<const RunData>(std::move(*run)) : nullptr;
            });
        },
        [this](const StoreOutcome<RunDataPtr> &result) {
            if (!result.value)
                return reportStoreError(result.error);
            emit runOpened(result.value);
        });
}

void RunHistoryPanel::renameRun(qint64 id, const QString &name)
{
    m_jobs->startEach(
        [path = m_path, id, name] {
            return StoreCall::run(path, StoreCall::writing(), [id, name](RunStore &store, StoreError *error) {
                *error = store.renameRun(id, name);
                return true;
            });
        },
        [this](const StoreOutcome<bool> &result) {
            if (!result.ok())
                reportStoreError(result.error);
            refresh();
        });
}

void RunHistoryPanel::deleteRun(qint64 id)
{
    m_jobs->startEach(
        [path = m_path, id] {
            return StoreCall::run(path, StoreCall::writing(), [id](RunStore &store, StoreError *error) {
                *error = store.deleteRun(id);
                return true;
            });
        },
        [this](const StoreOutcome<bool> &result) {
            if (!result.ok())
                reportStoreError(result.error);
            refresh();
        });
}

void RunHistoryPanel::compareRuns(qint64 before, qint64 after)
{
    struct Compared
    {
        RunComparisonPtr comparison;
        QString before;
        QString after;
    };
    m_jobs->start(
        CompareJob,
        [path = m_path, before, after] {
            return StoreCall::run(path, StoreCall::writing(), [before, after](RunStore &store, StoreError *error) {
                Compared result;
                std::optional<RunData> a = store.loadRun(before, error);
                std::optional<RunData> b = a ? store.loadRun(after, error) : std::nullopt;
                if (!a || !b)
                    return result;
                auto comparison = std::make_shared<RunComparison>(RunComparison::compare(*a, *b));
                comparison->before_id = before;
                comparison->after_id = after;
                result.comparison = comparison;
                result.before = a->info.name;
                result.after = b->info.name;
                return result;
            });
        },
        [this](const StoreOutcome<Compared> &result) {
            if (!result.value.comparison)
                return reportStoreError(result.error);
            emit comparisonReady(result.value.comparison, result.value.before, result.value.after);
        });
}

void RunHistoryPanel::openSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() == 1)
        openRun(ids.first());
}

void RunHistoryPanel::renameSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 1)
        return;
    const RunListEntry *e = m_model->entry(m_model->rowOf(ids.first()));
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Rename run"), tr("New name:"), QLineEdit::Normal, e ? e->name : QString(), &ok)
            .trimmed();
    if (ok && !name.isEmpty())
        renameRun(ids.first(), name);
}

void RunHistoryPanel::deleteSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.isEmpty())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Delete runs"),
        ids.size() == 1 ? tr("Delete this run and everything measured in it? This cannot be undone.")
                        : tr("Delete %1 runs and everything measured in them? This cannot be undone.").arg(ids.size()),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    for (qint64 id : ids)
        deleteRun(id);
}

void RunHistoryPanel::compareSelected()
{
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 2)
        return;
    // The list is newest first: the lower row is the older run, "before".
    const RunListEntry *a = m_model->entry(m_model->rowOf(ids[0]));
    const RunListEntry *b = m_model->entry(m_model->rowOf(ids[1]));
    const bool aOlder = a && b && a->started_at < b->started_at;
    compareRuns(aOlder ? ids[0] : ids[1], aOlder ? ids[1] : ids[0]);
}

} // namespace Preflight
