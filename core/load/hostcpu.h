#pragma once

#include <cstdint>
#include <optional>

namespace Preflight {

// The host's CPU as the kernel counts it (/proc/stat, all CPUs together): how busy it was between two readings.
// On a loopback target the backend, its database and Preflight share these CPUs, so a saturated host is a reason
// for flat throughput that Little's law alone cannot tell from one request at a time (docs/diagnosis.md).
// Not thread-safe: one meter per reader (the load engine's collector thread).
class HostCpuMeter
{
public:
    struct Reading
    {
        uint64_t busy = 0;  // user + nice + system + irq + softirq + steal, in clock ticks
        uint64_t total = 0; // busy + idle + iowait
    };

    HostCpuMeter();

    // Share of all CPUs busy since the previous call (or construction), 0..1; nullopt when /proc/stat cannot be
    // read (not Linux, sandboxed) or no tick passed.
    std::optional<double> busyShareSinceLast();
    int cpuCount() const { return m_cpus; } // online CPUs; 0 unknown

    // Parses the aggregate "cpu " line of /proc/stat's text; nullopt when it is absent or malformed.
    static std::optional<Reading> parse(const char *procStat);
    // busy/total of the ticks between two readings; nullopt when no tick passed or the counters went back.
    static std::optional<double> busyShare(const Reading &before, const Reading &after);

private:
    static std::optional<Reading> read();

    std::optional<Reading> m_last;
    int m_cpus = 0;
};

} // namespace Preflight
