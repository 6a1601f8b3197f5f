#include "storerows.h"

#include "runjson.h"
#include "secretscrubber.h"

#include <QJsonDocument>

namespace Preflight::StoreRows {

using Rows::custom;
using Rows::field;

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}
QString json(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}
QJsonObject objectFrom(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}
QJsonArray arrayFrom(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).array();
}
QStringList stringsFrom(const QString &text)
{
    QStringList out;
    for (const QJsonValue &v : arrayFrom(text))
        out.append(v.toString());
    return out;
}
QString scrubbedList(const QStringList &list, const QString &planJson)
{
    QStringList out;
    for (const QString &s : list)
        out.append(SecretScrubber::text(s, planJson));
    return json(QJsonArray::fromStringList(out));
}

QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}
QString timeText(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : nowUtc();
}
QDateTime timeFrom(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : t;
}

StoreError notFound(qint64 id)
{
    return StoreError::make(
        StoreError::Kind::NotFound,
        QStringLiteral("there is no run %1 in this store; `preflight runs` lists the stored runs").arg(id));
}

namespace {

// Free text a secret could have reached (error messages, summaries): scrubbed on the way in.
template <typename T> typename RowMapper<T>::Column scrubbed(const char *name, QString T::*member)
{
    return custom<T>(
        name,
        [member](SqliteStatement &q, int i, const T &t, const RowContext &c) {
            q.bind(i, SecretScrubber::text(t.*member, c.planJson));
        },
        [member](const SqliteStatement &q, int c, T &t, const RowContext &) {
            t.*member = q.text(c);
            return true;
        });
}

template <typename T> typename RowMapper<T>::Column scrubbedStrings(const char *name, QStringList T::*member)
{
    return custom<T>(
        name,
        [member](SqliteStatement &q, int i, const T &t, const RowContext &c) {
            q.bind(i, scrubbedList(t.*member, c.planJson));
        },
        [member](const SqliteStatement &q, int c, T &t, const RowContext &) {
            t.*member = stringsFrom(q.text(c));
            return true;
        });
}

} // namespace

const RowMapper<EndpointSpec> &endpoints()
{
    static const RowMapper<EndpointSpec> m("run_endpoints", {
                                                                field("name", &EndpointSpec::name),
                                                                field("method", &EndpointSpec::method),
                                                                field("path", &EndpointSpec::path),
                                                            });
    return m;
}

const RowMapper<StageInfo> &stages()
{
    static const RowMapper<StageInfo> m("stages", {
                                                      field("idx", &StageInfo::index),
                                                      field("start_s", &StageInfo::start_s),
                                                      field("duration_s", &StageInfo::duration_s),
                                                      field("open_model", &StageInfo::open_model),
                                                      field("from_value", &StageInfo::from),
                                                      field("to_value", &StageInfo::to),
                                                      field("label", &StageInfo::label),
                                                  });
    return m;
}

const RowMapper<IntervalSnapshot> &intervals()
{
    using I = IntervalSnapshot;
    static const RowMapper<I> m("intervals", {
                                                 field("idx", &I::index),
                                                 field("start_s", &I::start_s),
                                                 field("end_s", &I::end_s),
                                                 field("stage_index", &I::stage_index),
                                                 field("target_users", &I::target_users),
                                                 field("target_rate", &I::target_rate),
                                                 field("in_flight", &I::in_flight),
                                                 field("queued", &I::queued),
                                                 field("started", &I::started),
                                                 field("dropped", &I::dropped),
                                                 field("client_cpu_s", &I::client_cpu_s),
                                                 field("load_threads", &I::load_threads),
                                                 field("send_lag_ms", &I::send_lag_ms),
                                                 field("host_cpu_busy", &I::host_cpu_busy),
                                                 field("host_cpus", &I::host_cpus),
                                             });
    return m;
}

const RowMapper<EndpointStats> &intervalEndpoints()
{
    using E = EndpointStats;
    static const RowMapper<E> m(
        "interval_endpoints",
        {
            field("requests", &E::requests),
            field("ok", &E::ok),
            field("http_errors", &E::http_errors),
            // The total, for queries over the file; the per-class counts below are what is read back.
            custom<E>("transport_errors", [](SqliteStatement &q, int i, const E &s,
                                             const RowContext &) { q.bind(i, qint64(s.transportErrorTotal())); }),
            field("bytes_received", &E::bytes_received),
            custom<E>(
                "status_counts",
                [](SqliteStatement &q, int i, const E &s, const RowContext &) {
                    q.bind(i, json(RunJson::statusCounts(s.status_counts)));
                },
                [](const SqliteStatement &q, int c, E &s, const RowContext &) {
                    s.status_counts = RunJson::statusCountsFrom(objectFrom(q.text(c)));
                    return true;
                }),
            custom<E>(
                "error_counts",
                [](SqliteStatement &q, int i, const E &s, const RowContext &) {
                    q.bind(i, json(RunJson::errorCounts(s.transport_errors)));
                },
                [](const SqliteStatement &q, int c, E &s, const RowContext &) {
                    s.transport_errors = RunJson::errorCountsFrom(objectFrom(q.text(c)));
                    return true;
                }),
            custom<E>(
                "latency",
                [](SqliteStatement &q, int i, const E &s, const RowContext &) { q.bindBlob(i, s.latency.serialize()); },
                [](const SqliteStatement &q, int c, E &s, const RowContext &) {
                    return LatencyHistogram::deserialize(q.blob(c), &s.latency);
                }),
            custom<E>(
                "latency_uncorrected",
                [](SqliteStatement &q, int i, const E &s, const RowContext &) {
                    q.bindBlob(i, s.latency_uncorrected.serialize());
                },
                [](const SqliteStatement &q, int c, E &s, const RowContext &) {
                    return LatencyHistogram::deserialize(q.blob(c), &s.latency_uncorrected);
                }),
            custom<E>(
                "transport", // format 6
                [](SqliteStatement &q, int i, const E &s, const RowContext &) {
                    q.bind(i, json(RunJson::transport(s)));
                },
                [](const SqliteStatement &q, int c, E &s, const RowContext &) {
                    RunJson::transportFrom(objectFrom(q.text(c)), &s);
                    return true;
                }),
        });
    return m;
}

const RowMapper<DbSample> &dbSamples()
{
    using D = DbSample;
    static const RowMapper<D> m(
        "db_samples", {
                          field("t_s", &D::t_s),
                          field("backends", &D::backends),
                          field("active", &D::active),
                          field("idle", &D::idle),
                          field("idle_in_transaction", &D::idle_in_transaction),
                          field("waiting_on_lock", &D::waiting_on_lock),
                          field("new_backends", &D::new_backends),
                          field("longest_transaction_s", &D::longest_transaction_s),
                          field("max_connections", &D::max_connections),
                          field("total_connections", &D::total_connections),
                          custom<D>(
                              "by_wait_event_type",
                              [](SqliteStatement &q, int i, const D &s, const RowContext &) {
                                  q.bind(i, json(RunJson::intMap(s.by_wait_event_type)));
                              },
                              [](const SqliteStatement &q, int c, D &s, const RowContext &) {
                                  s.by_wait_event_type = RunJson::intMapFrom(objectFrom(q.text(c)));
                                  return true;
                              }),
                          custom<D>(
                              "by_application",
                              [](SqliteStatement &q, int i, const D &s, const RowContext &) {
                                  q.bind(i, json(RunJson::intMap(s.by_application)));
                              },
                              [](const SqliteStatement &q, int c, D &s, const RowContext &) {
                                  s.by_application = RunJson::intMapFrom(objectFrom(q.text(c)));
                                  return true;
                              }),
                          field("wal_bytes", &D::wal_bytes),
                          // Fields added after format 1 travel in one JSON column (RunJson::dbSampleDetail names them).
                          custom<D>(
                              "detail",
                              [](SqliteStatement &q, int i, const D &s, const RowContext &) {
                                  q.bind(i, json(RunJson::dbSampleDetail(s)));
                              },
                              [](const SqliteStatement &q, int c, D &s, const RowContext &) {
                                  RunJson::dbSampleDetailFrom(objectFrom(q.text(c)), &s);
                                  return true;
                              }),
                      });
    return m;
}

const RowMapper<PoolSample> &poolSamples()
{
    using P = PoolSample;
    static const RowMapper<P> m("pool_samples", {
                                                    field("t_s", &P::t_s),
                                                    field("ok", &P::ok),
                                                    field("in_use", &P::in_use),
                                                    field("idle", &P::idle),
                                                    field("max", &P::max),
                                                    field("waiting", &P::waiting),
                                                    scrubbed("error", &P::error),
                                                });
    return m;
}

const RowMapper<DbCapabilities> &capabilities()
{
    using D = DbCapabilities;
    static const RowMapper<D> m("capabilities", {
                                                    field("kind", &D::kind),
                                                    field("server_version", &D::server_version),
                                                    field("max_connections", &D::max_connections),
                                                    field("pg_stat_statements", &D::pg_stat_statements),
                                                    scrubbedStrings("warnings_json", &D::warnings),
                                                    scrubbedStrings("remediation_json", &D::remediation),
                                                    field("journal_mode", &D::journal_mode),
                                                    field("page_size", &D::page_size),
                                                    field("file_bytes", &D::file_bytes),
                                                });
    return m;
}

const RowMapper<QueryStat> &queryStats()
{
    using Q = QueryStat;
    static const RowMapper<Q> m(
        "query_stats",
        {
            custom<Q>(
                "phase",
                [](SqliteStatement &q, int i, const Q &s, const RowContext &) { q.bind(i, queryPhaseId(s.phase)); },
                [](const SqliteStatement &q, int c, Q &s, const RowContext &) {
                    s.phase = queryPhaseFrom(q.text(c));
                    return true;
                }),
            // The endpoint's name (as the run JSON writes it), so that the column reads the same in stores written
            // before the value held an index; a name the run's stored endpoints lack reads as -1.
            custom<Q>(
                "endpoint",
                [](SqliteStatement &q, int i, const Q &s, const RowContext &c) {
                    q.bind(i, c.endpoints.endpointName(s.endpoint));
                },
                [](const SqliteStatement &q, int col, Q &s, const RowContext &c) {
                    s.endpoint = c.endpoints.endpointIndex(q.text(col));
                    return true;
                }),
            field("queryid", &Q::queryid),
            field("fingerprint", &Q::fingerprint),
            field("text", &Q::text),
            field("calls", &Q::calls),
            field("requests", &Q::requests),
            field("calls_per_request", &Q::calls_per_request),
            field("rows", &Q::rows),
            field("rows_per_call", &Q::rows_per_call),
            field("mean_ms", &Q::mean_ms),
            field("total_ms", &Q::total_ms),
            field("stage", &Q::stage),
        });
    return m;
}

const RowMapper<QueryPlan> &queryPlans()
{
    using P = QueryPlan;
    static const RowMapper<P> m("query_plans", {
                                                   field("fingerprint", &P::fingerprint),
                                                   field("text", &P::text),
                                                   field("valid", &P::valid),
                                                   scrubbed("error", &P::error),
                                                   custom<P>(
                                                       "plan_json",
                                                       [](SqliteStatement &q, int i, const P &p, const RowContext &) {
                                                           q.bind(i, json(RunJson::planNode(p.root)));
                                                       },
                                                       [](const SqliteStatement &q, int c, P &p, const RowContext &) {
                                                           p.root = RunJson::planNodeFrom(objectFrom(q.text(c)));
                                                           return true;
                                                       }),
                                               });
    return m;
}

const RowMapper<ErrorSample> &errorSamples()
{
    using E = ErrorSample;
    static const RowMapper<E> m("error_samples", {
                                                     field("endpoint_idx", &E::endpoint),
                                                     field("status", &E::status),
                                                     custom<E>(
                                                         "error_class",
                                                         [](SqliteStatement &q, int i, const E &s, const RowContext &) {
                                                             q.bind(i, errorClassId(s.error_class));
                                                         },
                                                         [](const SqliteStatement &q, int c, E &s, const RowContext &) {
                                                             s.error_class = RunJson::errorClassFrom(q.text(c));
                                                             return true;
                                                         }),
                                                     field("retry_after", &E::retry_after),
                                                     field("content_type", &E::content_type),
                                                     field("server", &E::server),
                                                     field("body", &E::body),
                                                     field("first_seen_s", &E::first_seen_s),
                                                     field("last_seen_s", &E::last_seen_s),
                                                     field("stage_index", &E::stage_index),
                                                     field("count", &E::count),
                                                 });
    return m;
}

const RowMapper<Finding> &findings()
{
    using F = Finding;
    static const RowMapper<F> m("findings", {
                                                field("finding_id", &F::id),
                                                custom<F>(
                                                    "severity",
                                                    [](SqliteStatement &q, int i, const F &f, const RowContext &) {
                                                        q.bind(i, severityId(f.severity));
                                                    },
                                                    [](const SqliteStatement &q, int c, F &f, const RowContext &) {
                                                        f.severity = severityFromId(q.text(c));
                                                        return true;
                                                    }),
                                                field("title", &F::title),
                                                scrubbed("summary", &F::summary),
                                                field("endpoint", &F::endpoint),
                                                custom<F>(
                                                    "evidence_json",
                                                    [](SqliteStatement &q, int i, const F &f, const RowContext &c) {
                                                        std::vector<Evidence> evidence = f.evidence;
                                                        for (Evidence &ev : evidence)
                                                            ev.note = SecretScrubber::text(ev.note, c.planJson);
                                                        q.bind(i, json(RunJson::evidence(evidence)));
                                                    },
                                                    [](const SqliteStatement &q, int c, F &f, const RowContext &) {
                                                        f.evidence = RunJson::evidenceFrom(arrayFrom(q.text(c)));
                                                        return true;
                                                    }),
                                                field("recommendation", &F::recommendation),
                                                field("layer", &F::layer),
                                                field("confidence", &F::confidence),
                                                custom<F>(
                                                    "refs",
                                                    [](SqliteStatement &q, int i, const F &f, const RowContext &) {
                                                        q.bind(i, json(RunJson::findingRefs(f.refs)));
                                                    },
                                                    [](const SqliteStatement &q, int c, F &f, const RowContext &) {
                                                        f.refs = RunJson::findingRefsFrom(objectFrom(q.text(c)));
                                                        return true;
                                                    }),
                                            });
    return m;
}

const RowMapper<GateCheck> &gateChecks()
{
    using G = GateCheck;
    static const RowMapper<G> m("gate_checks", {
                                                   field("check_id", &G::id),
                                                   field("label", &G::label),
                                                   field("threshold", &G::threshold),
                                                   field("value", &G::value),
                                                   field("measured", &G::measured),
                                                   field("pass", &G::pass),
                                                   field("unit", &G::unit),
                                                   field("note", &G::note),
                                               });
    return m;
}

} // namespace Preflight::StoreRows
