// libFuzzer harness: the run JSON reader (preflight import of a run written elsewhere, the corpus replay).
#include "store/runjson.h"

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
    if (std::optional<Preflight::RunData> run = Preflight::RunJson::runFrom(doc.object(), &error))
        (void)Preflight::RunJson::run(*run); // what was read must write back without crashing
    return 0;
}
