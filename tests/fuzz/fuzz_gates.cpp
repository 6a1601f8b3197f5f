// libFuzzer harness: a custom gates file (--gates FILE or the plan's "gates"). What is read is then labelled (the
// report and the GUI show label() and unit()) and judged against a level and a value on either side of each
// threshold, as the report does with a real run.
#include "diagnosis/gates.h"
#include "diagnosis/levelsummary.h"

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
    std::optional<Preflight::GateSet> gates = Preflight::GateSet::fromJson(doc.object(), &error);
    if (!gates)
        return 0;
    for (const Preflight::GateSpec &g : gates->checks()) {
        (void)g.label();
        (void)g.unit();
        (void)g.accepts(g.threshold);
        (void)g.accepts(g.threshold * 2 + 1);
    }
    Preflight::LevelSummary level;
    level.requests = 100;
    level.ok = 99;
    level.errors = 1;
    level.rps = 50;
    level.p95_ms = 120;
    (void)gates->levelPasses(level);
    (void)gates->expectedLevel({level});
    return 0;
}
