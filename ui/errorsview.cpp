#include "errorsview.h"

#include "errorsmodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Preflight {

ErrorsView::ErrorsView(QWidget *parent)
    : QWidget(parent), m_model(new ErrorsModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this)), m_meaning(new QLabel(this)), m_example(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("errorsView"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ErrorsModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ErrorsModel::CountColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAccessibleName(tr("Error signatures"));

    m_meaning->setWordWrap(true);
    m_meaning->setTextFormat(Qt::PlainText);
    m_meaning->setAccessibleName(tr("Signature meaning and fix"));
    m_example->setReadOnly(true);
    m_example->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_example->setAccessibleName(tr("Example response body"));
    m_example->setPlaceholderText(tr("No failing responses in this run."));

    auto *details = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(m_meaning);
    detailsLayout->addWidget(m_example, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &ErrorsView::showCurrent);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ErrorsView::showCurrent);
}

void ErrorsView::setRun(const RunData &run)
{
    m_model->setRun(run);
    if (m_proxy->rowCount() > 0)
        m_table->setCurrentIndex(m_proxy->index(0, 0));
    m_table->resizeColumnsToContents();
    showCurrent();
}

void ErrorsView::clear()
{
    m_model->setSummaries({});
}

void ErrorsView::showCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_meaning->clear();
        m_example->clear();
        return;
    }
    const int row = m_proxy->mapToSource(current).row();
    const ErrorSignatureSummary &s = m_model->summaries()[size_t(row)];
    QString text = s.meaning.isEmpty() ? tr("%1: not in the signature catalogue.").arg(s.signature)
                                       : tr("%1 — %2").arg(s.signature, s.meaning);
    if (!s.supports.isEmpty())
        text += QLatin1Char('\n') + tr("Backs the finding: %1").arg(s.supports);
    if (!s.fix.isEmpty())
        text += QLatin1Char('\n') + tr("Typical fix: %1").arg(s.fix);
    if (!s.retry_after.isEmpty())
        text += QLatin1Char('\n') + tr("Retry-After: %1").arg(s.retry_after);
    m_meaning->setText(text);
    m_example->setPlainText(s.example);
}

} // namespace Preflight
