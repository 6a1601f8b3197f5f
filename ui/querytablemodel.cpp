#include "querytablemodel.h"

#include "data/format.h"

#include "diagnosis/querycount.h"

#include <QFont>

#include <algorithm>
#include <map>

namespace Preflight {

namespace {

QString key(const QueryStat &q)
{
    return QString::number(q.endpoint) + QLatin1Char('\n') +
           (q.fingerprint.isEmpty() ? q.text.simplified() : q.fingerprint);
}

} // namespace

QueryTableModel::QueryTableModel(QObject *parent) : QAbstractTableModel(parent) {}

bool QueryTableModel::inPhase(const QueryStat &stat, Phase phase)
{
    if (phase == Phase::Profile)
        return stat.phase == QueryPhase::Profile;
    // "log": a statement log read over the whole run (no endpoint).
    return stat.phase == QueryPhase::Run || (stat.phase == QueryPhase::Log && stat.endpoint < 0);
}

void QueryTableModel::setRun(const RunData &run)
{
    m_queries = run.queries;
    m_plan = run.plan;
    m_findings.clear();
    for (const Finding &f : run.findings)
        if (f.id == QLatin1String("n-plus-one"))
            m_findings.push_back(f);
    // The profiling pass as QueryCount groups it (what the diagnosis counted): endpoints as recorded.
    m_profiled.clear();
    std::vector<int> endpoints;
    for (const QueryStat &q : run.queries)
        if (inPhase(q, Phase::Profile) && std::find(endpoints.begin(), endpoints.end(), q.endpoint) == endpoints.end())
            endpoints.push_back(q.endpoint);
    for (const int endpoint : endpoints)
        for (QueryStat &q : QueryCount::profiledStatements(run, endpoint))
            m_profiled.push_back(std::move(q));
    rebuild();
}

void QueryTableModel::clear()
{
    m_queries.clear();
    m_plan = Plan();
    m_profiled.clear();
    m_findings.clear();
    rebuild();
}

void QueryTableModel::setPhase(Phase phase)
{
    if (phase == m_phase)
        return;
    m_phase = phase;
    rebuild();
}

int QueryTableModel::statementCount(Phase phase) const
{
    if (phase == Phase::Profile)
        return int(m_profiled.size());
    return int(
        std::count_if(m_queries.begin(), m_queries.end(), [phase](const QueryStat &q) { return inPhase(q, phase); }));
}

void QueryTableModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    if (m_phase == Phase::Profile) {
        // QueryCount::profiledStatements: per endpoint as recorded, most repeated first.
        for (const QueryStat &q : m_profiled) {
            const Finding *finding = nullptr;
            const NPlusOne::Role role = NPlusOne::role(q, m_findings, &finding);
            m_rows.push_back({q, role, finding ? finding->title : QString()});
        }
        endResetModel();
        return;
    }
    // Whole run: one row per fingerprint (pg_stat_statements may keep several queryids for one fingerprint, e.g.
    // after a search_path change; their deltas add up), most time first.
    std::map<QString, size_t> index;
    for (const QueryStat &q : m_queries) {
        if (!inPhase(q, m_phase))
            continue;
        const Finding *finding = nullptr;
        const NPlusOne::Role role = NPlusOne::role(q, m_findings, &finding);
        const auto [it, added] = index.emplace(key(q), m_rows.size());
        if (added) {
            m_rows.push_back({q, role, finding ? finding->title : QString()});
            continue;
        }
        Row &r = m_rows[it->second];
        QueryStat &s = r.stat;
        s.calls += q.calls;
        s.requests = std::max(s.requests, q.requests);
        s.calls_per_request = s.requests > 0 ? s.calls / s.requests : 0;
        s.total_ms += q.total_ms;
        s.mean_ms = s.calls > 0 ? s.total_ms / s.calls : 0;
        if (s.rows >= 0 && q.rows >= 0) {
            s.rows += q.rows;
            s.rows_per_call = s.calls > 0 ? s.rows / s.calls : 0;
        }
        if (role == NPlusOne::Role::Child || (role == NPlusOne::Role::Parent && r.role == NPlusOne::Role::None)) {
            r.role = role;
            r.finding_title = finding->title;
        }
    }
    std::stable_sort(m_rows.begin(), m_rows.end(),
                     [](const Row &a, const Row &b) { return a.stat.total_ms > b.stat.total_ms; });
    endResetModel();
}

int QueryTableModel::findRow(const QString &text, int endpoint, const QString &fingerprint) const
{
    const bool byEndpoint = m_phase == Phase::Profile && endpoint >= 0;
    // By fingerprint first: a row's text is one member of its group (apps that inline literals), the fingerprint
    // is the group's.
    for (int pass = fingerprint.isEmpty() ? 1 : 0; pass < 3; ++pass) {
        const QString wanted = pass == 2 ? text.simplified() : text;
        for (size_t i = 0; i < m_rows.size(); ++i) {
            const QueryStat &s = m_rows[i].stat;
            if (byEndpoint && s.endpoint != endpoint)
                continue;
            if (pass == 0 ? s.fingerprint == fingerprint : (pass == 1 ? s.text : s.text.simplified()) == wanted)
                return int(i);
        }
    }
    return -1;
}

int QueryTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int QueryTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant QueryTableModel::rawValue(const Row &row, int column) const
{
    const QueryStat &s = row.stat;
    switch (column) {
    case EndpointColumn: // read from the plan; a whole-run statement belongs to no endpoint
        return inPhase(s, Phase::Profile) ? m_plan.endpointDisplayName(s.endpoint) : QString();
    case QueryColumn:
        return s.text.simplified();
    // Whole-run figures per request are over every request of the run; without a request count there are none.
    case CallsPerRequestColumn:
        return s.requests > 0 ? s.calls_per_request : -1.0;
    case RowsPerCallColumn:
        return s.rows_per_call;
    // A statement log without durations (an application log, a server log without log_min_duration_statement)
    // has no row counts either and reports 0 ms: that is "not measured", not "free".
    case MeanColumn:
        return s.rows < 0 && s.total_ms <= 0 ? -1.0 : s.mean_ms;
    case TotalColumn:
        return s.rows < 0 && s.total_ms <= 0 ? -1.0 : s.total_ms;
    case NPlusOneColumn:
        return int(row.role);
    }
    return {};
}

QVariant QueryTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case SortRole:
        return rawValue(row, column);
    case FullTextRole:
        return row.stat.text;
    case FingerprintRole:
        return row.stat.fingerprint;
    case NPlusOneRole:
        return int(row.role);
    case Qt::DisplayRole:
        switch (column) {
        case CallsPerRequestColumn:
            return Format::amount(rawValue(row, column).toDouble());
        case RowsPerCallColumn:
            return Format::amount(row.stat.rows_per_call);
        case MeanColumn:
        case TotalColumn:
            return Format::milliseconds(rawValue(row, column).toDouble());
        case NPlusOneColumn:
            switch (row.role) {
            case NPlusOne::Role::Child:
                return tr("per row");
            case NPlusOne::Role::Parent:
                return tr("parent");
            case NPlusOne::Role::None:
                return QString();
            }
            return {};
        default:
            return rawValue(row, column);
        }
    case Qt::ToolTipRole:
        if (column == QueryColumn)
            return row.stat.text;
        if (column == NPlusOneColumn && row.role != NPlusOne::Role::None)
            return row.role == NPlusOne::Role::Child
                       ? tr("%1: this statement runs once per row of the parent query").arg(row.finding_title)
                       : tr("%1: the parent query whose rows the per-row statements follow").arg(row.finding_title);
        if (column == CallsPerRequestColumn && m_phase == Phase::Run)
            return tr("Calls over every request of the run, all endpoints together");
        return {};
    case Qt::FontRole:
        if (column == NPlusOneColumn && row.role == NPlusOne::Role::Child) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column >= CallsPerRequestColumn && column <= TotalColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant QueryTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case CallsPerRequestColumn:
            return tr("Calls per request: how often one request runs the statement");
        case RowsPerCallColumn:
            return tr("Rows the statement returns (or changes) per call; – when the source has no row counts");
        case MeanColumn:
            return tr("Mean execution time per call (pg_stat_statements)");
        case TotalColumn:
            return tr("Execution time summed over every call in the span");
        case NPlusOneColumn:
            return tr("What the n-plus-one finding names: the parent query, or a statement run once per row");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case EndpointColumn:
        return tr("Endpoint");
    case QueryColumn:
        return tr("Query");
    case CallsPerRequestColumn:
        return tr("Calls/request");
    case RowsPerCallColumn:
        return tr("Rows/call");
    case MeanColumn:
        return tr("Mean");
    case TotalColumn:
        return tr("Total");
    case NPlusOneColumn:
        return tr("N+1");
    }
    return {};
}

} // namespace Preflight
