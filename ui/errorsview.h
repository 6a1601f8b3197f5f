#pragma once

#include "data/rundata.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;

namespace Preflight {

class ErrorsModel;

// "What the errors said": the run's error signatures (signature, count, endpoints, status, first/last seen,
// normalised message) in a sortable table, and the selected signature's meaning, typical fix and example
// body below it. Meant as a dock of the main window. GUI thread only.
class ErrorsView : public QWidget
{
    Q_OBJECT
public:
    explicit ErrorsView(QWidget *parent = nullptr);

    // Shows a finished (or stored) run; selects the most frequent signature. Summarising is cheap (≤ a few
    // hundred samples), so it runs here.
    void setRun(const Preflight::RunData &run);
    void clear();

    ErrorsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *exampleView() const { return m_example; }

private:
    void showCurrent();

    ErrorsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLabel *m_meaning;
    QPlainTextEdit *m_example;
};

} // namespace Preflight
