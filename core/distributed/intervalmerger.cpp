#include "intervalmerger.h"

#include <algorithm>

namespace Preflight {

IntervalMerger::IntervalMerger(int agents) : m_received(size_t(agents), 0), m_finished(size_t(agents), false) {}

std::vector<IntervalSnapshotPtr> IntervalMerger::add(int agent, const IntervalSnapshotPtr &snapshot)
{
    if (agent < 0 || agent >= int(m_received.size()) || m_finished[size_t(agent)] || !snapshot)
        return {};
    // An agent's intervals arrive in order; its n-th is interval n of the run whatever index it carries.
    const int index = m_received[size_t(agent)]++;
    if (index >= m_next)
        m_pending[index].push_back(snapshot);
    return release();
}

std::vector<IntervalSnapshotPtr> IntervalMerger::finish(int agent)
{
    if (agent >= 0 && agent < int(m_finished.size()))
        m_finished[size_t(agent)] = true;
    return release();
}

bool IntervalMerger::isFinished() const
{
    return m_pending.empty() && std::all_of(m_finished.begin(), m_finished.end(), [](bool f) { return f; });
}

std::vector<IntervalSnapshotPtr> IntervalMerger::release()
{
    std::vector<IntervalSnapshotPtr> out;
    while (true) {
        bool complete = true;
        for (size_t a = 0; a < m_received.size(); ++a)
            if (!m_finished[a] && m_received[a] <= m_next)
                complete = false;
        auto it = m_pending.find(m_next);
        if (!complete || it == m_pending.end())
            break;
        auto merged = std::make_shared<IntervalSnapshot>(merge(it->second));
        merged->index = m_next;
        out.push_back(std::move(merged));
        m_pending.erase(it);
        ++m_next;
    }
    return out;
}

IntervalSnapshot IntervalMerger::merge(const std::vector<IntervalSnapshotPtr> &parts)
{
    IntervalSnapshot m;
    if (parts.empty())
        return m;
    const IntervalSnapshot &first = *parts.front();
    m.index = first.index;
    m.start_s = first.start_s;
    m.end_s = first.end_s;
    m.stage_index = first.stage_index;
    m.target_users = first.target_users;
    m.target_rate = first.target_rate;
    // The generator's health is the worst agent's: one saturated agent limits the load it was given however
    // idle the others are, so the merged CPU is the busiest agent's share per load thread times every thread.
    double busiest = 0;
    bool cpuKnown = true;
    for (const IntervalSnapshotPtr &p : parts) {
        m.start_s = std::min(m.start_s, p->start_s);
        m.end_s = std::max(m.end_s, p->end_s);
        m.in_flight += p->in_flight;
        m.queued += p->queued;
        m.started += p->started;
        m.dropped += p->dropped;
        if (m.endpoints.size() < p->endpoints.size())
            m.endpoints.resize(p->endpoints.size());
        for (size_t e = 0; e < p->endpoints.size(); ++e)
            m.endpoints[e].merge(p->endpoints[e]);
        if (p->client_cpu_s < 0 || p->load_threads <= 0)
            cpuKnown = false;
        else
            busiest = std::max(busiest, p->client_cpu_s / p->load_threads);
        m.load_threads += p->load_threads;
        m.send_lag_ms = std::max(m.send_lag_ms, p->send_lag_ms);
    }
    m.client_cpu_s = cpuKnown ? busiest * m.load_threads : -1;
    for (EndpointStats &e : m.endpoints)
        e.compactHistograms();
    return m;
}

} // namespace Preflight
