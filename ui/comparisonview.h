#pragma once

#include "runhistorypanel.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
class QTableView;
QT_END_NAMESPACE

namespace Preflight {

class ComparisonModel;

// Two stored runs side by side: run total, endpoints and levels, each metric "before → after (±%)"
// coloured by verdict (better / worse / unchanged within noise / inconclusive), with a legend.
class ComparisonView : public QWidget
{
    Q_OBJECT
public:
    explicit ComparisonView(QWidget *parent = nullptr);

    ComparisonModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

public slots:
    void setComparison(const Preflight::RunComparisonPtr &comparison, const QString &beforeName,
                       const QString &afterName);

private:
    ComparisonModel *m_model;
    QTableView *m_view;
    QLabel *m_title;
};

} // namespace Preflight
