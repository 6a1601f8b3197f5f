#include "queryinspector.h"

#include "plantreemodel.h"
#include "uiwiring.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

#include <functional>

namespace Preflight {

namespace {

using Phase = QueryTableModel::Phase;

const QueryPlan *planFor(const RunData &run, const QueryStat &q)
{
    if (!q.fingerprint.isEmpty())
        for (const QueryPlan &p : run.plans)
            if (p.fingerprint == q.fingerprint)
                return &p;
    // A statement log may have no fingerprint; a plan is then known by its text.
    const QString text = q.text.simplified();
    for (const QueryPlan &p : run.plans)
        if (p.text == q.text || p.text.simplified() == text)
            return &p;
    return nullptr;
}

int countNodes(const PlanNode &n, const std::function<bool(const PlanNode &)> &pred)
{
    int c = pred(n) ? 1 : 0;
    for (const PlanNode &child : n.children)
        c += countNodes(child, pred);
    return c;
}

} // namespace

QueryInspector::QueryInspector(QWidget *parent)
    : QWidget(parent), m_model(new QueryTableModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_planModel(new PlanTreeModel(this)), m_phaseCombo(new QComboBox(this)), m_state(new QLabel(this)),
      m_splitter(new QSplitter(Qt::Horizontal, this)), m_table(new QTableView), m_planNote(new QLabel),
      m_planView(new QTreeView)
{
    setObjectName(QStringLiteral("queryInspector"));
    setAccessibleName(tr("Queries"));

    m_phaseCombo->setObjectName(QStringLiteral("queryPhase"));
    m_phaseCombo->addItem(tr("Per endpoint (profiling pass)"), int(Phase::Profile));
    m_phaseCombo->addItem(tr("Whole run"), int(Phase::Run));
    UiWiring::name(
        m_phaseCombo, tr("Statements shown"),
        tr("Per endpoint: each endpoint alone during the profiling pass; whole run: every statement under load"));
    auto *phaseLabel = new QLabel(tr("&Show:"), this);
    phaseLabel->setBuddy(m_phaseCombo);

    m_state->setObjectName(QStringLiteral("queryState"));
    m_state->setWordWrap(true);
    m_state->setTextFormat(Qt::PlainText);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state->setAccessibleName(tr("Query inspector status"));

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(QueryTableModel::SortRole);
    m_table->setObjectName(QStringLiteral("queryTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QueryTableModel::QueryColumn, QHeaderView::Stretch);
    UiWiring::name(
        m_table, tr("Queries"),
        tr("Statements with calls per request, rows per call, mean and total time and the N+1 mark; select one "
           "for its plan"));

    m_planNote->setObjectName(QStringLiteral("planNote"));
    m_planNote->setWordWrap(true);
    m_planNote->setTextFormat(Qt::PlainText);
    m_planNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_planNote->setAccessibleName(tr("Plan status"));
    m_planView->setObjectName(QStringLiteral("planView"));
    m_planView->setModel(m_planModel);
    m_planView->setUniformRowHeights(true);
    m_planView->setAlternatingRowColors(false); // the highlight tints must not fight the alternate base
    m_planView->header()->setStretchLastSection(false);
    m_planView->header()->setSectionResizeMode(PlanTreeModel::FilterColumn, QHeaderView::Stretch);
    UiWiring::name(m_planView, tr("Plan of the selected query"),
                   tr("EXPLAIN plan nodes; flagged scans and the costliest step are bold on a tinted background"));

    auto *planPane = new QWidget;
    auto *planLayout = new QVBoxLayout(planPane);
    planLayout->setContentsMargins(0, 0, 0, 0);
    planLayout->addWidget(m_planNote);
    planLayout->addWidget(m_planView, 1);
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(planPane);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);

    auto *top = new QHBoxLayout;
    top->addWidget(phaseLabel);
    top->addWidget(m_phaseCombo);
    top->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_state);
    layout->addWidget(m_splitter, 1);

    connect(m_phaseCombo, &QComboBox::currentIndexChanged, this,
            [this](int) { setPhase(Phase(m_phaseCombo->currentData().toInt())); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &QueryInspector::showCurrentPlan);
    connect(m_model, &QAbstractItemModel::modelReset, this, &QueryInspector::showCurrentPlan);
    clear();
}

void QueryInspector::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        m_planModel->setPalette(m_planView->palette());
    QWidget::changeEvent(event);
}

void QueryInspector::clear(const QString &message)
{
    m_run.reset();
    m_clearedText = message;
    m_model->clear();
    updateState();
}

void QueryInspector::setRun(const RunDataPtr &run)
{
    if (!run)
        return clear();
    // Keep the statement the user looks at across a re-feed (the diagnosed copy of the same run).
    QString keepText;
    int keepEndpoint = -1;
    const Phase keepPhase = m_model->phase();
    if (const QueryTableModel::Row *row = currentStatement()) {
        keepText = row->stat.text;
        keepEndpoint = row->stat.endpoint;
    }
    const bool sameRun = m_run && m_run->info.id == run->info.id && m_run->info.started_at == run->info.started_at;
    m_run = run;
    m_clearedText.clear();
    m_planModel->setPalette(m_planView->palette());
    m_model->setRun(*run);
    Phase phase = keepPhase;
    if (!sameRun || m_model->statementCount(phase) == 0)
        phase = m_model->statementCount(Phase::Profile) > 0 || m_model->statementCount(Phase::Run) == 0 ? Phase::Profile
                                                                                                        : Phase::Run;
    setPhase(phase);
    const int keep = sameRun && !keepText.isEmpty() ? m_model->findRow(keepText, keepEndpoint) : -1;
    if (keep >= 0)
        selectSourceRow(keep);
    else if (m_proxy->rowCount() > 0)
        m_table->setCurrentIndex(m_proxy->index(0, QueryTableModel::QueryColumn));
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setSectionResizeMode(QueryTableModel::QueryColumn, QHeaderView::Stretch);
    updateState();
}

void QueryInspector::setPhase(Phase phase)
{
    const int comboIndex = m_phaseCombo->findData(int(phase));
    if (m_phaseCombo->currentIndex() != comboIndex) {
        const QSignalBlocker block(m_phaseCombo);
        m_phaseCombo->setCurrentIndex(comboIndex);
    }
    if (m_model->phase() != phase) {
        m_model->setPhase(phase);
        if (m_proxy->rowCount() > 0)
            m_table->setCurrentIndex(m_proxy->index(0, QueryTableModel::QueryColumn));
    }
    // A whole-run statement belongs to no endpoint.
    m_table->setColumnHidden(QueryTableModel::EndpointColumn, phase == Phase::Run);
    updateState();
}

const QueryTableModel::Row *QueryInspector::currentStatement() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return nullptr;
    const int row = m_proxy->mapToSource(current).row();
    return row >= 0 && row < m_model->rowCount() ? &m_model->row(row) : nullptr;
}

void QueryInspector::selectSourceRow(int row)
{
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, QueryTableModel::QueryColumn));
    m_table->setCurrentIndex(index);
    m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

bool QueryInspector::focusQuery(const QString &normalisedText, int endpoint, const QString &fingerprint)
{
    if (!m_run || (normalisedText.isEmpty() && fingerprint.isEmpty()))
        return false;
    struct Attempt
    {
        Phase phase;
        int endpoint;
    };
    std::vector<Attempt> attempts;
    if (endpoint >= 0 && size_t(endpoint) < m_run->plan.endpoints.size())
        attempts.push_back({Phase::Profile, endpoint});
    attempts.push_back({Phase::Run, -1});
    attempts.push_back({Phase::Profile, -1});
    const Phase before = m_model->phase();
    QString keepText;
    int keepEndpoint = -1;
    if (const QueryTableModel::Row *row = currentStatement()) {
        keepText = row->stat.text;
        keepEndpoint = row->stat.endpoint;
    }
    for (const Attempt &a : attempts) {
        if (m_model->statementCount(a.phase) == 0)
            continue;
        setPhase(a.phase);
        const int row = m_model->findRow(normalisedText, a.endpoint, fingerprint);
        if (row >= 0) {
            selectSourceRow(row);
            return true;
        }
    }
    // The attempts may have switched phases (and back), and a switch selects the first row: back to what the user
    // was looking at.
    setPhase(before);
    if (const int row = keepText.isEmpty() ? -1 : m_model->findRow(keepText, keepEndpoint); row >= 0)
        selectSourceRow(row);
    return false;
}

QString QueryInspector::emptyRunText() const
{
    if (!m_run)
        return m_clearedText.isEmpty() ? tr("No run shown yet: start a run, or open one from Run history, to see its "
                                            "queries.")
                                       : m_clearedText;
    const DbCapabilities &db = m_run->database;
    if (db.kind == QLatin1String("none") && m_run->plan.database.conninfo.isEmpty())
        return tr("No database configured: add a connection in the Target panel to see queries");
    if (db.kind == QLatin1String("none"))
        return tr("The database could not be read during this run, so no statements were recorded; see the run's "
                  "warnings, fix the connection in the Target panel and run again.");
    if (db.kind == QLatin1String("postgresql") && db.pg_stat_statements != QLatin1String("ok")) {
        QString warning;
        for (const QString &w : db.warnings)
            if (w.contains(QLatin1String("pg_stat_statements"))) {
                warning = w;
                break;
            }
        if (warning.isEmpty())
            warning = db.warnings.value(0, tr("its state is \"%1\"").arg(db.pg_stat_statements));
        QString text = tr("pg_stat_statements unavailable: %1").arg(warning);
        if (!db.remediation.isEmpty())
            text += QLatin1Char('\n') +
                    tr("To enable it (Preflight never runs these): %1").arg(db.remediation.join(QStringLiteral("  ")));
        return text;
    }
    if (db.kind == QLatin1String("sqlite"))
        return tr("No statements recorded: for a SQLite target the queries come from the application's SQL log; set "
                  "database.log in the plan (docs/database.md, \"Log-based capture\").");
    return tr("No statements were recorded in this run: the profiling pass did not run or the app sent no queries.");
}

void QueryInspector::updateState()
{
    const bool any = m_run && (m_model->statementCount(Phase::Profile) > 0 || m_model->statementCount(Phase::Run) > 0);
    m_splitter->setVisible(any);
    m_phaseCombo->setEnabled(any);
    QString text;
    if (!any)
        text = emptyRunText();
    else if (m_model->rowCount() == 0)
        text = m_model->phase() == Phase::Profile
                   ? tr("No per-endpoint statements in this run: the profiling pass did not run (it needs "
                        "pg_stat_statements "
                        "or a statement log, and profile requests above 0). Choose \"Whole run\".")
                   : tr("No whole-run statements in this run: they come from pg_stat_statements before and after the "
                        "load. "
                        "Choose \"Per endpoint (profiling pass)\".");
    m_state->setText(text);
    m_state->setVisible(!text.isEmpty());
}

QString QueryInspector::stateText() const
{
    return m_state->text();
}

QString QueryInspector::planNote() const
{
    return m_planNote->text();
}

void QueryInspector::showCurrentPlan()
{
    const QueryTableModel::Row *row = currentStatement();
    const QueryPlan *plan = row && m_run ? planFor(*m_run, row->stat) : nullptr;
    if (!row) {
        m_planModel->clear();
        m_planNote->setText(m_model->rowCount() > 0 ? tr("Select a query to see its plan.") : QString());
        return;
    }
    if (!plan) {
        m_planModel->clear();
        m_planNote->setText(tr("No plan captured for this query."));
        return;
    }
    if (!plan->valid) {
        m_planModel->clear();
        m_planNote->setText(tr("No plan: %1").arg(plan->error.isEmpty() ? tr("EXPLAIN gave none") : plan->error));
        return;
    }
    m_planModel->setPlan(*plan);
    m_planView->expandAll();
    for (int c = 0; c < PlanTreeModel::NUM_COLUMNS; ++c)
        if (c != PlanTreeModel::FilterColumn)
            m_planView->resizeColumnToContents(c);
    const int flagged = countNodes(plan->root, [](const PlanNode &n) { return n.flagged; });
    QString note = tr("Plan (EXPLAIN, costs in planner units).");
    if (flagged > 0)
        note += QLatin1Char(' ') + (flagged == 1
                                        ? tr("1 flagged scan: a large table read in full for a filter.")
                                        : tr("%1 flagged scans: large tables read in full for a filter.").arg(flagged));
    const QModelIndex costliest = m_planModel->costliestIndex();
    if (const PlanNode *n = m_planModel->node(costliest)) {
        const QString on =
            n->relation.isEmpty()
                ? QString()
                : tr(" on %1").arg(costliest.siblingAtColumn(PlanTreeModel::RelationColumn).data().toString());
        note += QLatin1Char(' ') + tr("Costliest step: %1%2.").arg(n->node_type, on);
        m_planView->scrollTo(costliest);
    }
    m_planNote->setText(note);
}

} // namespace Preflight
