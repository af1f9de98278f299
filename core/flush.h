#pragma once
// Work a driver may put off while the program keeps the CPU busy, done in
// one go soon after: a network card's doorbell rung once for the frames a
// program sent in a row, not once per frame. Each doorbell is a trap to the
// hypervisor (under QEMU's TCG, taken under its global lock), and a server
// answering many clients sends one frame per answer.
//
// What was put off is done before the CPU would wait (the idle loop), when
// the program makes a system call that is not a send (syscalls/dispatch.cpp), at
// the end of the timer interrupt, and, at the latest, by a kernel timer
// LATEST_NS after the first request: a program that sends and then computes
// for long without a system call delays its frames by that much at most.
// All of it runs under the giant lock.
#include "core/types.h"

namespace core::flush {

constexpr u64 LATEST_NS = 1'000'000;

// The one hook (the network's: net/stack.cpp), run by run().
void set_hook(void (*hook)());
// The hook has work: run() will call it. Cheap when already requested.
void request();
// Calls the hook if it has work.
void run();

} // namespace core::flush
