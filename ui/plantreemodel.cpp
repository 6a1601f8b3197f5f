#include "plantreemodel.h"

#include "chartcolors.h"
#include "data/format.h"

#include <QBrush>
#include <QFont>
#include <QGuiApplication>

#include <algorithm>

namespace Preflight {

namespace {

QString relationName(const PlanNode &n)
{
    if (n.relation.isEmpty())
        return {};
    return n.schema.isEmpty() ? n.relation : n.schema + QLatin1Char('.') + n.relation;
}

// accent mixed into the palette's Base: a light tint on a light theme, a dark one on a dark theme, so the
// palette's Text stays readable on it.
QColor tint(const QPalette &palette, const QColor &accent, double share)
{
    const QColor base = palette.color(QPalette::Base);
    auto mix = [share](int b, int a) { return int(b * (1 - share) + a * share + 0.5); };
    return QColor(mix(base.red(), accent.red()), mix(base.green(), accent.green()), mix(base.blue(), accent.blue()));
}

} // namespace

PlanTreeModel::PlanTreeModel(QObject *parent) : QAbstractItemModel(parent), m_palette(QGuiApplication::palette()) {}

void PlanTreeModel::setPlan(const QueryPlan &plan)
{
    beginResetModel();
    m_items.clear();
    m_costliest = -1;
    m_root = plan.valid ? plan.root : PlanNode();
    if (plan.valid) {
        addItem(m_root, -1, 0);
        double best = 0;
        for (size_t i = 0; i < m_items.size(); ++i)
            if (m_items[i].own_cost > best) {
                best = m_items[i].own_cost;
                m_costliest = int(i);
            }
    }
    endResetModel();
}

void PlanTreeModel::clear()
{
    setPlan(QueryPlan());
}

void PlanTreeModel::addItem(const PlanNode &node, int parent, int row)
{
    const int self = int(m_items.size());
    Item item;
    item.node = &node;
    item.parent = parent;
    item.row = row;
    double childCost = 0;
    for (const PlanNode &c : node.children)
        childCost += c.total_cost;
    // A Limit (or a semi join) may stop its child early, so its total can be below the children's: no own cost.
    item.own_cost = std::max(0.0, node.total_cost - childCost);
    m_items.push_back(item);
    for (size_t i = 0; i < node.children.size(); ++i) {
        const int child = int(m_items.size());
        m_items[size_t(self)].children.push_back(child);
        addItem(node.children[i], self, int(i));
    }
}

void PlanTreeModel::setPalette(const QPalette &palette)
{
    m_palette = palette;
    for (size_t i = 0; i < m_items.size(); ++i) {
        const Item &it = m_items[i];
        const QModelIndex first = createIndex(it.row, 0, quintptr(i));
        emit dataChanged(first, first.siblingAtColumn(NUM_COLUMNS - 1), {Qt::BackgroundRole});
    }
}

const PlanTreeModel::Item *PlanTreeModel::item(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() >= m_items.size())
        return nullptr;
    return &m_items[size_t(index.internalId())];
}

const PlanNode *PlanTreeModel::node(const QModelIndex &index) const
{
    const Item *it = item(index);
    return it ? it->node : nullptr;
}

QModelIndex PlanTreeModel::costliestIndex() const
{
    if (m_costliest < 0)
        return {};
    return createIndex(m_items[size_t(m_costliest)].row, 0, quintptr(m_costliest));
}

QModelIndex PlanTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= NUM_COLUMNS)
        return {};
    if (!parent.isValid()) {
        if (row != 0 || m_items.empty())
            return {};
        return createIndex(0, column, quintptr(0));
    }
    if (parent.column() != 0)
        return {};
    const Item *p = item(parent);
    if (!p || size_t(row) >= p->children.size())
        return {};
    return createIndex(row, column, quintptr(p->children[size_t(row)]));
}

QModelIndex PlanTreeModel::parent(const QModelIndex &child) const
{
    const Item *it = item(child);
    if (!it || it->parent < 0)
        return {};
    return createIndex(m_items[size_t(it->parent)].row, 0, quintptr(it->parent));
}

int PlanTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return m_items.empty() ? 0 : 1;
    if (parent.column() != 0)
        return 0;
    const Item *it = item(parent);
    return it ? int(it->children.size()) : 0;
}

int PlanTreeModel::columnCount(const QModelIndex &) const
{
    return NUM_COLUMNS;
}

QVariant PlanTreeModel::rawValue(const PlanNode &n, int column) const
{
    switch (column) {
    case NodeTypeColumn:
        return n.node_type;
    case RelationColumn:
        return relationName(n);
    case IndexColumn:
        return n.index_name;
    case FilterColumn:
        return n.filter;
    case EstimatedRowsColumn:
        return n.plan_rows;
    case RelationRowsColumn:
        return n.relation_rows;
    case CostColumn:
        return n.total_cost;
    }
    return {};
}

QString PlanTreeModel::whyHighlighted(const Item &it) const
{
    const PlanNode &n = *it.node;
    QStringList why;
    if (n.flagged) {
        const QString columns = n.filter_columns.join(QStringLiteral(", "));
        why << (n.relation_rows >= 0
                    ? tr("Flagged: reads all %1 rows of %2 to keep those matching %3; an index on %4 would avoid the "
                         "scan "
                         "(the missing-index finding).")
                          .arg(Format::amount(n.relation_rows), relationName(n), n.filter,
                               columns.isEmpty() ? tr("the filtered columns") : columns)
                    : tr("Flagged: a sequential scan of %1 with the filter %2 (the missing-index finding).")
                          .arg(relationName(n), n.filter));
    }
    if (int(&it - m_items.data()) == m_costliest) {
        const double total = m_items.front().node->total_cost;
        why << tr("Costliest step: %1 of the plan's %2 cost units are spent here (its own cost: total minus its "
                  "children's).")
                   .arg(QString::number(it.own_cost, 'f', 2), QString::number(total, 'f', 2));
    }
    return why.join(QLatin1Char('\n'));
}

QVariant PlanTreeModel::data(const QModelIndex &index, int role) const
{
    const Item *it = item(index);
    if (!it)
        return {};
    const PlanNode &n = *it->node;
    const int column = index.column();
    const bool costliest = int(it - m_items.data()) == m_costliest;
    const bool highlighted = n.flagged || costliest;
    switch (role) {
    case SortRole:
        return rawValue(n, column);
    case FlaggedRole:
        return n.flagged;
    case CostliestRole:
        return costliest;
    case HighlightedRole:
        return highlighted;
    case OwnCostRole:
        return it->own_cost;
    case Qt::DisplayRole:
        switch (column) {
        case EstimatedRowsColumn:
            return Format::amount(n.plan_rows);
        case RelationRowsColumn:
            return Format::amount(n.relation_rows);
        case CostColumn:
            return Format::planCost(n.startup_cost, n.total_cost);
        default:
            return rawValue(n, column);
        }
    case Qt::ToolTipRole:
        if (highlighted)
            return whyHighlighted(*it);
        if (column == FilterColumn && !n.filter.isEmpty())
            return n.filter;
        return {};
    case Qt::FontRole:
        if (highlighted) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::BackgroundRole:
        if (n.flagged)
            return QBrush(tint(m_palette, ChartColors::p99(), 0.3));
        if (costliest)
            return QBrush(tint(m_palette, ChartColors::p95(), 0.3));
        return {};
    case Qt::TextAlignmentRole:
        if (column >= EstimatedRowsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant PlanTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractItemModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case EstimatedRowsColumn:
            return tr("Rows the planner expects the node to return");
        case RelationRowsColumn:
            return tr("Rows in the scanned relation (reltuples, or n_live_tup when never analysed)");
        case CostColumn:
            return tr("Planner cost, startup..total, in the planner's units (children included)");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NodeTypeColumn:
        return tr("Node");
    case RelationColumn:
        return tr("Relation");
    case IndexColumn:
        return tr("Index");
    case FilterColumn:
        return tr("Filter");
    case EstimatedRowsColumn:
        return tr("Est. rows");
    case RelationRowsColumn:
        return tr("Relation rows");
    case CostColumn:
        return tr("Cost");
    }
    return {};
}

} // namespace Preflight
