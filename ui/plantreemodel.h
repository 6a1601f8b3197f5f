#pragma once

#include "data/querystat.h"

#include <QAbstractItemModel>
#include <QPalette>

#include <vector>

namespace Preflight {

// One query's EXPLAIN plan as a tree: a row per plan node, children under their parent. Two kinds of node are
// highlighted (bold, a background tinted from the palette's Base so it reads in light and dark themes, and a
// tooltip saying why): the flagged ones (a Seq Scan with a Filter on a large relation: the missing-index
// evidence) and the costliest step (the largest own cost: total cost minus its children's, so the step where
// the planner expects the work, not the root that sums it).
// Follows docs/architecture.md: Columns enum, SortRole = raw value, DisplayRole through Format. GUI thread only.
class PlanTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Columns {
        NodeTypeColumn,
        RelationColumn,
        IndexColumn,
        FilterColumn,
        EstimatedRowsColumn,
        RelationRowsColumn,
        CostColumn,
        NUM_COLUMNS
    };
    enum Roles {
        SortRole = Qt::UserRole,
        FlaggedRole,     // bool: the node is flagged (Seq Scan on a large relation with a Filter)
        CostliestRole,   // bool: the node with the largest own cost
        HighlightedRole, // bool: either of the two (bold + tinted background)
        OwnCostRole,     // double: total cost minus the children's total cost (≥ 0)
    };

    explicit PlanTreeModel(QObject *parent = nullptr);

    // Shows the plan's tree (copied); an invalid plan shows nothing.
    void setPlan(const QueryPlan &plan);
    void clear();
    bool isEmpty() const { return m_items.empty(); }
    // The palette the highlight backgrounds are tinted from (default: the application's).
    void setPalette(const QPalette &palette);

    const PlanNode *node(const QModelIndex &index) const;
    QModelIndex costliestIndex() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Item
    {
        const PlanNode *node = nullptr;
        int parent = -1;           // item index; -1 for the root
        int row = 0;               // row under the parent
        std::vector<int> children; // item indexes
        double own_cost = 0;
    };

    void addItem(const PlanNode &node, int parent, int row);
    const Item *item(const QModelIndex &index) const;
    QVariant rawValue(const PlanNode &node, int column) const;
    QString whyHighlighted(const Item &item) const;

    PlanNode m_root;           // the tree m_items point into; never changed after setPlan
    std::vector<Item> m_items; // depth first; 0 is the root
    int m_costliest = -1;
    QPalette m_palette;
};

} // namespace Preflight
