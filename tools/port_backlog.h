#pragma once
// QEMU's user network (libslirp 4.7) listens on each published TCP port with a
// backlog of 1. A burst of clients (wrk, redis-benchmark) then finds the
// host's accept queue full after two connections: the kernel drops the other
// SYNs and each client retries a second later, then 3 s, 7 s... so 50 clients
// take minutes to connect. Linux lets listen() be called again on a listening
// socket to change its backlog, so the tool takes QEMU's listening sockets
// with pidfd_getfd (it is QEMU's parent, which ptrace's rules allow) and
// raises their backlog to SOMAXCONN.
#include "tools/options.h"
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

} // namespace elfin
