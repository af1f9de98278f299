#pragma once
// QEMU's user network (libslirp 4.7) listens on each published TCP port with a
// backlog of 1. A burst of clients (wrk, redis-benchmark) then finds the
// host's accept queue full after two connections: the kernel drops the other
// SYNs and each client retries a second later, then 3 s, 7 s... so 50 clients
// take minutes to connect. Linux lets listen() be called again on a listening
// socket to change its backlog, so the tool takes QEMU's listening sockets
// with pidfd_getfd (it is QEMU's parent, which ptrace's rules allow) and
// raises their backlog to SOMAXCONN. Where the elfin tool does not start QEMU
// (the run script of `elfin build`, scripts/bench's Linux microVM), the
// elfin-backlog helper (tools/backlog_main.cpp) starts it and does the same.
#include "tools/options.h"
#include <chrono>
#include <sys/types.h>
#include <vector>

namespace elfin {

// Raises the backlog of every socket of process `qemu` that listens on one of
// the TCP ports of `ports`. Returns how many of those ports it found (QEMU
// opens them while it starts: call again until all are found), or -1 when the
// process's sockets cannot be taken (no pidfd_getfd, or not permitted).
int raise_listen_backlogs(pid_t qemu, const std::vector<PortForward>& ports);

// How many of `ports` are TCP: what raise_listen_backlogs returns once done.
int tcp_port_count(const std::vector<PortForward>& ports);

// The backlogs of a QEMU that is starting: it opens its listeners a moment
// after it was started, so the caller looks again every RETRY until all are
// raised, the sockets cannot be taken, or GIVE_UP has passed since this was made.
class StartingQemuBacklogs {
public:
    static constexpr auto RETRY = std::chrono::milliseconds(20);
    static constexpr auto GIVE_UP = std::chrono::seconds(10);

    StartingQemuBacklogs(pid_t qemu, std::vector<PortForward> ports);
    // Whether another look is wanted (no TCP port: never).
    bool pending() const { return m_pending; }
    // One look; afterwards pending() says whether to look again after RETRY.
    void look();
    // Once no longer pending: whether every TCP port's backlog was raised.
    bool all_raised() const { return m_found == tcp_port_count(m_ports); }

private:
    pid_t m_qemu;
    std::vector<PortForward> m_ports;
    std::chrono::steady_clock::time_point m_give_up;
    int m_found = 0;
    bool m_pending;
};

} // namespace elfin
