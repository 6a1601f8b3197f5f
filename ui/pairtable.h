#pragma once

#include <QStringList>
#include <QWidget>

#include <vector>

QT_BEGIN_NAMESPACE
class QPushButton;
class QTableWidget;
QT_END_NAMESPACE

namespace Preflight {

// A small editable table of rows of text (headers, form fields, path variables) with Add and Remove, usable
// without a mouse: Insert (or Enter on Add) adds a row and starts editing it, Delete removes the current row
// when no cell is being edited. One column may be a check box (its text is "1" when checked, else empty).
class PairTable : public QWidget
{
    Q_OBJECT
public:
    // `what` names one row for the buttons' accessible names ("header" → "Add header").
    PairTable(const QStringList &columns, const QString &what, QWidget *parent = nullptr);

    void setCheckColumn(int column);
    void setRows(const std::vector<QStringList> &rows);
    std::vector<QStringList> rows() const;
    void setEditable(bool editable);

    QTableWidget *table() const { return m_table; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }

public slots:
    // Appends a row (empty cells unless given) and puts the cursor in its first cell.
    void addRow(const QStringList &values = {});
    void removeCurrentRow();

signals:
    // The user added, removed or changed a row (not emitted by setRows()).
    void edited();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setRow(int row, const QStringList &values);

    QTableWidget *m_table;
    QPushButton *m_add;
    QPushButton *m_remove;
    int m_checkColumn = -1;
    bool m_loading = false;
};

} // namespace Preflight
