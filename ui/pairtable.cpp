#include "pairtable.h"

#include "uiwiring.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Preflight {

PairTable::PairTable(const QStringList &columns, const QString &what, QWidget *parent)
    : QWidget(parent), m_table(new QTableWidget(0, int(columns.size()))), m_add(new QPushButton(tr("Add"))),
      m_remove(new QPushButton(tr("Remove")))
{
    m_table->setHorizontalHeaderLabels(columns);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed);
    m_table->setMinimumHeight(72);
    m_table->setTabKeyNavigation(false); // Tab moves on to the buttons and the next field; arrows move in the table
    m_table->installEventFilter(this);
    UiWiring::name(m_table, tr("%1s").arg(what), tr("Insert adds a %1, Delete removes the selected one").arg(what));
    for (QPushButton *b : {m_add, m_remove}) {
        b->setAutoDefault(true); // Enter on the focused button presses it
        b->setFocusPolicy(Qt::StrongFocus);
    }
    UiWiring::name(m_add, tr("Add %1").arg(what));
    UiWiring::name(m_remove, tr("Remove %1").arg(what));

    connect(m_add, &QPushButton::clicked, this, [this] { addRow(); });
    connect(m_remove, &QPushButton::clicked, this, &PairTable::removeCurrentRow);
    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        if (!m_loading)
            emit edited();
    });

    auto *buttons = new QVBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch();
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    setTabOrder(m_table, m_add);
    setTabOrder(m_add, m_remove);
}

void PairTable::setCheckColumn(int column)
{
    m_checkColumn = column;
    m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
}

void PairTable::setRow(int row, const QStringList &values)
{
    for (int column = 0; column < m_table->columnCount(); ++column) {
        auto *item = new QTableWidgetItem;
        if (column == m_checkColumn) {
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
            item->setCheckState(values.value(column).isEmpty() ? Qt::Unchecked : Qt::Checked);
        } else {
            item->setText(values.value(column));
        }
        m_table->setItem(row, column, item);
    }
}

void PairTable::setRows(const std::vector<QStringList> &rows)
{
    m_loading = true;
    m_table->setRowCount(int(rows.size()));
    for (size_t row = 0; row < rows.size(); ++row)
        setRow(int(row), rows[row]);
    m_loading = false;
}

std::vector<QStringList> PairTable::rows() const
{
    std::vector<QStringList> out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QStringList values;
        for (int column = 0; column < m_table->columnCount(); ++column) {
            const QTableWidgetItem *item = m_table->item(row, column);
            if (column == m_checkColumn)
                values << (item && item->checkState() == Qt::Checked ? QStringLiteral("1") : QString());
            else
                values << (item ? item->text() : QString());
        }
        out.push_back(values);
    }
    return out;
}

void PairTable::setEditable(bool editable)
{
    m_table->setEnabled(editable);
    m_add->setEnabled(editable);
    m_remove->setEnabled(editable);
}

void PairTable::addRow(const QStringList &values)
{
    const int row = m_table->rowCount();
    m_loading = true;
    m_table->insertRow(row);
    setRow(row, values);
    m_loading = false;
    m_table->setCurrentCell(row, 0);
    m_table->setFocus();
    if (values.value(0).isEmpty())
        m_table->editItem(m_table->item(row, 0));
    emit edited();
}

void PairTable::removeCurrentRow()
{
    const int row = m_table->currentRow();
    if (row < 0)
        return;
    m_table->removeRow(row);
    emit edited();
}

bool PairTable::eventFilter(QObject *watched, QEvent *event)
{
    // While a cell is edited its editor has the keys: Delete there deletes text, not the row.
    if (watched == m_table && event->type() == QEvent::KeyPress && m_table->isEnabled()) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Insert) {
            addRow();
            return true;
        }
        if (key == Qt::Key_Delete) {
            removeCurrentRow();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace Preflight
