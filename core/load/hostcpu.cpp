#include "hostcpu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace Preflight {

HostCpuMeter::HostCpuMeter() : m_last(read())
{
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    m_cpus = cpus > 0 ? int(cpus) : 0;
}

std::optional<double> HostCpuMeter::busyShareSinceLast()
{
    const std::optional<Reading> now = read();
    if (!now)
        return std::nullopt;
    std::optional<double> share;
    if (m_last)
        share = busyShare(*m_last, *now);
    m_last = now;
    return share;
}

std::optional<HostCpuMeter::Reading> HostCpuMeter::parse(const char *procStat)
{
    if (!procStat || std::strncmp(procStat, "cpu ", 4) != 0)
        return std::nullopt;
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user/nice)
    uint64_t field[8] = {};
    const char *p = procStat + 4;
    for (uint64_t &value : field) {
        char *end = nullptr;
        value = std::strtoull(p, &end, 10);
        if (end == p)
            return std::nullopt;
        p = end;
    }
    Reading r;
    const uint64_t idle = field[3] + field[4];
    r.busy = field[0] + field[1] + field[2] + field[5] + field[6] + field[7];
    r.total = r.busy + idle;
    return r;
}

std::optional<double> HostCpuMeter::busyShare(const Reading &before, const Reading &after)
{
    if (after.total <= before.total || after.busy < before.busy)
        return std::nullopt;
    const double share = double(after.busy - before.busy) / double(after.total - before.total);
    return share > 1 ? 1.0 : share;
}

std::optional<HostCpuMeter::Reading> HostCpuMeter::read()
{
    FILE *file = std::fopen("/proc/stat", "re");
    if (!file)
        return std::nullopt;
    char line[512];
    const bool ok = std::fgets(line, sizeof line, file) != nullptr;
    std::fclose(file);
    return ok ? parse(line) : std::nullopt;
}

} // namespace Preflight
