#pragma once
// The network stack: lwIP (NO_SYS, raw API) inside the kernel. Every lwIP
// call is made holding the stack's lock, which keeps interrupts off: the
// cards' interrupts feed frames into lwIP and lwIP's timers run from the APIC
// timer, so nothing else may be inside lwIP then (one CPU; with more, the
// same lock serialises them). Nothing sleeps holding it.
#include "core/result.h"
#include "core/sync.h"
#include "core/types.h"

namespace net {

// Holds the stack's lock; on release, re-arms the timer for lwIP's next
// timeout (which any call may have changed).
class StackGuard {
public:
    StackGuard();
    ~StackGuard();
    StackGuard(const StackGuard&) = delete;
    StackGuard& operator=(const StackGuard&) = delete;

private:
    u64 m_flags;
};

// Starts lwIP once (its heap, the loopback interface): ENOMEM when the heap
// cannot be had. Every socket call starts it; boot starts it when a card is there.
ErrorOr start();

// At boot: puts an interface on every card found (drivers::discover) and
// starts IPv6 autoconfiguration on it, and DHCP and stateless DHCPv6 unless
// the kernel command line gives a static address (net.ip=, net.gateway=,
// net.dns=).
void start_cards(const char* cmdline);
// After the image is unpacked: when there is a card, waits (a few seconds at
// most) for the DHCP lease (a static address is there already), logs it,
// tells the host tool on the status channel (`elfin-status net ...`) and
// writes /etc/resolv.conf from the DNS servers it gave. A DHCPv6 answer is
// not waited for: it rewrites the file when it comes (`elfin-status dhcp6 ...`).
void configure_at_boot();

// The program has ended and the exit flush runs: wake nobody.
bool exiting();

// The wait queue woken whenever the stack changed something a sleeper may
// wait for (net/socket.cpp).
core::WaitQueue& events();

} // namespace net
