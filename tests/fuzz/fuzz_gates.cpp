// libFuzzer harness: a custom gates file (--gates FILE or the plan's "gates").
#include "diagnosis/gates.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!doc.isObject())
        return 0;
    QString error;
    if (std::optional<Preflight::GateSet> gates = Preflight::GateSet::fromJson(doc.object(), &error))
        (void)gates->checks();
    return 0;
}
