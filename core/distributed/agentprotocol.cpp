#include "agentprotocol.h"

#include "store/runjson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace Preflight {

namespace {
QString key(const char *k)
{
    return QString::fromLatin1(k);
}

QString histogram(const LatencyHistogram &h)
{
    return QString::fromLatin1(h.serialize().toBase64());
}

bool histogramFrom(const QJsonValue &v, LatencyHistogram *out)
{
    return LatencyHistogram::deserialize(QByteArray::fromBase64(v.toString().toLatin1()), out);
}

uint64_t count(const QJsonObject &o, const char *k)
{
    return uint64_t(o.value(QLatin1String(k)).toDouble());
}
} // namespace

QByteArray AgentProtocol::encode(const QJsonObject &message)
{
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

std::optional<QJsonObject> AgentProtocol::decode(const QByteArray &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    if (!doc.isObject() || !doc.object().value(QLatin1String("type")).isString())
        return std::nullopt;
    return doc.object();
}

QByteArray AgentProtocol::newNonce()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return bytes.toHex();
}

QByteArray AgentProtocol::proof(const QByteArray &token, const char *role, const QByteArray &first,
                                const QByteArray &second)
{
    const QByteArray message = QByteArray(role) + '\n' + first + '\n' + second;
    return QMessageAuthenticationCode::hash(message, token, QCryptographicHash::Sha256).toHex();
}

bool AgentProtocol::sameProof(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size() || a.isEmpty())
        return false;
    unsigned char diff = 0;
    for (int i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

QJsonObject AgentProtocol::interval(const IntervalSnapshot &s)
{
    QJsonArray endpoints;
    for (const EndpointStats &e : s.endpoints)
        endpoints.append(QJsonObject{{key("requests"), double(e.requests)},
                                     {key("ok"), double(e.ok)},
                                     {key("http_errors"), double(e.http_errors)},
                                     {key("error_counts"), RunJson::errorCounts(e.transport_errors)},
                                     {key("status_counts"), RunJson::statusCounts(e.status_counts)},
                                     {key("bytes_received"), double(e.bytes_received)},
                                     {key("transport"), RunJson::transport(e)},
                                     {key("latency_hist"), histogram(e.latency)},
                                     {key("latency_uncorrected_hist"), histogram(e.latency_uncorrected)}});
    return QJsonObject{{key("index"), s.index},
                       {key("start_s"), s.start_s},
                       {key("end_s"), s.end_s},
                       {key("stage_index"), s.stage_index},
                       {key("target_users"), s.target_users},
                       {key("target_rate"), s.target_rate},
                       {key("in_flight"), s.in_flight},
                       {key("queued"), s.queued},
                       {key("started"), double(s.started)},
                       {key("dropped"), double(s.dropped)},
                       {key("client_cpu_s"), s.client_cpu_s},
                       {key("load_threads"), s.load_threads},
                       {key("send_lag_ms"), s.send_lag_ms},
                       {key("endpoints"), endpoints}};
}

std::optional<IntervalSnapshot> AgentProtocol::intervalFrom(const QJsonObject &o)
{
    IntervalSnapshot s;
    s.index = o.value(QLatin1String("index")).toInt();
    s.start_s = o.value(QLatin1String("start_s")).toDouble();
    s.end_s = o.value(QLatin1String("end_s")).toDouble();
    s.stage_index = o.value(QLatin1String("stage_index")).toInt(-1);
    s.target_users = o.value(QLatin1String("target_users")).toDouble();
    s.target_rate = o.value(QLatin1String("target_rate")).toDouble();
    s.in_flight = o.value(QLatin1String("in_flight")).toInt();
    s.queued = o.value(QLatin1String("queued")).toInt();
    s.started = count(o, "started");
    s.dropped = count(o, "dropped");
    s.client_cpu_s = o.value(QLatin1String("client_cpu_s")).toDouble(-1);
    s.load_threads = o.value(QLatin1String("load_threads")).toInt();
    s.send_lag_ms = o.value(QLatin1String("send_lag_ms")).toDouble(-1);
    for (const QJsonValue &v : o.value(QLatin1String("endpoints")).toArray()) {
        const QJsonObject e = v.toObject();
        EndpointStats stats;
        stats.requests = count(e, "requests");
        stats.ok = count(e, "ok");
        stats.http_errors = count(e, "http_errors");
        stats.transport_errors = RunJson::errorCountsFrom(e.value(QLatin1String("error_counts")).toObject());
        stats.status_counts = RunJson::statusCountsFrom(e.value(QLatin1String("status_counts")).toObject());
        stats.bytes_received = count(e, "bytes_received");
        RunJson::transportFrom(e.value(QLatin1String("transport")).toObject(), &stats);
        if (!histogramFrom(e.value(QLatin1String("latency_hist")), &stats.latency) ||
            !histogramFrom(e.value(QLatin1String("latency_uncorrected_hist")), &stats.latency_uncorrected))
            return std::nullopt;
        s.endpoints.push_back(std::move(stats));
    }
    return s;
}

QJsonObject AgentProtocol::errorSample(const ErrorSample &s)
{
    return QJsonObject{{key("endpoint"), s.endpoint},
                       {key("status"), s.status},
                       {key("error_class"), int(s.error_class)},
                       {key("retry_after"), s.retry_after},
                       {key("content_type"), s.content_type},
                       {key("server"), s.server},
                       {key("body"), QString::fromLatin1(s.body.toBase64())},
                       {key("first_seen_s"), s.first_seen_s},
                       {key("last_seen_s"), s.last_seen_s},
                       {key("stage_index"), s.stage_index},
                       {key("count"), double(s.count)}};
}

ErrorSample AgentProtocol::errorSampleFrom(const QJsonObject &o)
{
    ErrorSample s;
    s.endpoint = o.value(QLatin1String("endpoint")).toInt(-1);
    s.status = o.value(QLatin1String("status")).toInt();
    const int errorClass = o.value(QLatin1String("error_class")).toInt();
    s.error_class = errorClass >= 0 && errorClass < kErrorClassCount ? ErrorClass(errorClass) : ErrorClass::Other;
    s.retry_after = o.value(QLatin1String("retry_after")).toString();
    s.content_type = o.value(QLatin1String("content_type")).toString();
    s.server = o.value(QLatin1String("server")).toString();
    s.body = QByteArray::fromBase64(o.value(QLatin1String("body")).toString().toLatin1());
    s.first_seen_s = o.value(QLatin1String("first_seen_s")).toDouble();
    s.last_seen_s = o.value(QLatin1String("last_seen_s")).toDouble();
    s.stage_index = o.value(QLatin1String("stage_index")).toInt(-1);
    s.count = count(o, "count");
    return s;
}

QJsonObject AgentProtocol::segment(const Segment &s)
{
    return QJsonObject{{key("index"), s.index},
                       {key("count"), s.count},
                       {key("workers"), s.workers},
                       {key("sequence_stride"), s.sequenceStride}};
}

Segment AgentProtocol::segmentFrom(const QJsonObject &o)
{
    Segment s;
    s.index = o.value(QLatin1String("index")).toInt();
    s.count = std::max(1, o.value(QLatin1String("count")).toInt(1));
    s.workers = std::max(1, o.value(QLatin1String("workers")).toInt(1));
    s.sequenceStride = std::max(1, o.value(QLatin1String("sequence_stride")).toInt(1));
    return s;
}

QByteArray AgentProtocol::readToken(const QString &file, QString *error, const QString &fileField)
{
    QByteArray token = qgetenv("PREFLIGHT_AGENT_TOKEN").trimmed();
    const bool fromEnvironment = !token.isEmpty();
    if (!fromEnvironment && !file.isEmpty()) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("%1 %2: cannot read it (%3); check the path and its permissions")
                         .arg(fileField, file, f.errorString());
            return {};
        }
        token = f.readAll().trimmed();
    }
    if (token.isEmpty()) {
        *error = file.isEmpty()
                     ? QStringLiteral("%1 is missing: no agent token; set PREFLIGHT_AGENT_TOKEN or give %1 (the same "
                                      "secret on the coordinator and every agent; e.g. `openssl rand -hex 32 > token`)")
                           .arg(fileField)
                     : QStringLiteral("%1 %2: the file is empty; write the shared agent token into it (e.g. `openssl "
                                      "rand -hex 32 > token`)")
                           .arg(fileField, file);
        return {};
    }
    if (token.size() < 16) {
        *error =
            QStringLiteral("%1: the agent token is shorter than 16 bytes; generate one with `openssl rand -hex 32`")
                .arg(fromEnvironment ? QStringLiteral("PREFLIGHT_AGENT_TOKEN") : fileField + QLatin1Char(' ') + file);
        return {};
    }
    return token;
}

} // namespace Preflight
