#pragma once

#include "data/dbsample.h"
#include "load/transportoptions.h"
#include "plan/plan.h"

#include <QByteArray>
#include <QJsonValue>
#include <QObject>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Preflight {

// Reads the application's own connection-pool figures from its health or metrics endpoint, once per
// interval_ms (1 Hz by default), on its own thread with a libcurl easy handle and a short timeout.
//   kind "json":       JSON pointers (RFC 6901) for in_use / idle / max / waiting;
//                      no pointers → the "sqlalchemy" preset (/pool/checked_out, /pool/checked_in, /pool/max,
//                      /pool/waiting).
//   kind "prometheus": text exposition, metric names for the same four keys, values summed over label sets
//                      (several pools add up); no names → the "hikaricp" preset (hikaricp_connections_active,
//                      _idle, _max, _pending).
// A missing, failing or unparsable endpoint yields PoolSample{ok=false, error} (a warning for the run, never a
// failure). t_s is seconds since runStart, taken when the answer arrived.
// Threading: start()/stop() from the owning thread; sampleAvailable is emitted from the sampler thread
// (queued to receivers). stop() returns within the request timeout at worst.
class PoolSampler : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int interval_ms = 1000;
        int timeout_ms = 800;             // per sample, whole and connect (overrides transport's)
        TransportOptions transport;       // TLS, proxy, HTTP version: TransportOptions::fromTarget(plan.target)
        std::vector<std::string> headers; // "Name: value" (e.g. the login token), already resolved
    };

    // absoluteUrl: the spec's url resolved against the target (RequestFactory::absoluteUrl).
    PoolSampler(const PoolSpec &spec, const std::string &absoluteUrl, std::chrono::steady_clock::time_point runStart,
                const Options &options, QObject *parent = nullptr);
    ~PoolSampler() override;

    void start();
    void stop();
    bool isRunning() const { return m_thread.joinable(); }

    // "sqlalchemy" (json) or "hikaricp" (prometheus); unknown names give an empty spec.
    static PoolSpec preset(const QString &name);
    // Pure parsers, exposed for tests and for one-shot checks.
    static PoolSample parseJson(const QByteArray &body, const std::map<QString, QString> &pointers);
    static PoolSample parsePrometheus(const QByteArray &body, const std::map<QString, QString> &metrics);
    // RFC 6901 JSON pointer ("" = the whole document); undefined QJsonValue when it does not resolve.
    static QJsonValue jsonPointer(const QJsonValue &root, const QString &pointer);

Q_SIGNALS:
    void sampleAvailable(const Preflight::PoolSample &sample);

private:
    void run();
    PoolSample fetch();

    PoolSpec m_spec;
    std::string m_url;
    std::chrono::steady_clock::time_point m_runStart;
    Options m_options;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
};

} // namespace Preflight
