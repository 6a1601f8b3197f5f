#include "jsonsummary.h"

#include "diagnosis/errorsignatures.h"
#include "diagnosis/querycount.h"

#include "plan/secretresolver.h"
#include "store/runjson.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <functional>

#include <cmath>

namespace Preflight {

namespace {

QJsonValue number(double v, int decimals = 3)
{
    if (!std::isfinite(v))
        return QJsonValue();
    const double scale = std::pow(10.0, decimals);
    return std::round(v * scale) / scale;
}

QJsonValue knownOrNull(double v, int decimals = 3)
{
    return v < 0 ? QJsonValue() : number(v, decimals);
}

QJsonObject statusCounts(const EndpointStats &s)
{
    QJsonObject o;
    for (const auto &[status, count] : s.status_counts)
        o.insert(QString::number(status), double(count));
    return o;
}

QJsonObject errorCounts(const EndpointStats &s)
{
    QJsonObject o;
    for (int c = 0; c < kErrorClassCount; ++c)
        if (s.transport_errors[size_t(c)] > 0)
            o.insert(errorClassId(ErrorClass(c)), double(s.transport_errors[size_t(c)]));
    return o;
}

QJsonObject findingObject(const Finding &f)
{
    QJsonArray evidence;
    for (const Evidence &e : f.evidence)
        evidence.append(QJsonObject{{QStringLiteral("metric"), e.metric},
                                    {QStringLiteral("value"), number(e.value)},
                                    {QStringLiteral("unit"), e.unit},
                                    {QStringLiteral("note"), e.note}});
    QJsonObject o{{QStringLiteral("id"), f.id},
                  {QStringLiteral("severity"), severityId(f.severity)},
                  {QStringLiteral("title"), f.title},
                  {QStringLiteral("summary"), f.summary},
                  {QStringLiteral("evidence"), evidence},
                  {QStringLiteral("recommendation"), f.recommendation},
                  {QStringLiteral("confidence"), number(f.confidence, 2)}};
    if (!f.endpoint.isEmpty())
        o.insert(QStringLiteral("endpoint"), f.endpoint);
    if (!f.layer.isEmpty())
        o.insert(QStringLiteral("layer"), f.layer);
    // What the finding points at (endpoint and level indices, relation, columns, statements): CI can act on it
    // without parsing the prose.
    if (!f.refs.isEmpty())
        o.insert(QStringLiteral("refs"), RunJson::findingRefs(f.refs));
    return o;
}

} // namespace

QJsonObject JsonSummary::latencyObject(const LatencyHistogram &h)
{
    return QJsonObject{
        {QStringLiteral("p50"), number(h.percentile_ms(50))},    {QStringLiteral("p90"), number(h.percentile_ms(90))},
        {QStringLiteral("p95"), number(h.percentile_ms(95))},    {QStringLiteral("p99"), number(h.percentile_ms(99))},
        {QStringLiteral("p999"), number(h.percentile_ms(99.9))}, {QStringLiteral("max"), number(h.max_us() / 1000.0)},
        {QStringLiteral("mean"), number(h.mean_us() / 1000.0)}};
}

QJsonObject JsonSummary::build(const RunData &run, const std::vector<LevelSummary> &levels,
                               const CapacityModel *capacity)
{
    const double duration_s = run.info.duration_s;
    auto rate = [duration_s](uint64_t n) { return duration_s > 0 ? number(double(n) / duration_s, 2) : QJsonValue(0); };

    const EndpointStats total = run.total();
    QJsonObject totals{{QStringLiteral("requests"), double(total.requests)},
                       {QStringLiteral("ok"), double(total.ok)},
                       {QStringLiteral("errors"), double(total.errors())},
                       {QStringLiteral("error_rate"), number(total.errorRate(), 5)},
                       {QStringLiteral("timeouts"), double(total.timeouts())},
                       {QStringLiteral("rps"), rate(total.requests)},
                       {QStringLiteral("latency_ms"), latencyObject(total.latency)},
                       {QStringLiteral("latency_uncorrected_ms"), latencyObject(total.latency_uncorrected)}};
    uint64_t dropped = 0;
    for (const IntervalSnapshot &i : run.intervals)
        dropped += i.dropped;
    totals.insert(QStringLiteral("dropped"), double(dropped));

    QJsonArray endpoints;
    const auto perEndpoint = run.endpointTotals();
    for (size_t i = 0; i < perEndpoint.size() && i < run.plan.endpoints.size(); ++i) {
        const EndpointSpec &spec = run.plan.endpoints[i];
        const EndpointStats &s = perEndpoint[i];
        const double qpr = QueryCount::perRequest(run, int(i));
        endpoints.append(
            QJsonObject{{QStringLiteral("name"), spec.name},
                        {QStringLiteral("method"), spec.method},
                        {QStringLiteral("path"), spec.path},
                        {QStringLiteral("requests"), double(s.requests)},
                        {QStringLiteral("error_rate"), number(s.errorRate(), 5)},
                        {QStringLiteral("rps"), rate(s.requests)},
                        {QStringLiteral("latency_ms"), latencyObject(s.latency)},
                        {QStringLiteral("status_counts"), statusCounts(s)},
                        {QStringLiteral("error_counts"), errorCounts(s)},
                        {QStringLiteral("queries_per_request"), qpr < 0 ? QJsonValue() : number(qpr, 2)},
                        {QStringLiteral("protocol"), s.protocol().isEmpty() ? QJsonValue() : QJsonValue(s.protocol())},
                        {QStringLiteral("connections_opened"), double(s.connections_opened)}});
    }

    // Only PostgreSQL has backends; an embedded SQLite file reports none, which is "unknown", not 0.
    const bool hasBackends = run.database.kind == QLatin1String("postgresql");
    QJsonArray levelArray;
    for (const LevelSummary &l : levels) {
        QJsonObject o{
            {QStringLiteral("label"), l.label},
            {QStringLiteral("duration_s"), number(l.duration_s, 2)},
            {QStringLiteral("requests"), double(l.requests)},
            {QStringLiteral("rps"), number(l.rps, 2)},
            {QStringLiteral("error_rate"), number(l.error_rate, 5)},
            {QStringLiteral("timeouts"), double(l.timeouts)},
            {QStringLiteral("never_sent"), double(l.never_sent)},
            {QStringLiteral("queued_max"), l.queued_max},
            {QStringLiteral("latency_ms"), QJsonObject{{QStringLiteral("p50"), number(l.p50_ms)},
                                                       {QStringLiteral("p90"), number(l.p90_ms)},
                                                       {QStringLiteral("p95"), number(l.p95_ms)},
                                                       {QStringLiteral("p99"), number(l.p99_ms)},
                                                       {QStringLiteral("p999"), number(l.p999_ms)},
                                                       {QStringLiteral("max"), number(l.max_ms)},
                                                       {QStringLiteral("mean"), number(l.mean_ms)}}},
            {QStringLiteral("db_active_max"),
             l.db_active_max < 0 || !hasBackends ? QJsonValue() : QJsonValue(l.db_active_max)},
            {QStringLiteral("db_backends_max"),
             l.db_backends_max < 0 || !hasBackends ? QJsonValue() : QJsonValue(l.db_backends_max)},
            {QStringLiteral("pool_in_use_max"), l.pool_in_use_max < 0 ? QJsonValue() : QJsonValue(l.pool_in_use_max)},
            {QStringLiteral("queries_per_request"), knownOrNull(l.queries_per_request, 2)},
            {QStringLiteral("effective_parallelism"), knownOrNull(l.effective_parallelism, 2)}};
        o.insert(l.open_model ? QStringLiteral("rate") : QStringLiteral("users"), number(l.load(), 2));
        levelArray.append(o);
    }

    QJsonValue capacityValue;
    if (capacity) {
        QJsonValue usl;
        if (capacity->usl.valid)
            usl = QJsonObject{{QStringLiteral("sigma"), number(capacity->usl.sigma, 5)},
                              {QStringLiteral("kappa"), number(capacity->usl.kappa, 6)},
                              {QStringLiteral("peak_users"), knownOrNull(capacity->usl.peak_users, 1)},
                              {QStringLiteral("peak_rps"), knownOrNull(capacity->usl.peak_rps, 1)},
                              {QStringLiteral("r2"), number(capacity->usl.r2, 4)}};
        QJsonObject c{
            {QStringLiteral("service_time_ms"), knownOrNull(capacity->service_time_ms)},
            {QStringLiteral("effective_parallelism_max"), knownOrNull(capacity->effective_parallelism_max, 2)},
            {QStringLiteral("usl"), usl},
            {QStringLiteral("supported_load"), knownOrNull(capacity->supported_load, 1)}};
        if (!capacity->usl.valid)
            c.insert(QStringLiteral("usl_reason"), capacity->usl.reason);
        if (capacity->plateau_reached)
            c.insert(QStringLiteral("plateau"),
                     QJsonObject{{QStringLiteral("load"), number(capacity->plateau_load, 1)},
                                 {QStringLiteral("parallelism"), number(capacity->plateau_value, 2)}});
        capacityValue = c;
    }

    const DbCapabilities &db = run.database;
    int peakBackends = -1, peakActive = -1, newBackends = 0;
    for (const DbSample &s : hasBackends ? run.db_samples : std::vector<DbSample>{}) {
        peakBackends = std::max(peakBackends, s.backends);
        peakActive = std::max(peakActive, s.active);
        newBackends += s.new_backends;
    }
    QJsonObject database{
        {QStringLiteral("kind"), db.kind},
        {QStringLiteral("server_version"), db.server_version.isEmpty() ? QJsonValue() : QJsonValue(db.server_version)},
        {QStringLiteral("max_connections"), db.max_connections < 0 ? QJsonValue() : QJsonValue(db.max_connections)},
        {QStringLiteral("peak_backends"), peakBackends < 0 ? QJsonValue() : QJsonValue(peakBackends)},
        {QStringLiteral("peak_active"), peakActive < 0 ? QJsonValue() : QJsonValue(peakActive)},
        {QStringLiteral("new_backends_per_request"), !hasBackends || run.db_samples.empty() || total.requests == 0
                                                         ? QJsonValue()
                                                         : number(double(newBackends) / double(total.requests), 3)},
        {QStringLiteral("pg_stat_statements"), db.pg_stat_statements},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(db.warnings)},
        // The exact lines a DBA runs to enable what was missing (never run by Preflight).
        {QStringLiteral("remediation"), QJsonArray::fromStringList(db.remediation)}};

    QJsonArray queries;
    for (const QueryStat &q : run.queries) {
        QJsonValue plan;
        for (const QueryPlan &p : run.plans) {
            if (p.fingerprint != q.fingerprint || !p.valid)
                continue;
            QJsonArray seqScans;
            std::function<void(const PlanNode &)> walk = [&](const PlanNode &n) {
                if (n.flagged)
                    seqScans.append(
                        QJsonObject{{QStringLiteral("relation"), n.relation},
                                    {QStringLiteral("filter"), n.filter},
                                    {QStringLiteral("columns"), QJsonArray::fromStringList(n.filter_columns)},
                                    {QStringLiteral("rows"), number(n.relation_rows, 0)}});
                for (const PlanNode &c : n.children)
                    walk(c);
            };
            walk(p.root);
            const QString summary = p.root.relation.isEmpty()
                                        ? p.root.node_type
                                        : p.root.node_type + QStringLiteral(" on ") + p.root.relation;
            plan = QJsonObject{{QStringLiteral("summary"), summary}, {QStringLiteral("seq_scans"), seqScans}};
            break;
        }
        // The endpoint by name (DESIGN.md §6); null for the whole run and for an endpoint the plan does not hold.
        const QString endpoint = run.plan.endpointName(q.endpoint);
        queries.append(
            QJsonObject{{QStringLiteral("fingerprint"), q.fingerprint},
                        {QStringLiteral("text"), q.text},
                        {QStringLiteral("endpoint"), endpoint.isEmpty() ? QJsonValue() : QJsonValue(endpoint)},
                        {QStringLiteral("phase"), queryPhaseId(q.phase)},
                        {QStringLiteral("calls"), number(q.calls, 0)},
                        {QStringLiteral("calls_per_request"), number(q.calls_per_request, 2)},
                        {QStringLiteral("rows_per_call"), number(q.rows_per_call, 2)},
                        {QStringLiteral("mean_ms"), number(q.mean_ms)},
                        {QStringLiteral("total_ms"), number(q.total_ms)},
                        {QStringLiteral("plan"), plan}});
    }

    QJsonValue gates;
    if (!run.gates.empty()) {
        QJsonArray checks;
        bool pass = true;
        for (const GateCheck &g : run.gates) {
            pass = pass && g.pass;
            checks.append(QJsonObject{{QStringLiteral("id"), g.id},
                                      {QStringLiteral("label"), g.label},
                                      {QStringLiteral("threshold"), number(g.threshold, 5)},
                                      {QStringLiteral("value"), g.measured ? number(g.value, 5) : QJsonValue()},
                                      {QStringLiteral("pass"), g.pass}});
        }
        gates = QJsonObject{{QStringLiteral("preset"), run.gate_preset},
                            {QStringLiteral("pass"), pass},
                            {QStringLiteral("checks"), checks}};
    }

    QJsonArray findings;
    for (const Finding &f : run.findings)
        findings.append(findingObject(f));

    // What the errors said: one entry per signature (catalogue id or "unrecognised") and normalised message.
    QJsonArray errors;
    for (const ErrorSignatureSummary &e : summarizeErrors(run)) {
        QJsonArray statuses;
        for (int status : e.statuses)
            statuses.append(status);
        errors.append(
            QJsonObject{{QStringLiteral("signature"), e.signature},
                        {QStringLiteral("message"), e.normalized},
                        {QStringLiteral("count"), double(e.count)},
                        {QStringLiteral("endpoints"), QJsonArray::fromStringList(e.endpoints)},
                        {QStringLiteral("example"), e.example.left(300)},
                        {QStringLiteral("supports"), e.supports.isEmpty() ? QJsonValue() : QJsonValue(e.supports)},
                        {QStringLiteral("first_seen_s"), number(e.first_seen_s, 2)},
                        {QStringLiteral("last_seen_s"), number(e.last_seen_s, 2)},
                        {QStringLiteral("status"), statuses}});
    }

    QJsonObject runObject{
        {QStringLiteral("id"), run.info.id < 0 ? QJsonValue() : QJsonValue(double(run.info.id))},
        {QStringLiteral("name"), run.info.name},
        {QStringLiteral("started_at"), run.info.started_at.toString(Qt::ISODateWithMs)},
        {QStringLiteral("duration_s"), number(duration_s, 2)},
        {QStringLiteral("status"), runStatusId(run.info.status)},
        {QStringLiteral("status_reason"),
         run.info.status_reason.isEmpty() ? QJsonValue() : QJsonValue(run.info.status_reason)},
        {QStringLiteral("target"), SecretResolver::redactUrl(run.info.target)},
        {QStringLiteral("scenario"), run.info.scenario},
        {QStringLiteral("workers"), run.info.workers},
        {QStringLiteral("engine"), run.info.engine.isEmpty() ? QJsonValue() : QJsonValue(run.info.engine)},
        {QStringLiteral("tls_insecure"), run.info.tls_insecure},
        {QStringLiteral("http_version"), run.plan.target.http_version == HttpVersion::Default
                                             ? QJsonValue()
                                             : QJsonValue(httpVersionName(run.plan.target.http_version))},
        {QStringLiteral("multiplex"), run.plan.target.multiplex}};

    return QJsonObject{
        {QStringLiteral("schema"), QString::fromLatin1(kSchema)},
        {QStringLiteral("tool"), QJsonObject{{QStringLiteral("name"), QStringLiteral("preflight")},
                                             {QStringLiteral("version"), QStringLiteral(PREFLIGHT_VERSION)}}},
        {QStringLiteral("run"), runObject},
        {QStringLiteral("totals"), totals},
        {QStringLiteral("endpoints"), endpoints},
        {QStringLiteral("levels"), levelArray},
        {QStringLiteral("capacity"), capacityValue},
        {QStringLiteral("database"), database},
        {QStringLiteral("queries"), queries},
        {QStringLiteral("gates"), gates},
        {QStringLiteral("findings"), findings},
        {QStringLiteral("errors"), errors},
        {QStringLiteral("warnings"), QJsonArray::fromStringList(run.warnings)},
        {QStringLiteral("verdict"), run.verdict.isEmpty() ? QJsonValue() : QJsonValue(run.verdict)},
        {QStringLiteral("verdict_reason"), run.verdict_reason},
        {QStringLiteral("notes"), QJsonArray::fromStringList(run.diagnosis_notes)}};
}

QByteArray JsonSummary::toBytes(const QJsonObject &summary)
{
    return QJsonDocument(summary).toJson(QJsonDocument::Indented);
}

} // namespace Preflight
