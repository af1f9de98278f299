#pragma once
// Shared by the socket kinds (net/socket.cpp, tcp.cpp, udp.cpp): addresses
// between Linux's sockaddr and lwIP's ip_addr_t, lwIP's err_t as an errno,
// and the wait for a socket to become ready.
#include "core/sched.h"
#include "core/thread.h"
#include "core/time.h"
#include "fs/poll.h"
#include "net/lwip.h"
#include "net/socket.h"
#include "net/stack.h"

namespace net {

// sockaddr -> (address, port) for a socket of `family`: EINVAL for a short
// length, EAFNOSUPPORT for another family. An AF_INET6 socket's
// ::ffff:a.b.c.d is the IPv4 address.
Result<ip_addr_t> parse_address(const SockAddr& a, int family, u16* port);
SockAddr make_address(const ip_addr_t& ip, u16 port, int family);
Errno errno_of(err_t e);
// The socket's readiness changed: poll/select/epoll and blocked callers look.
void notify(Socket* s);

template<typename Ready>
ErrorOr Socket::wait_until(Ready ready, bool nonblocking, u64 timeout_ns)
{
    u64 deadline = timeout_ns ? core::time::monotonic_ns() + timeout_ns : core::NO_DEADLINE;
    // Interrupts stay off from each look until the thread is on the queue:
    // what the card's interrupt changes is seen or wakes us.
    u64 flags = core::irq_save();
    ErrorOr result {};
    for (;;) {
        bool ok;
        {
            StackGuard g;
            ok = ready();
        }
        if (ok) break;
        if (nonblocking) {
            result = Errno::EAGAIN;
            break;
        }
        auto r = core::sched::wait(events(), deadline, true);
        if (r.is_error() && r.error() == Errno::EINTR) {
            result = Errno::ERESTARTSYS;
            break;
        }
        if (r.is_error() && r.error() == Errno::ETIMEDOUT) {
            result = Errno::EAGAIN;
            break;
        }
    }
    core::irq_restore(flags);
    return result;
}

Result<core::Ref<Socket>> make_tcp_socket(int family);
Result<core::Ref<Socket>> make_udp_socket(int family);
Result<core::Ref<Socket>> make_netlink_socket(int type, int protocol);

} // namespace net
