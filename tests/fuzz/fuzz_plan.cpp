// libFuzzer harness: the plan parser (a plan file is the first thing a user hands Preflight).
#include "plan/planparser.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    Preflight::PlanError error;
    // parse = read + validate; read alone is what a replayed run uses.
    if (std::optional<Preflight::Plan> plan = Preflight::PlanParser::parse(bytes, &error))
        (void)Preflight::PlanParser::validate(*plan);
    (void)Preflight::PlanParser::read(bytes, &error);
    return 0;
}
