// libFuzzer harness: the latency histogram decoder (the run store's blobs; a damaged store must not crash).
#include "data/latencyhistogram.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Preflight::LatencyHistogram h;
    if (!Preflight::LatencyHistogram::deserialize(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)),
                                                  &h))
        return 0;
    for (double q : {0.0, 0.5, 0.99, 1.0})
        (void)h.valueAtQuantile(q);
    (void)h.mean_us();
    Preflight::LatencyHistogram merged;
    merged.merge(h);
    merged.merge(h);
    // What decodes must encode back to the same histogram.
    Preflight::LatencyHistogram again;
    if (!Preflight::LatencyHistogram::deserialize(h.serialize(), &again) || again != h)
        std::abort();
    return 0;
}
