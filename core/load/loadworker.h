#pragma once

#include "loaddriver.h"

#include <string>
#include <vector>

typedef void CURLM;

namespace Preflight {

// The libcurl load path: a LoadDriver whose transport is a CURLM driven through curl_multi_socket_action on
// the driver's epoll set, one easy handle per slot kept for the whole run (so that libcurl reuses its
// connection and nothing is allocated per request). Carries everything: TLS, HTTP/2, proxies.
class LoadWorker : public LoadDriver
{
public:
    LoadWorker(int index, EngineShared *shared);
    ~LoadWorker() override;

    struct Slot;

protected:
    void setUpTransport(int slotCount) override;
    void tearDownTransport() override;
    void send(int slot, int endpoint, uint64_t seq, EngineClock::time_point now) override;
    void handleEvent(const epoll_event &event) override;
    void runDue(EngineClock::time_point now) override;
    EngineClock::time_point transportDeadline() const override { return m_curlDeadline; }

private:
    friend struct LibcurlCallbacks; // loadworker.cpp: the socket, timer and open/close socket callbacks

    // Hands one ready socket (or, with fd < 0, libcurl's expired timers) to libcurl and records the
    // transfers that finished.
    void dispatch(int fd, int curlEvents);
    void watchSocket(int fd, int curlWhat);
    void forgetSocket(int fd);
    void growSocketTables(int fd); // sizes the per-socket tables to hold fd
    // Records finished transfers; the driver starts the next request of each freed slot.
    void completeTransfers(EngineClock::time_point now);
    void finish(Slot &slot, int curlCode, EngineClock::time_point now);

    CURLM *m_multi = nullptr;
    // Per socket: the epoll events registered, and whether libcurl currently wants it watched. A socket
    // libcurl stops watching (its connection went back to the pool after a transfer) stays registered, so
    // that reusing it for the next request costs no epoll_ctl; see watchSocket().
    // Only connection sockets, which libcurl opens and closes through our callbacks (so a closed number that
    // is reused is never mistaken for a registered one), are kept; others (the resolver's) are unregistered.
    std::vector<uint32_t> m_registered;
    std::vector<bool> m_wanted;
    std::vector<bool> m_ours;
    EngineClock::time_point m_curlDeadline = EngineClock::time_point::max();
    std::vector<Slot *> m_slots;
};

} // namespace Preflight
