#include "runjson.h"

namespace Preflight {

namespace {
QString key(const char *k) { return QString::fromLatin1(k); }

QJsonArray stringList(const QStringList &l) { return QJsonArray::fromStringList(l); }

QJsonValue bodyValue(const QByteArray &body)
{
    // Bodies are text almost always; keep exact bytes otherwise.
    const QString text = QString::fromUtf8(body);
    if (text.toUtf8() == body)
        return text;
    return QJsonObject{{key("base64"), QString::fromLatin1(body.toBase64())}};
}
} // namespace

QJsonObject RunJson::statusCounts(const std::map<int, uint64_t> &counts)
{
    QJsonObject o;
    for (const auto &[status, count] : counts)
        o.insert(QString::number(status), double(count));
    return o;
}

std::map<int, uint64_t> RunJson::statusCountsFrom(const QJsonObject &o)
{
    std::map<int, uint64_t> counts;
    for (auto it = o.begin(); it != o.end(); ++it) {
        bool ok = false;
        const int status = it.key().toInt(&ok);
        if (ok)
            counts[status] = uint64_t(it.value().toDouble());
    }
    return counts;
}

QJsonObject RunJson::errorCounts(const ErrorCounts &counts)
{
    QJsonObject o;
    for (int i = 0; i < kErrorClassCount; ++i)
        if (counts[size_t(i)])
            o.insert(errorClassId(ErrorClass(i)), double(counts[size_t(i)]));
    return o;
}

ErrorCounts RunJson::errorCountsFrom(const QJsonObject &o)
{
    ErrorCounts counts{};
    for (int i = 0; i < kErrorClassCount; ++i)
        counts[size_t(i)] = uint64_t(o.value(errorClassId(ErrorClass(i))).toDouble());
    return counts;
}

QJsonObject RunJson::intMap(const std::map<QString, int> &m)
{
    QJsonObject o;
    for (const auto &[k, v] : m)
        o.insert(k, v);
    return o;
}

std::map<QString, int> RunJson::intMapFrom(const QJsonObject &o)
{
    std::map<QString, int> m;
    for (auto it = o.begin(); it != o.end(); ++it)
        m[it.key()] = it.value().toInt();
    return m;
}

QJsonObject RunJson::planNode(const PlanNode &node)
{
    QJsonArray children;
    for (const PlanNode &child : node.children)
        children.append(planNode(child));
    return QJsonObject{{key("node_type"), node.node_type},
                       {key("relation"), node.relation},
                       {key("schema"), node.schema},
                       {key("index_name"), node.index_name},
                       {key("filter"), node.filter},
                       {key("filter_columns"), stringList(node.filter_columns)},
                       {key("plan_rows"), node.plan_rows},
                       {key("startup_cost"), node.startup_cost},
                       {key("total_cost"), node.total_cost},
                       {key("relation_rows"), node.relation_rows},
                       {key("flagged"), node.flagged},
                       {key("children"), children}};
}

PlanNode RunJson::planNodeFrom(const QJsonObject &o)
{
    PlanNode node;
    node.node_type = o.value(key("node_type")).toString();
    node.relation = o.value(key("relation")).toString();
    node.schema = o.value(key("schema")).toString();
    node.index_name = o.value(key("index_name")).toString();
    node.filter = o.value(key("filter")).toString();
    for (const QJsonValue &c : o.value(key("filter_columns")).toArray())
        node.filter_columns.append(c.toString());
    node.plan_rows = o.value(key("plan_rows")).toDouble();
    node.startup_cost = o.value(key("startup_cost")).toDouble();
    node.total_cost = o.value(key("total_cost")).toDouble();
    node.relation_rows = o.value(key("relation_rows")).toDouble(-1);
    node.flagged = o.value(key("flagged")).toBool();
    for (const QJsonValue &c : o.value(key("children")).toArray())
        node.children.push_back(planNodeFrom(c.toObject()));
    return node;
}

QJsonArray RunJson::evidence(const std::vector<Evidence> &evidence)
{
    QJsonArray a;
    for (const Evidence &e : evidence)
        a.append(QJsonObject{{key("metric"), e.metric}, {key("value"), e.value}, {key("unit"), e.unit}, {key("note"), e.note}});
    return a;
}

std::vector<Evidence> RunJson::evidenceFrom(const QJsonArray &a)
{
    std::vector<Evidence> out;
    for (const QJsonValue &v : a) {
        const QJsonObject o = v.toObject();
        Evidence e;
        e.metric = o.value(key("metric")).toString();
        e.value = o.value(key("value")).toDouble();
        e.unit = o.value(key("unit")).toString();
        e.note = o.value(key("note")).toString();
        out.push_back(e);
    }
    return out;
}

QJsonObject RunJson::latency(const LatencyHistogram &h)
{
    return QJsonObject{{key("count"), double(h.count())},
                       {key("p50"), h.percentile_ms(50)},
                       {key("p90"), h.percentile_ms(90)},
                       {key("p95"), h.percentile_ms(95)},
                       {key("p99"), h.percentile_ms(99)},
                       {key("p999"), h.percentile_ms(99.9)},
                       {key("max"), double(h.max_us()) / 1000.0},
                       {key("mean"), h.mean_us() / 1000.0}};
}

QJsonObject RunJson::run(const RunData &run)
{
    const RunInfo &info = run.info;
    QJsonObject runObject{{key("id"), double(info.id)},
                          {key("name"), info.name},
                          {key("started_at"), info.started_at.toUTC().toString(Qt::ISODateWithMs)},
                          {key("duration_s"), info.duration_s},
                          {key("status"), runStatusId(info.status)},
                          {key("status_reason"), info.status_reason},
                          {key("tool_version"), info.tool_version},
                          {key("machine"), info.machine},
                          {key("target"), info.target},
                          {key("scenario"), info.scenario},
                          {key("tls_insecure"), info.tls_insecure},
                          {key("workers"), info.workers}};

    QJsonArray stages;
    for (const StageInfo &s : run.stages)
        stages.append(QJsonObject{{key("index"), s.index},
                                  {key("start_s"), s.start_s},
                                  {key("duration_s"), s.duration_s},
                                  {key("open_model"), s.open_model},
                                  {key("from"), s.from},
                                  {key("to"), s.to},
                                  {key("label"), s.label}});

    QJsonArray intervals;
    for (const IntervalSnapshot &iv : run.intervals) {
        QJsonArray endpoints;
        for (size_t i = 0; i < iv.endpoints.size(); ++i) {
            const EndpointStats &e = iv.endpoints[i];
            endpoints.append(QJsonObject{
                {key("endpoint"), int(i)},
                {key("name"), i < run.plan.endpoints.size() ? run.plan.endpoints[i].name : QString()},
                {key("requests"), double(e.requests)},
                {key("ok"), double(e.ok)},
                {key("http_errors"), double(e.http_errors)},
                {key("error_counts"), errorCounts(e.transport_errors)},
                {key("status_counts"), statusCounts(e.status_counts)},
                {key("bytes_received"), double(e.bytes_received)},
                {key("latency_ms"), latency(e.latency)},
                {key("latency_uncorrected_ms"), latency(e.latency_uncorrected)},
                {key("latency_hist"), QString::fromLatin1(e.latency.serialize().toBase64())},
                {key("latency_uncorrected_hist"), QString::fromLatin1(e.latency_uncorrected.serialize().toBase64())}});
        }
        intervals.append(QJsonObject{{key("index"), iv.index},
                                     {key("start_s"), iv.start_s},
                                     {key("end_s"), iv.end_s},
                                     {key("stage_index"), iv.stage_index},
                                     {key("target_users"), iv.target_users},
                                     {key("target_rate"), iv.target_rate},
                                     {key("in_flight"), iv.in_flight},
                                     {key("queued"), iv.queued},
                                     {key("started"), double(iv.started)},
                                     {key("dropped"), double(iv.dropped)},
                                     {key("endpoints"), endpoints}});
    }

    QJsonArray dbSamples;
    for (const DbSample &s : run.db_samples)
        dbSamples.append(QJsonObject{{key("t_s"), s.t_s},
                                     {key("backends"), s.backends},
                                     {key("active"), s.active},
                                     {key("idle"), s.idle},
                                     {key("idle_in_transaction"), s.idle_in_transaction},
                                     {key("waiting_on_lock"), s.waiting_on_lock},
                                     {key("new_backends"), s.new_backends},
                                     {key("longest_transaction_s"), s.longest_transaction_s},
                                     {key("max_connections"), s.max_connections},
                                     {key("total_connections"), s.total_connections},
                                     {key("by_wait_event_type"), intMap(s.by_wait_event_type)},
                                     {key("by_application"), intMap(s.by_application)},
                                     {key("wal_bytes"), double(s.wal_bytes)}});
    QJsonArray poolSamples;
    for (const PoolSample &s : run.pool_samples)
        poolSamples.append(QJsonObject{{key("t_s"), s.t_s},
                                       {key("ok"), s.ok},
                                       {key("in_use"), s.in_use},
                                       {key("idle"), s.idle},
                                       {key("max"), s.max},
                                       {key("waiting"), s.waiting},
                                       {key("error"), s.error}});

    const DbCapabilities &d = run.database;
    QJsonObject database{{key("kind"), d.kind},
                         {key("server_version"), d.server_version},
                         {key("max_connections"), d.max_connections},
                         {key("pg_stat_statements"), d.pg_stat_statements},
                         {key("warnings"), stringList(d.warnings)},
                         {key("remediation"), stringList(d.remediation)},
                         {key("journal_mode"), d.journal_mode},
                         {key("page_size"), double(d.page_size)},
                         {key("file_bytes"), double(d.file_bytes)}};
    QJsonObject health{{key("checked"), run.health.checked},
                       {key("status"), run.health.status},
                       {key("error"), run.health.error},
                       {key("latency_ms"), run.health.latency_ms}};

    auto queryArray = [](const std::vector<QueryStat> &stats) {
        QJsonArray out;
        for (const QueryStat &q : stats) {
            QJsonObject o{{key("phase"), q.phase},
                          {key("endpoint"), q.endpoint},
                          {key("queryid"), q.queryid},
                          {key("fingerprint"), q.fingerprint},
                          {key("text"), q.text},
                          {key("calls"), q.calls},
                          {key("requests"), q.requests},
                          {key("calls_per_request"), q.calls_per_request},
                          {key("rows"), q.rows},
                          {key("rows_per_call"), q.rows_per_call},
                          {key("mean_ms"), q.mean_ms},
                          {key("total_ms"), q.total_ms}};
            if (q.stage >= 0)
                o.insert(key("stage"), q.stage);
            out.append(o);
        }
        return out;
    };
    const QJsonArray queries = queryArray(run.queries);
    QJsonArray plans;
    for (const QueryPlan &p : run.plans)
        plans.append(QJsonObject{{key("fingerprint"), p.fingerprint},
                                 {key("text"), p.text},
                                 {key("valid"), p.valid},
                                 {key("error"), p.error},
                                 {key("root"), planNode(p.root)}});
    QJsonArray errorSamples;
    for (const ErrorSample &s : run.error_samples)
        errorSamples.append(QJsonObject{{key("endpoint"), s.endpoint},
                                        {key("status"), s.status},
                                        {key("error_class"), errorClassId(s.error_class)},
                                        {key("retry_after"), s.retry_after},
                                        {key("content_type"), s.content_type},
                                        {key("server"), s.server},
                                        {key("body"), bodyValue(s.body)},
                                        {key("first_seen_s"), s.first_seen_s},
                                        {key("last_seen_s"), s.last_seen_s},
                                        {key("stage_index"), s.stage_index},
                                        {key("count"), double(s.count)}});
    QJsonArray findings;
    for (const Finding &f : run.findings)
        findings.append(QJsonObject{{key("id"), f.id},
                                    {key("severity"), severityId(f.severity)},
                                    {key("title"), f.title},
                                    {key("summary"), f.summary},
                                    {key("endpoint"), f.endpoint},
                                    {key("evidence"), evidence(f.evidence)},
                                    {key("recommendation"), f.recommendation},
                                    {key("layer"), f.layer},
                                    {key("confidence"), f.confidence}});
    QJsonArray checks;
    for (const GateCheck &g : run.gates)
        checks.append(QJsonObject{{key("id"), g.id},
                                  {key("label"), g.label},
                                  {key("threshold"), g.threshold},
                                  {key("value"), g.value},
                                  {key("measured"), g.measured},
                                  {key("pass"), g.pass},
                                  {key("unit"), g.unit},
                                  {key("note"), g.note}});

    return QJsonObject{{key("schema"), key(kRunSchema)},
                       {key("tool"), QJsonObject{{key("name"), key("preflight")}, {key("version"), key(PREFLIGHT_VERSION)}}},
                       {key("run"), runObject},
                       {key("plan"), run.plan.toJson()},
                       {key("stages"), stages},
                       {key("intervals"), intervals},
                       {key("db_samples"), dbSamples},
                       {key("pool_samples"), poolSamples},
                       {key("database"), database},
                       {key("health"), health},
                       {key("queries"), queries},
                       {key("stage_queries"), queryArray(run.stage_queries)},
                       {key("plans"), plans},
                       {key("error_samples"), errorSamples},
                       {key("findings"), findings},
                       {key("gates"), QJsonObject{{key("preset"), run.gate_preset}, {key("checks"), checks}}},
                       {key("verdict"), run.verdict},
                       {key("warnings"), stringList(run.warnings)}};
}

} // namespace Preflight
