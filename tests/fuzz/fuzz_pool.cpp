// libFuzzer harness: the pool metrics parsers (a health JSON document or Prometheus text the target serves).
#include "db/poolsampler.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const char *preset : {"hikaricp", "sqlalchemy", "json"}) {
        const Preflight::PoolSpec spec = Preflight::PoolSampler::preset(QString::fromLatin1(preset));
        (void)Preflight::PoolSampler::parseJson(body, spec.pointers);
        (void)Preflight::PoolSampler::parsePrometheus(body, spec.metrics);
    }
    const std::map<QString, QString> pointers{{QStringLiteral("in_use"), QStringLiteral("/pool/checked_out")},
                                              {QStringLiteral("idle"), QStringLiteral("/pool/checked_in")},
                                              {QStringLiteral("max"), QStringLiteral("/pool/max")},
                                              {QStringLiteral("waiting"), QStringLiteral("/pool/~1a~0b/0")}};
    (void)Preflight::PoolSampler::parseJson(body, pointers);
    const std::map<QString, QString> metrics{
        {QStringLiteral("in_use"), QStringLiteral("hikaricp_connections_active")},
        {QStringLiteral("idle"), QStringLiteral("hikaricp_connections_idle")},
        {QStringLiteral("max"), QStringLiteral("hikaricp_connections_max")},
        {QStringLiteral("waiting"), QStringLiteral("pool_waiting{pool=\"main\"}")}};
    (void)Preflight::PoolSampler::parsePrometheus(body, metrics);
    return 0;
}
