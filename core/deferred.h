#pragma once
// Work an interrupt handler hands over to thread context: what it may not do
// itself, such as writing a file (the file system runs under the giant lock
// and may allocate from the kernel heap). The network stack's callbacks run
// in the card's interrupt; a DHCPv6 answer that arrives after boot rewrites
// /etc/resolv.conf this way (net/stack.cpp).
//
// Queued work runs at the start of the next system call on any CPU, in the
// order queued: before the program can look at what it changes, since every
// look at a file is a system call. Work queued again before it ran runs once.
#include "core/types.h"

namespace core {

struct DeferredWork {
    void (*run)();
    DeferredWork* next = nullptr;
    bool queued = false;
};

// Safe in an interrupt handler.
void defer(DeferredWork& work);

// Runs what is queued (syscalls/dispatch.cpp): giant lock held, interrupts on.
void run_deferred();

} // namespace core
