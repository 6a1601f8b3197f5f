#include "endpointseditor.h"

#include "endpointdetaileditor.h"
#include "jobtracker.h"
#include "plan/endpointimport.h"
#include "uiwiring.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Preflight {

namespace {

enum Job { ImportJob };

QString weightText(double weight)
{
    return QString::number(weight, 'g', 6);
}

} // namespace

EndpointsEditor::~EndpointsEditor() = default;

EndpointsEditor::EndpointsEditor(QWidget *parent)
    : QWidget(parent), m_table(new QTableWidget(0, NUM_COLUMNS)), m_detail(new EndpointDetailEditor),
      m_add(new QPushButton(tr("Add"))), m_remove(new QPushButton(tr("Remove"))), m_up(new QPushButton(tr("Up"))),
      m_down(new QPushButton(tr("Down"))), m_import(new QPushButton(tr("Import…"))), m_importMessage(new QLabel),
      m_jobs(new JobTracker(this))
{
    setObjectName(QStringLiteral("endpointsEditor"));
    m_table->setObjectName(QStringLiteral("endpointsTable"));
    m_table->setHorizontalHeaderLabels({tr("Method"), tr("Path"), tr("Weight")});
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    m_table->setColumnWidth(MethodColumn, 70);
    m_table->setColumnWidth(WeightColumn, 60);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setTabKeyNavigation(false); // Tab leaves the list for the buttons and the details; arrows move in it
    m_table->setMinimumHeight(110);
    m_table->installEventFilter(this);
    UiWiring::name(m_table, tr("Endpoints"),
                   tr("Weights set the mix. Insert adds an endpoint, Delete removes the selected one; its details "
                      "are below"));
    m_add->setObjectName(QStringLiteral("addEndpoint"));
    m_remove->setObjectName(QStringLiteral("removeEndpoint"));
    m_up->setObjectName(QStringLiteral("moveEndpointUp"));
    m_down->setObjectName(QStringLiteral("moveEndpointDown"));
    m_import->setObjectName(QStringLiteral("importEndpoints"));
    UiWiring::name(m_add, tr("Add endpoint"));
    UiWiring::name(m_remove, tr("Remove endpoint"));
    UiWiring::name(m_up, tr("Move endpoint up"));
    UiWiring::name(m_down, tr("Move endpoint down"));
    UiWiring::name(m_import, tr("Import endpoints"),
                   tr("Import endpoints from an OpenAPI 3 JSON document or a HAR capture"));
    for (QPushButton *b : {m_add, m_remove, m_up, m_down, m_import})
        b->setAutoDefault(true); // Enter on the focused button presses it
    m_importMessage->setObjectName(QStringLiteral("importMessage"));
    m_importMessage->setWordWrap(true);
    m_importMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_importMessage->hide();

    connect(m_add, &QPushButton::clicked, this, &EndpointsEditor::addEndpoint);
    connect(m_remove, &QPushButton::clicked, this, &EndpointsEditor::removeEndpoint);
    connect(m_up, &QPushButton::clicked, this, &EndpointsEditor::moveEndpointUp);
    connect(m_down, &QPushButton::clicked, this, &EndpointsEditor::moveEndpointDown);
    connect(m_import, &QPushButton::clicked, this, &EndpointsEditor::importEndpoints);
    connect(m_table, &QTableWidget::cellChanged, this, &EndpointsEditor::onItemChanged);
    connect(m_table, &QTableWidget::currentCellChanged, this, [this] { showCurrent(); });
    connect(m_detail, &EndpointDetailEditor::edited, this, &EndpointsEditor::onDetailEdited);

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_add, m_remove, m_up, m_down})
        buttons->addWidget(b);
    buttons->addStretch();
    buttons->addWidget(m_import);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Endpoints (weights set the mix)")));
    layout->addWidget(m_table, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_importMessage);
    layout->addWidget(m_detail, 3);

    QWidget *chain[] = {m_table, m_add, m_remove, m_up, m_down, m_import, m_detail->firstField()};
    for (size_t i = 1; i < std::size(chain); ++i)
        setTabOrder(chain[i - 1], chain[i]);
}

void EndpointsEditor::setEndpoints(const std::vector<EndpointSpec> &endpoints)
{
    m_loading = true;
    m_table->setRowCount(0);
    m_drafts.clear();
    m_labels.clear();
    m_shown = -1;
    for (const EndpointSpec &e : endpoints)
        appendRow(e);
    m_loading = false;
    showImportMessage({}, false);
    if (m_table->rowCount() > 0)
        m_table->setCurrentCell(0, PathColumn);
    showCurrent();
}

void EndpointsEditor::appendRow(const EndpointSpec &spec)
{
    const bool loading = std::exchange(m_loading, true);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, MethodColumn, new QTableWidgetItem(spec.method));
    m_table->setItem(row, PathColumn, new QTableWidgetItem(spec.path));
    m_table->setItem(row, WeightColumn, new QTableWidgetItem(weightText(spec.weight)));
    m_drafts.push_back(EndpointDraft::from(spec));
    m_labels.push_back(spec.label());
    m_loading = loading;
}

QString EndpointsEditor::rowText(int row, int column) const
{
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

QString EndpointsEditor::labelOf(int row) const
{
    QString method = rowText(row, MethodColumn).toUpper();
    QString path = rowText(row, PathColumn);
    if (method.isEmpty())
        method = QStringLiteral("GET");
    if (!path.isEmpty() && !path.startsWith(QLatin1Char('/')))
        path.prepend(QLatin1Char('/'));
    return method + QLatin1Char(' ') + path;
}

QString EndpointsEditor::applyTo(std::vector<EndpointSpec> *endpoints) const
{
    std::vector<EndpointSpec> out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        EndpointSpec spec;
        const QString problem = m_drafts[size_t(row)].toSpec(rowText(row, MethodColumn), rowText(row, PathColumn),
                                                             rowText(row, WeightColumn), &spec);
        if (!problem.isEmpty())
            return tr("Endpoint %1: %2").arg(row + 1).arg(problem);
        out.push_back(spec);
    }
    *endpoints = out;
    return {};
}

void EndpointsEditor::showCurrent()
{
    if (m_loading)
        return;
    const int row = m_table->currentRow();
    m_shown = row;
    if (row < 0 || size_t(row) >= m_drafts.size()) {
        m_shown = -1;
        m_detail->clear();
        return;
    }
    m_detail->setDraft(m_drafts[size_t(row)], tr("Endpoint %1: %2").arg(row + 1).arg(labelOf(row)));
    checkCurrent();
}

void EndpointsEditor::checkCurrent()
{
    if (m_shown < 0)
        return m_detail->showProblem({});
    EndpointSpec spec;
    m_detail->showProblem(m_drafts[size_t(m_shown)].toSpec(rowText(m_shown, MethodColumn), rowText(m_shown, PathColumn),
                                                           rowText(m_shown, WeightColumn), &spec));
}

void EndpointsEditor::onItemChanged(int row, int column)
{
    if (m_loading || row < 0 || size_t(row) >= m_drafts.size())
        return;
    if (column == MethodColumn || column == PathColumn) {
        const QString label = labelOf(row);
        const QString old = std::exchange(m_labels[size_t(row)], label);
        const QStringList needed = EndpointDraft::pathVariables(rowText(row, PathColumn));
        if (row == m_shown) {
            // The name follows method and path until the user types one; a new {var} gets a row to fill in.
            m_detail->followLabel(old, label);
            m_detail->addMissingVariables(needed);
            m_drafts[size_t(row)] = m_detail->draft();
            m_detail->setDraft(m_drafts[size_t(row)], tr("Endpoint %1: %2").arg(row + 1).arg(label));
        } else {
            EndpointDraft &d = m_drafts[size_t(row)];
            if (d.name.isEmpty() || d.name == old)
                d.name = label;
        }
    }
    checkCurrent();
    emit changed();
}

void EndpointsEditor::onDetailEdited()
{
    if (m_shown < 0)
        return;
    m_drafts[size_t(m_shown)] = m_detail->draft();
    checkCurrent();
    emit changed();
}

void EndpointsEditor::setEnabledForRun(bool editable)
{
    m_editable = editable;
    for (QWidget *w : std::initializer_list<QWidget *>{m_table, m_add, m_remove, m_up, m_down, m_import})
        w->setEnabled(editable);
    m_detail->setEditable(editable);
}

void EndpointsEditor::addEndpoint()
{
    EndpointSpec spec;
    spec.path = QStringLiteral("/");
    spec.name = spec.label();
    appendRow(spec);
    const int row = m_table->rowCount() - 1;
    m_table->setCurrentCell(row, PathColumn);
    m_table->setFocus();
    emit changed();
}

void EndpointsEditor::removeEndpoint()
{
    const int row = m_table->currentRow();
    if (row < 0)
        return;
    m_loading = true;
    m_table->removeRow(row);
    m_drafts.erase(m_drafts.begin() + row);
    m_labels.erase(m_labels.begin() + row);
    m_loading = false;
    if (m_table->rowCount() > 0)
        m_table->setCurrentCell(std::min(row, m_table->rowCount() - 1), m_table->currentColumn());
    showCurrent();
    emit changed();
}

void EndpointsEditor::moveEndpointUp()
{
    moveEndpoint(-1);
}

void EndpointsEditor::moveEndpointDown()
{
    moveEndpoint(+1);
}

void EndpointsEditor::moveEndpoint(int delta)
{
    const int row = m_table->currentRow();
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= m_table->rowCount())
        return;
    m_loading = true;
    for (int column = 0; column < NUM_COLUMNS; ++column) {
        QTableWidgetItem *a = m_table->takeItem(row, column);
        QTableWidgetItem *b = m_table->takeItem(to, column);
        m_table->setItem(row, column, b);
        m_table->setItem(to, column, a);
    }
    std::swap(m_drafts[size_t(row)], m_drafts[size_t(to)]);
    std::swap(m_labels[size_t(row)], m_labels[size_t(to)]);
    m_loading = false;
    m_table->setCurrentCell(to, m_table->currentColumn());
    showCurrent();
    emit changed();
}

bool EndpointsEditor::eventFilter(QObject *watched, QEvent *event)
{
    // While a cell is edited its editor has the keys: Delete there deletes text, not the row.
    if (watched == m_table && event->type() == QEvent::KeyPress && m_editable) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Insert) {
            addEndpoint();
            return true;
        }
        if (key == Qt::Key_Delete) {
            removeEndpoint();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

// --- import ----------------------------------------------------------------------------------------------------

QString EndpointsEditor::importMessage() const
{
    return m_importMessage->isHidden() ? QString() : m_importMessage->text();
}

void EndpointsEditor::importEndpoints()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Import endpoints"), QString(),
                                                      tr("OpenAPI 3 JSON or HAR (*.json *.har);;All files (*)"));
    if (!path.isEmpty())
        importEndpointsFrom(path);
}

void EndpointsEditor::showImportMessage(const QString &text, bool error)
{
    m_importMessage->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
    m_importMessage->setText(text);
    m_importMessage->setVisible(!text.isEmpty());
}

void EndpointsEditor::importEndpointsFrom(const QString &path)
{
    m_import->setEnabled(false);
    m_import->setText(tr("Importing…"));
    const QString fileName = QFileInfo(path).fileName();
    m_jobs->start(
        ImportJob, [path] { return EndpointImport::fromFile(path); },
        [this, fileName](const EndpointImport::Result &result) {
            m_import->setText(tr("Import…"));
            m_import->setEnabled(m_editable);
            if (!result.error.isEmpty() || result.endpoints.empty()) {
                QStringList lines{result.error.isEmpty()
                                      ? tr("%1 has no endpoints to import.").arg(fileName)
                                      : tr("Nothing imported from %1: %2").arg(fileName, result.error)};
                lines += result.warnings;
                showImportMessage(lines.join(QLatin1Char('\n')), true);
                emit importFinished();
                return;
            }
            if (m_table->rowCount() == 0) {
                applyImport(result.endpoints, result.base_url, true, result.warnings);
                return;
            }
            // The one question: the list already has rows.
            auto *box = new QMessageBox(QMessageBox::Question, tr("Import endpoints"),
                                        tr("%1 has %n endpoint(s). Replace the %2 in the list, or append?", nullptr,
                                           int(result.endpoints.size()))
                                            .arg(fileName)
                                            .arg(m_table->rowCount()),
                                        QMessageBox::NoButton, this);
            box->setObjectName(QStringLiteral("importChoice"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            QPushButton *replace = box->addButton(tr("Replace"), QMessageBox::DestructiveRole);
            QPushButton *append = box->addButton(tr("Append"), QMessageBox::AcceptRole);
            QPushButton *cancel = box->addButton(QMessageBox::Cancel);
            replace->setObjectName(QStringLiteral("importReplace"));
            append->setObjectName(QStringLiteral("importAppend"));
            cancel->setObjectName(QStringLiteral("importCancel"));
            box->setDefaultButton(append);
            connect(box, &QMessageBox::buttonClicked, this, [this, replace, append, result](QAbstractButton *clicked) {
                if (clicked == replace || clicked == append)
                    applyImport(result.endpoints, result.base_url, clicked == replace, result.warnings);
                else
                    emit importFinished();
            });
            box->open();
        });
}

void EndpointsEditor::applyImport(const std::vector<EndpointSpec> &endpoints, const QString &baseUrl, bool replace,
                                  const QStringList &warnings)
{
    m_loading = true;
    if (replace) {
        m_table->setRowCount(0);
        m_drafts.clear();
        m_labels.clear();
    }
    for (const EndpointSpec &e : endpoints)
        appendRow(e);
    m_loading = false;
    if (m_table->currentRow() < 0 && m_table->rowCount() > 0)
        m_table->setCurrentCell(0, PathColumn);
    showCurrent();
    const bool filledBaseUrl = !baseUrl.isEmpty() && m_baseUrlSink && m_baseUrlSink(baseUrl);
    QStringList lines{tr("Imported %n endpoint(s)", nullptr, int(endpoints.size())) +
                      (filledBaseUrl ? tr("; base URL set to %1.").arg(baseUrl) : QStringLiteral("."))};
    lines += warnings;
    showImportMessage(lines.join(QLatin1Char('\n')), false);
    emit changed();
    emit importFinished();
}

} // namespace Preflight
