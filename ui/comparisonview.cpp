#include "comparisonview.h"

#include "comparisonmodel.h"
#include "uiwiring.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace Preflight {

ComparisonView::ComparisonView(QWidget *parent)
    : QWidget(parent), m_model(new ComparisonModel(this)), m_view(new QTableView), m_title(new QLabel)
{
    setObjectName(QStringLiteral("comparison"));
    setAccessibleName(tr("Run comparison"));
    m_title->setObjectName(QStringLiteral("comparisonTitle"));
    m_title->setWordWrap(true);
    m_title->setText(tr("Select two runs in the run history and press Compare."));
    m_view->setObjectName(QStringLiteral("comparisonView"));
    m_view->setModel(m_model);
    m_view->verticalHeader()->setVisible(false);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->horizontalHeader()->setSectionResizeMode(ComparisonModel::LabelColumn, QHeaderView::Stretch);
    UiWiring::name(m_view, tr("Comparison table"), tr("Before and after per metric, coloured by verdict"));

    auto *legend = new QHBoxLayout;
    legend->addWidget(new QLabel(tr("Verdicts:")));
    for (DeltaVerdict v :
         {DeltaVerdict::Better, DeltaVerdict::Worse, DeltaVerdict::Unchanged, DeltaVerdict::Inconclusive}) {
        auto *label = new QLabel(QStringLiteral("■ %1").arg(ComparisonModel::verdictText(v)));
        label->setStyleSheet(QStringLiteral("color: %1").arg(ComparisonModel::verdictColor(v).name()));
        legend->addWidget(label);
    }
    legend->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_view, 1);
    layout->addLayout(legend);
}

void ComparisonView::setComparison(const RunComparisonPtr &comparison, const QString &beforeName,
                                   const QString &afterName)
{
    if (!comparison)
        return m_model->clear();
    m_title->setText(tr("Before: <b>%1</b> (run %2) &nbsp;→&nbsp; after: <b>%3</b> (run %4)")
                         .arg(beforeName.toHtmlEscaped())
                         .arg(comparison->before_id)
                         .arg(afterName.toHtmlEscaped())
                         .arg(comparison->after_id));
    m_model->setComparison(*comparison);
    m_view->resizeColumnsToContents();
    m_view->horizontalHeader()->setSectionResizeMode(ComparisonModel::LabelColumn, QHeaderView::Stretch);
}

} // namespace Preflight
