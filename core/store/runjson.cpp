#include "runjson.h"

#include "plan/planparser.h"

#include <QJsonDocument>

#include <limits>

namespace Preflight {

namespace {
QString key(const char *k)
{
    return QString::fromLatin1(k);
}

QJsonArray stringList(const QStringList &l)
{
    return QJsonArray::fromStringList(l);
}

QStringList stringListFrom(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray())
        out.append(s.toString());
    return out;
}

// Readers of one key with the struct's default when it is missing. Counts travel as JSON numbers (doubles);
// a number out of the field's range reads as the default rather than as whatever the cast would make of it.
QString text(const QJsonObject &o, const char *k)
{
    return o.value(QLatin1String(k)).toString();
}
double real(const QJsonObject &o, const char *k, double def = 0)
{
    return o.value(QLatin1String(k)).toDouble(def);
}
template <typename T> T whole(const QJsonObject &o, const char *k, T def)
{
    const double v = real(o, k, double(def));
    // max() + 1 is exact for int and rounds to 2^63 / 2^64 for the 64-bit types: the bound is exclusive. NaN fails.
    return v >= double(std::numeric_limits<T>::lowest()) && v < double(std::numeric_limits<T>::max()) + 1.0 ? T(v)
                                                                                                            : def;
}
int integer(const QJsonObject &o, const char *k, int def = 0)
{
    return whole<int>(o, k, def);
}
qint64 int64(const QJsonObject &o, const char *k, qint64 def = 0)
{
    return whole<qint64>(o, k, def);
}
uint64_t count(const QJsonObject &o, const char *k, uint64_t def = 0)
{
    return whole<uint64_t>(o, k, def);
}
bool boolean(const QJsonObject &o, const char *k, bool def = false)
{
    return o.value(QLatin1String(k)).toBool(def);
}
QJsonObject object(const QJsonObject &o, const char *k)
{
    return o.value(QLatin1String(k)).toObject();
}
QJsonArray array(const QJsonObject &o, const char *k)
{
    return o.value(QLatin1String(k)).toArray();
}

QJsonValue bodyValue(const QByteArray &body)
{
    // Bodies are text almost always; keep exact bytes otherwise.
    const QString text = QString::fromUtf8(body);
    if (text.toUtf8() == body)
        return text;
    return QJsonObject{{key("base64"), QString::fromLatin1(body.toBase64())}};
}

QByteArray bodyFrom(const QJsonValue &v)
{
    if (v.isObject())
        return QByteArray::fromBase64(v.toObject().value(key("base64")).toString().toLatin1());
    return v.toString().toUtf8();
}

// A statement's endpoint travels by name (the documented contract: files outlive plan order), mapped through
// the run's own plan both ways; a name the plan does not hold reads back as -1.
QJsonArray queryArray(const std::vector<QueryStat> &stats, const Plan &plan)
{
    QJsonArray out;
    for (const QueryStat &q : stats) {
        QJsonObject o{{key("phase"), queryPhaseId(q.phase)},
                      {key("endpoint"), plan.endpointName(q.endpoint)},
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
}

std::vector<QueryStat> queriesFrom(const QJsonArray &a, const Plan &plan)
{
    std::vector<QueryStat> out;
    for (const QJsonValue &v : a) {
        const QJsonObject o = v.toObject();
        QueryStat q;
        q.phase = queryPhaseFrom(text(o, "phase"));
        q.endpoint = plan.endpointIndex(text(o, "endpoint"));
        q.queryid = text(o, "queryid");
        q.fingerprint = text(o, "fingerprint");
        q.text = text(o, "text");
        q.calls = real(o, "calls");
        q.requests = real(o, "requests");
        q.calls_per_request = real(o, "calls_per_request");
        q.rows = real(o, "rows");
        q.rows_per_call = real(o, "rows_per_call");
        q.mean_ms = real(o, "mean_ms");
        q.total_ms = real(o, "total_ms");
        q.stage = integer(o, "stage", -1);
        out.push_back(q);
    }
    return out;
}

// A histogram in base64 (LatencyHistogram::serialize()); a missing key is an empty histogram.
bool histogramFrom(const QJsonObject &o, const char *k, LatencyHistogram *out)
{
    const QJsonValue v = o.value(QLatin1String(k));
    if (v.isUndefined() || v.isNull()) {
        *out = LatencyHistogram();
        return true;
    }
    return LatencyHistogram::deserialize(QByteArray::fromBase64(v.toString().toLatin1()), out);
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

QJsonObject RunJson::transport(const EndpointStats &stats)
{
    QJsonObject protocols;
    for (int p = 0; p < kHttpProtocolCount; ++p)
        if (stats.protocol_answers[size_t(p)])
            protocols.insert(QLatin1String(httpProtocolName(HttpProtocol(p))),
                             double(stats.protocol_answers[size_t(p)]));
    return QJsonObject{{QStringLiteral("protocols"), protocols},
                       {QStringLiteral("connections"), double(stats.connections_opened)}};
}

void RunJson::transportFrom(const QJsonObject &o, EndpointStats *stats)
{
    const QJsonObject protocols = o.value(QLatin1String("protocols")).toObject();
    for (auto it = protocols.begin(); it != protocols.end(); ++it)
        if (const int p = httpProtocolFromName(it.key()); p >= 0)
            stats->protocol_answers[size_t(p)] = uint64_t(std::max(0.0, it.value().toDouble()));
    stats->connections_opened = uint64_t(std::max(0.0, o.value(QLatin1String("connections")).toDouble()));
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

ErrorClass RunJson::errorClassFrom(const QString &id)
{
    for (int i = 0; i < kErrorClassCount; ++i)
        if (errorClassId(ErrorClass(i)) == id)
            return ErrorClass(i);
    return ErrorClass::Other;
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
    return QJsonObject{{key("node_type"), node.node_type},   {key("relation"), node.relation},
                       {key("schema"), node.schema},         {key("index_name"), node.index_name},
                       {key("filter"), node.filter},         {key("filter_columns"), stringList(node.filter_columns)},
                       {key("plan_rows"), node.plan_rows},   {key("startup_cost"), node.startup_cost},
                       {key("total_cost"), node.total_cost}, {key("relation_rows"), node.relation_rows},
                       {key("flagged"), node.flagged},       {key("children"), children}};
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
        a.append(QJsonObject{
            {key("metric"), e.metric}, {key("value"), e.value}, {key("unit"), e.unit}, {key("note"), e.note}});
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

QJsonObject RunJson::lockWait(const LockWait &wait)
{
    return QJsonObject{{key("wait_s"), wait.wait_s},
                       {key("query"), wait.query},
                       {key("relation"), wait.relation},
                       {key("lock_type"), wait.lock_type},
                       {key("blocking_query"), wait.blocking_query},
                       {key("blocking_state"), wait.blocking_state},
                       {key("blockers"), wait.blockers}};
}

LockWait RunJson::lockWaitFrom(const QJsonObject &o)
{
    LockWait w;
    w.wait_s = real(o, "wait_s");
    w.query = text(o, "query");
    w.relation = text(o, "relation");
    w.lock_type = text(o, "lock_type");
    w.blocking_query = text(o, "blocking_query");
    w.blocking_state = text(o, "blocking_state");
    w.blockers = integer(o, "blockers");
    return w;
}

QJsonObject RunJson::dbSampleDetail(const DbSample &sample)
{
    QJsonArray idleInTransaction;
    for (double age_s : sample.idle_in_transaction_s)
        idleInTransaction.append(age_s);
    QJsonArray lockWaits;
    for (const LockWait &w : sample.lock_waits)
        lockWaits.append(lockWait(w));
    return QJsonObject{{key("active_running"), sample.active_running},
                       {key("idle_in_transaction_s"), idleInTransaction},
                       {key("lock_waits"), lockWaits},
                       {key("by_user"), intMap(sample.by_user)},
                       {key("excluded"), intMap(sample.excluded)},
                       {key("other_databases"), sample.other_databases}};
}

void RunJson::dbSampleDetailFrom(const QJsonObject &o, DbSample *sample)
{
    const DbSample defaults;
    sample->active_running = integer(o, "active_running", defaults.active_running);
    sample->idle_in_transaction_s.clear();
    for (const QJsonValue &v : array(o, "idle_in_transaction_s"))
        sample->idle_in_transaction_s.push_back(v.toDouble());
    sample->lock_waits.clear();
    for (const QJsonValue &v : array(o, "lock_waits"))
        sample->lock_waits.push_back(lockWaitFrom(v.toObject()));
    sample->by_user = intMapFrom(object(o, "by_user"));
    sample->excluded = intMapFrom(object(o, "excluded"));
    sample->other_databases = integer(o, "other_databases", defaults.other_databases);
}

QJsonObject RunJson::findingRefs(const FindingRefs &refs)
{
    QJsonArray statements;
    for (const StatementRef &s : refs.statements)
        statements.append(
            QJsonObject{{key("fingerprint"), s.fingerprint}, {key("role"), s.role}, {key("text"), s.text}});
    return QJsonObject{{key("endpoint"), refs.endpoint},
                       {key("level"), refs.level},
                       {key("relation"), refs.relation},
                       {key("columns"), stringList(refs.columns)},
                       {key("statements"), statements}};
}

FindingRefs RunJson::findingRefsFrom(const QJsonObject &o)
{
    FindingRefs refs;
    refs.endpoint = integer(o, "endpoint", -1);
    refs.level = integer(o, "level", -1);
    refs.relation = text(o, "relation");
    refs.columns = stringListFrom(o.value(key("columns")));
    for (const QJsonValue &v : array(o, "statements")) {
        const QJsonObject s = v.toObject();
        refs.statements.push_back({text(s, "fingerprint"), text(s, "role"), text(s, "text")});
    }
    return refs;
}

QJsonObject RunJson::latency(const LatencyHistogram &h)
{
    return QJsonObject{{key("count"), double(h.count())},         {key("p50"), h.percentile_ms(50)},
                       {key("p90"), h.percentile_ms(90)},         {key("p95"), h.percentile_ms(95)},
                       {key("p99"), h.percentile_ms(99)},         {key("p999"), h.percentile_ms(99.9)},
                       {key("max"), double(h.max_us()) / 1000.0}, {key("mean"), h.mean_us() / 1000.0}};
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
                          {key("workers"), info.workers},
                          {key("engine"), info.engine}};

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
                {key("transport"), transport(e)},
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
                                     {key("client_cpu_s"), iv.client_cpu_s},
                                     {key("load_threads"), iv.load_threads},
                                     {key("send_lag_ms"), iv.send_lag_ms},
                                     {key("host_cpu_busy"), iv.host_cpu_busy},
                                     {key("host_cpus"), iv.host_cpus},
                                     {key("endpoints"), endpoints}});
    }

    QJsonArray dbSamples;
    for (const DbSample &s : run.db_samples) {
        QJsonObject sample{{key("t_s"), s.t_s},
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
                           {key("wal_bytes"), double(s.wal_bytes)}};
        const QJsonObject detail = dbSampleDetail(s);
        for (auto it = detail.begin(); it != detail.end(); ++it)
            sample.insert(it.key(), it.value());
        dbSamples.append(sample);
    }
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

    const QJsonArray queries = queryArray(run.queries, run.plan);
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
                                    {key("confidence"), f.confidence},
                                    {key("refs"), findingRefs(f.refs)}});
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

    return QJsonObject{
        {key("schema"), key(kRunSchema)},
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
        {key("stage_queries"), queryArray(run.stage_queries, run.plan)},
        {key("plans"), plans},
        {key("error_samples"), errorSamples},
        {key("findings"), findings},
        {key("gates"), QJsonObject{{key("preset"), run.gate_preset}, {key("checks"), checks}}},
        {key("verdict"), run.verdict},
        {key("verdict_reason"), run.verdict_reason},
        {key("diagnosis_notes"), stringList(run.diagnosis_notes)},
        {key("warnings"), stringList(run.warnings)}};
}

std::optional<RunData> RunJson::runFrom(const QJsonObject &o, QString *error)
{
    auto fail = [error](const QString &message) -> std::optional<RunData> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString schema = text(o, "schema");
    if (schema != key(kRunSchema))
        return fail(
            schema.isEmpty()
                ? QStringLiteral("not a Preflight run: no \"schema\" key (expected %1; `preflight export RUN_ID "
                                 "--json FILE` writes one)")
                      .arg(key(kRunSchema))
                : QStringLiteral("unsupported run schema \"%1\" (this build reads %2)").arg(schema, key(kRunSchema)));

    RunData run;
    const QJsonObject info = object(o, "run");
    run.info.id = int64(info, "id", -1);
    run.info.name = text(info, "name");
    run.info.started_at = QDateTime::fromString(text(info, "started_at"), Qt::ISODateWithMs);
    if (run.info.started_at.isValid())
        run.info.started_at = run.info.started_at.toUTC();
    run.info.duration_s = real(info, "duration_s");
    if (info.contains(key("status")))
        run.info.status = runStatusFromId(text(info, "status"));
    run.info.status_reason = text(info, "status_reason");
    run.info.tool_version = text(info, "tool_version");
    run.info.machine = text(info, "machine");
    run.info.target = text(info, "target");
    run.info.scenario = text(info, "scenario");
    run.info.tls_insecure = boolean(info, "tls_insecure");
    run.info.workers = integer(info, "workers");
    run.info.engine = text(info, "engine");

    // The plan goes through the parser (its one reader), without validate(): the run happened with this plan, so
    // a rule added since (or a synthetic run's plan) must not change what is replayed. A plan the parser cannot
    // read at all (a key from a newer Preflight, a wrong type) keeps its name and endpoints, which is what the
    // intervals need; the run says so, as RunStore::loadRun does.
    const QJsonObject planObject = object(o, "plan");
    PlanError planError;
    if (std::optional<Plan> plan =
            PlanParser::read(QJsonDocument(planObject).toJson(QJsonDocument::Compact), &planError)) {
        run.plan = *plan;
        // Plan::toJson() leaves "health" out when there is no health check, and the parser reads a missing
        // "health" as the default /health: without the key the exported plan had none.
        if (!planObject.contains(key("health")))
            run.plan.health_path.clear();
    } else {
        run.plan.name = text(planObject, "name");
        for (const QJsonValue &v : array(planObject, "endpoints")) {
            const QJsonObject e = v.toObject();
            EndpointSpec endpoint;
            endpoint.name = text(e, "name");
            if (e.contains(key("method")))
                endpoint.method = text(e, "method");
            endpoint.path = text(e, "path");
            run.plan.endpoints.push_back(endpoint);
        }
        run.warnings.append(
            QStringLiteral("the exported plan cannot be read (%1); only its endpoints were").arg(planError.toString()));
    }

    for (const QJsonValue &v : array(o, "stages")) {
        const QJsonObject s = v.toObject();
        StageInfo stage;
        stage.index = integer(s, "index");
        stage.start_s = real(s, "start_s");
        stage.duration_s = real(s, "duration_s");
        stage.open_model = boolean(s, "open_model");
        stage.from = real(s, "from");
        stage.to = real(s, "to");
        stage.label = text(s, "label");
        run.stages.push_back(stage);
    }

    for (const QJsonValue &v : array(o, "intervals")) {
        const QJsonObject i = v.toObject();
        IntervalSnapshot iv;
        iv.index = integer(i, "index");
        iv.start_s = real(i, "start_s");
        iv.end_s = real(i, "end_s");
        iv.stage_index = integer(i, "stage_index");
        iv.target_users = real(i, "target_users");
        iv.target_rate = real(i, "target_rate");
        iv.in_flight = integer(i, "in_flight");
        iv.queued = integer(i, "queued");
        iv.started = count(i, "started");
        iv.dropped = count(i, "dropped");
        iv.client_cpu_s = real(i, "client_cpu_s", -1);
        iv.load_threads = integer(i, "load_threads");
        iv.send_lag_ms = real(i, "send_lag_ms", -1);
        iv.host_cpu_busy = real(i, "host_cpu_busy", -1);
        iv.host_cpus = integer(i, "host_cpus");
        // Every interval has a slot per plan endpoint (as the engine and RunStore::loadRun make them).
        iv.endpoints.resize(run.plan.endpoints.size());
        const QJsonArray endpoints = array(i, "endpoints");
        for (int n = 0; n < endpoints.size(); ++n) {
            const QJsonObject e = endpoints.at(n).toObject();
            const int index = integer(e, "endpoint", n);
            // run() writes one entry per slot: an index beyond both the plan and the array is not an export.
            if (index < 0 || index >= std::max(int(iv.endpoints.size()), int(endpoints.size())))
                return fail(QStringLiteral("interval %1 names endpoint %2, but the plan has %3 endpoints")
                                .arg(iv.index)
                                .arg(index)
                                .arg(run.plan.endpoints.size()));
            if (size_t(index) >= iv.endpoints.size())
                iv.endpoints.resize(size_t(index) + 1);
            EndpointStats &stats = iv.endpoints[size_t(index)];
            stats.requests = count(e, "requests");
            stats.ok = count(e, "ok");
            stats.http_errors = count(e, "http_errors");
            stats.transport_errors = errorCountsFrom(object(e, "error_counts"));
            stats.status_counts = statusCountsFrom(object(e, "status_counts"));
            stats.bytes_received = count(e, "bytes_received");
            transportFrom(object(e, "transport"), &stats);
            if (!histogramFrom(e, "latency_hist", &stats.latency) ||
                !histogramFrom(e, "latency_uncorrected_hist", &stats.latency_uncorrected))
                return fail(QStringLiteral("interval %1, endpoint %2: the latency histogram cannot be decoded "
                                           "(latency_hist must be LatencyHistogram::serialize() in base64)")
                                .arg(iv.index)
                                .arg(index));
        }
        run.intervals.push_back(std::move(iv));
    }

    for (const QJsonValue &v : array(o, "db_samples")) {
        const QJsonObject d = v.toObject();
        DbSample s;
        s.t_s = real(d, "t_s");
        s.backends = integer(d, "backends");
        s.active = integer(d, "active");
        s.idle = integer(d, "idle");
        s.idle_in_transaction = integer(d, "idle_in_transaction");
        s.waiting_on_lock = integer(d, "waiting_on_lock");
        s.new_backends = integer(d, "new_backends");
        s.longest_transaction_s = real(d, "longest_transaction_s");
        s.max_connections = integer(d, "max_connections", -1);
        s.total_connections = integer(d, "total_connections", -1);
        s.by_wait_event_type = intMapFrom(object(d, "by_wait_event_type"));
        s.by_application = intMapFrom(object(d, "by_application"));
        s.wal_bytes = int64(d, "wal_bytes", -1);
        dbSampleDetailFrom(d, &s);
        run.db_samples.push_back(std::move(s));
    }
    for (const QJsonValue &v : array(o, "pool_samples")) {
        const QJsonObject p = v.toObject();
        PoolSample s;
        s.t_s = real(p, "t_s");
        s.ok = boolean(p, "ok");
        s.in_use = integer(p, "in_use", -1);
        s.idle = integer(p, "idle", -1);
        s.max = integer(p, "max", -1);
        s.waiting = integer(p, "waiting", -1);
        s.error = text(p, "error");
        run.pool_samples.push_back(s);
    }

    if (o.contains(key("database"))) {
        const QJsonObject d = object(o, "database");
        DbCapabilities &db = run.database;
        if (d.contains(key("kind")))
            db.kind = text(d, "kind");
        db.server_version = text(d, "server_version");
        db.max_connections = integer(d, "max_connections", -1);
        if (d.contains(key("pg_stat_statements")))
            db.pg_stat_statements = text(d, "pg_stat_statements");
        db.warnings = stringListFrom(d.value(key("warnings")));
        db.remediation = stringListFrom(d.value(key("remediation")));
        db.journal_mode = text(d, "journal_mode");
        db.page_size = int64(d, "page_size", -1);
        db.file_bytes = int64(d, "file_bytes", -1);
    }
    const QJsonObject health = object(o, "health");
    run.health.checked = boolean(health, "checked");
    run.health.status = integer(health, "status");
    run.health.error = text(health, "error");
    run.health.latency_ms = real(health, "latency_ms");

    run.queries = queriesFrom(array(o, "queries"), run.plan);
    run.stage_queries = queriesFrom(array(o, "stage_queries"), run.plan);
    for (const QJsonValue &v : array(o, "plans")) {
        const QJsonObject p = v.toObject();
        QueryPlan plan;
        plan.fingerprint = text(p, "fingerprint");
        plan.text = text(p, "text");
        plan.valid = boolean(p, "valid");
        plan.error = text(p, "error");
        plan.root = planNodeFrom(object(p, "root"));
        run.plans.push_back(plan);
    }
    for (const QJsonValue &v : array(o, "error_samples")) {
        const QJsonObject e = v.toObject();
        ErrorSample s;
        s.endpoint = integer(e, "endpoint", -1);
        s.status = integer(e, "status");
        s.error_class = errorClassFrom(text(e, "error_class"));
        s.retry_after = text(e, "retry_after");
        s.content_type = text(e, "content_type");
        s.server = text(e, "server");
        s.body = bodyFrom(e.value(key("body")));
        s.first_seen_s = real(e, "first_seen_s");
        s.last_seen_s = real(e, "last_seen_s");
        s.stage_index = integer(e, "stage_index", -1);
        s.count = count(e, "count", 1);
        run.error_samples.push_back(s);
    }
    for (const QJsonValue &v : array(o, "findings")) {
        const QJsonObject f = v.toObject();
        Finding finding;
        finding.id = text(f, "id");
        finding.severity = severityFromId(text(f, "severity"));
        finding.title = text(f, "title");
        finding.summary = text(f, "summary");
        finding.endpoint = text(f, "endpoint");
        finding.evidence = evidenceFrom(array(f, "evidence"));
        finding.recommendation = text(f, "recommendation");
        finding.layer = text(f, "layer");
        finding.confidence = real(f, "confidence");
        finding.refs = findingRefsFrom(object(f, "refs"));
        run.findings.push_back(finding);
    }
    const QJsonObject gates = object(o, "gates");
    run.gate_preset = text(gates, "preset");
    for (const QJsonValue &v : array(gates, "checks")) {
        const QJsonObject g = v.toObject();
        GateCheck check;
        check.id = text(g, "id");
        check.label = text(g, "label");
        check.threshold = real(g, "threshold");
        check.value = real(g, "value");
        check.measured = boolean(g, "measured");
        check.pass = boolean(g, "pass");
        check.unit = text(g, "unit");
        check.note = text(g, "note");
        run.gates.push_back(check);
    }
    run.verdict = text(o, "verdict");
    run.verdict_reason = text(o, "verdict_reason");
    run.diagnosis_notes = stringListFrom(o.value(key("diagnosis_notes")));
    // Plan warnings (above) come after the run's own, as in RunStore::loadRun.
    run.warnings = stringListFrom(o.value(key("warnings"))) + run.warnings;

    if (error)
        error->clear();
    return run;
}

} // namespace Preflight
