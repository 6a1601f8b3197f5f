#include "endpointstats.h"

#include <QStringList>

#include <algorithm>
#include <numeric>

namespace Preflight {

const char *httpProtocolName(HttpProtocol protocol)
{
    switch (protocol) {
    case HttpProtocol::Http1_0:
        return "HTTP/1.0";
    case HttpProtocol::Http1_1:
        return "HTTP/1.1";
    case HttpProtocol::Http2:
        return "HTTP/2";
    case HttpProtocol::Http3:
        return "HTTP/3";
    }
    return "";
}

int httpProtocolFromName(const QString &name)
{
    for (int p = 0; p < kHttpProtocolCount; ++p)
        if (name == QLatin1String(httpProtocolName(HttpProtocol(p))))
            return p;
    return -1;
}

QString EndpointStats::protocol() const
{
    std::array<int, kHttpProtocolCount> order{0, 1, 2, 3};
    std::stable_sort(order.begin(), order.end(),
                     [this](int a, int b) { return protocol_answers[size_t(a)] > protocol_answers[size_t(b)]; });
    QStringList names;
    for (int p : order)
        if (protocol_answers[size_t(p)] > 0)
            names << QLatin1String(httpProtocolName(HttpProtocol(p)));
    return names.join(QStringLiteral(" + "));
}

QString EndpointStats::transportSummary() const
{
    if (protocol().isEmpty() && connections_opened == 0)
        return {};
    return QStringLiteral("%1 · %2 connection%3 opened for %4 request%5")
        .arg(protocol().isEmpty() ? QStringLiteral("no answer") : protocol())
        .arg(connections_opened)
        .arg(QLatin1String(connections_opened == 1 ? "" : "s"))
        .arg(requests)
        .arg(QLatin1String(requests == 1 ? "" : "s"));
}

uint64_t EndpointStats::transportErrorTotal() const
{
    return std::accumulate(transport_errors.begin(), transport_errors.end(), uint64_t(0));
}

void EndpointStats::merge(const EndpointStats &other)
{
    requests += other.requests;
    ok += other.ok;
    http_errors += other.http_errors;
    for (int i = 0; i < kErrorClassCount; ++i)
        transport_errors[size_t(i)] += other.transport_errors[size_t(i)];
    for (const auto &[status, count] : other.status_counts)
        status_counts[status] += count;
    bytes_received += other.bytes_received;
    for (int p = 0; p < kHttpProtocolCount; ++p)
        protocol_answers[size_t(p)] += other.protocol_answers[size_t(p)];
    connections_opened += other.connections_opened;
    latency.merge(other.latency);
    latency_uncorrected.merge(other.latency_uncorrected);
}

void EndpointStats::compactHistograms()
{
    latency.compact();
    latency_uncorrected.compact();
}

bool EndpointStats::operator==(const EndpointStats &other) const
{
    return requests == other.requests && ok == other.ok && http_errors == other.http_errors &&
           transport_errors == other.transport_errors && status_counts == other.status_counts &&
           bytes_received == other.bytes_received && protocol_answers == other.protocol_answers &&
           connections_opened == other.connections_opened && latency == other.latency &&
           latency_uncorrected == other.latency_uncorrected;
}

} // namespace Preflight
