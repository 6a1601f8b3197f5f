#include "poolsampler.h"

#include "dblog.h"
#include "plan/secretresolver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <curl/curl.h>

#include <cmath>
#include <optional>

namespace Preflight {

namespace {
constexpr qsizetype kMaxBody = 4 * 1024 * 1024;

size_t collect(char *data, size_t size, size_t nmemb, void *user)
{
    auto *body = static_cast<QByteArray *>(user);
    const size_t n = size * nmemb;
    if (body->size() + qsizetype(n) > kMaxBody)
        return 0; // abort: a pool status page is small
    body->append(data, qsizetype(n));
    return n;
}

const char *const kKeys[] = {"in_use", "idle", "max", "waiting"};

// A pool figure as the sampler keeps it: a finite number within ±1,000,000 (no pool is larger), rounded. Anything
// else (1e300, "inf", "nan") is no count at all: rounding it into an int would report a made-up pool.
std::optional<int> poolCount(double v)
{
    constexpr double kLargest = 1e6;
    if (!std::isfinite(v) || std::abs(v) > kLargest)
        return std::nullopt;
    return int(std::lround(v));
}

void assign(PoolSample &s, const QString &key, int v)
{
    if (key == QLatin1String("in_use"))
        s.in_use = v;
    else if (key == QLatin1String("idle"))
        s.idle = v;
    else if (key == QLatin1String("max"))
        s.max = v;
    else if (key == QLatin1String("waiting"))
        s.waiting = v;
}
} // namespace

PoolSampler::PoolSampler(const PoolSpec &spec, const std::string &absoluteUrl,
                         std::chrono::steady_clock::time_point runStart, const Options &options, QObject *parent)
    : QObject(parent), m_spec(spec), m_url(absoluteUrl), m_runStart(runStart), m_options(options)
{
    if (m_spec.kind == QLatin1String("prometheus") && m_spec.metrics.empty())
        m_spec.metrics = preset(QStringLiteral("hikaricp")).metrics;
    if (m_spec.kind != QLatin1String("prometheus") && m_spec.pointers.empty())
        m_spec.pointers = preset(QStringLiteral("sqlalchemy")).pointers;
}

PoolSampler::~PoolSampler()
{
    stop();
}

PoolSpec PoolSampler::preset(const QString &name)
{
    PoolSpec s;
    if (name == QLatin1String("sqlalchemy")) {
        s.kind = QStringLiteral("json");
        s.pointers = {{QStringLiteral("in_use"), QStringLiteral("/pool/checked_out")},
                      {QStringLiteral("idle"), QStringLiteral("/pool/checked_in")},
                      {QStringLiteral("max"), QStringLiteral("/pool/max")},
                      {QStringLiteral("waiting"), QStringLiteral("/pool/waiting")}};
    } else if (name == QLatin1String("hikaricp")) {
        s.kind = QStringLiteral("prometheus");
        s.metrics = {{QStringLiteral("in_use"), QStringLiteral("hikaricp_connections_active")},
                     {QStringLiteral("idle"), QStringLiteral("hikaricp_connections_idle")},
                     {QStringLiteral("max"), QStringLiteral("hikaricp_connections_max")},
                     {QStringLiteral("waiting"), QStringLiteral("hikaricp_connections_pending")}};
    }
    return s;
}

QJsonValue PoolSampler::jsonPointer(const QJsonValue &root, const QString &pointer)
{
    if (pointer.isEmpty())
        return root;
    if (!pointer.startsWith(QLatin1Char('/')))
        return QJsonValue(QJsonValue::Undefined);
    QJsonValue cur = root;
    const QStringList tokens = pointer.mid(1).split(QLatin1Char('/'));
    for (QString t : tokens) {
        t.replace(QLatin1String("~1"), QLatin1String("/"));
        t.replace(QLatin1String("~0"), QLatin1String("~"));
        if (cur.isObject()) {
            const QJsonObject o = cur.toObject();
            if (!o.contains(t))
                return QJsonValue(QJsonValue::Undefined);
            cur = o.value(t);
        } else if (cur.isArray()) {
            bool ok = false;
            const int i = t.toInt(&ok);
            const QJsonArray a = cur.toArray();
            if (!ok || i < 0 || i >= a.size())
                return QJsonValue(QJsonValue::Undefined);
            cur = a.at(i);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return cur;
}

PoolSample PoolSampler::parseJson(const QByteArray &body, const std::map<QString, QString> &pointers)
{
    PoolSample s;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (doc.isNull()) {
        s.error = QStringLiteral("pool endpoint did not answer JSON (%1)").arg(pe.errorString());
        return s;
    }
    const QJsonValue root = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    int found = 0;
    QStringList missing;
    for (const auto &[key, pointer] : pointers) {
        const QJsonValue v = jsonPointer(root, pointer);
        bool ok = v.isDouble();
        double d = v.toDouble();
        if (v.isString())
            d = v.toString().toDouble(&ok);
        const std::optional<int> count = ok ? poolCount(d) : std::nullopt;
        if (count) {
            assign(s, key, *count);
            ++found;
        } else {
            missing << pointer;
        }
    }
    s.ok = found > 0;
    if (!s.ok)
        s.error = QStringLiteral("pool endpoint JSON has none of %1").arg(missing.join(QStringLiteral(", ")));
    else if (!missing.isEmpty() && (s.in_use < 0))
        s.error = QStringLiteral("pool endpoint JSON lacks %1").arg(missing.join(QStringLiteral(", ")));
    return s;
}

PoolSample PoolSampler::parsePrometheus(const QByteArray &body, const std::map<QString, QString> &metrics)
{
    PoolSample s;
    std::map<QString, double> sums;
    std::map<QString, bool> seen;
    for (const QByteArray &rawLine : body.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        qsizetype nameEnd = 0;
        while (nameEnd < line.size() && line[nameEnd] != '{' && line[nameEnd] != ' ' && line[nameEnd] != '\t')
            ++nameEnd;
        const QString name = QString::fromLatin1(line.left(nameEnd));
        qsizetype valueStart = nameEnd;
        if (valueStart < line.size() && line[valueStart] == '{') {
            // Skip the label set, honouring quoted values that may contain '}'.
            bool quoted = false;
            for (++valueStart; valueStart < line.size(); ++valueStart) {
                const char c = line[valueStart];
                if (quoted && c == '\\') {
                    ++valueStart;
                    continue;
                }
                if (c == '"')
                    quoted = !quoted;
                else if (c == '}' && !quoted)
                    break;
            }
            ++valueStart;
        }
        const QList<QByteArray> rest = line.mid(valueStart).simplified().split(' ');
        if (rest.isEmpty())
            continue;
        bool ok = false;
        const double v = rest.first().toDouble(&ok);
        if (!ok || std::isnan(v))
            continue;
        sums[name] += v;
        seen[name] = true;
    }
    int found = 0;
    QStringList missing;
    for (const auto &[key, metric] : metrics) {
        const std::optional<int> count = seen.count(metric) ? poolCount(sums[metric]) : std::nullopt;
        if (count) {
            assign(s, key, *count);
            ++found;
        } else {
            missing << metric;
        }
    }
    s.ok = found > 0;
    if (!s.ok)
        s.error = QStringLiteral("metrics endpoint exposes none of %1").arg(missing.join(QStringLiteral(", ")));
    return s;
}

void PoolSampler::start()
{
    if (m_thread.joinable())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = false;
    }
    m_thread = std::thread([this] { run(); });
}

void PoolSampler::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

PoolSample PoolSampler::fetch()
{
    PoolSample s;
    CURL *h = curl_easy_init();
    if (!h) {
        s.error = QStringLiteral("libcurl could not create a handle");
        return s;
    }
    QByteArray body;
    curl_slist *headers = nullptr;
    for (const std::string &hd : m_options.headers)
        headers = curl_slist_append(headers, hd.c_str());
    TransportOptions transport = m_options.transport;
    transport.timeout_ms = m_options.timeout_ms;
    transport.connect_timeout_ms = m_options.timeout_ms;
    transport.apply(h);
    curl_easy_setopt(h, CURLOPT_URL, m_url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    const QString url = SecretResolver::redactUrl(QString::fromStdString(m_url));
    if (rc != CURLE_OK) {
        s.error =
            QStringLiteral("pool endpoint %1 unreachable: %2").arg(url, QString::fromUtf8(curl_easy_strerror(rc)));
        return s;
    }
    if (status < 200 || status >= 300) {
        s.error = QStringLiteral("pool endpoint %1 answered HTTP %2").arg(url).arg(status);
        return s;
    }
    s = m_spec.kind == QLatin1String("prometheus") ? parsePrometheus(body, m_spec.metrics)
                                                   : parseJson(body, m_spec.pointers);
    return s;
}

void PoolSampler::run()
{
    auto next = std::chrono::steady_clock::now();
    QString lastError;
    while (true) {
        PoolSample s = fetch();
        s.t_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_runStart).count();
        if (!s.ok && s.error != lastError)
            qCWarning(lcPreflightDb) << "pool sampler:" << s.error;
        lastError = s.ok ? QString() : s.error;
        Q_EMIT sampleAvailable(s);
        next += std::chrono::milliseconds(qMax(10, m_options.interval_ms));
        const auto now = std::chrono::steady_clock::now();
        if (next < now)
            next = now;
        std::unique_lock<std::mutex> lock(m_mutex);
        if (m_wake.wait_until(lock, next, [this] { return m_stop; }))
            break;
    }
}

} // namespace Preflight
