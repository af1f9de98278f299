#pragma once
// Kernel timers: a callback run by the timer interrupt at a monotonic
// deadline. The interval timers (setitimer), POSIX timers (timer_create) and
// anything else that must act at a time without a thread waiting for it
// share this one list; the local APIC timer is armed for the nearest of its
// head and the scheduler's own deadline (core/time.cpp).
//
// A timer that counts CPU time (ITIMER_VIRTUAL, ITIMER_PROF, timers on the
// CPU-time clocks) is armed for the earliest monotonic time its clock can
// reach the target (CPU time runs no faster than the wall clock); its
// callback looks at the clock and re-arms itself for what is still missing.
//
// Callbacks run in the timer interrupt (under the giant lock, core/giant.h) with interrupts off and the list
// unlocked: they may send signals, wake wait queues and (re-)arm timers, but
// never sleep.
#include "core/types.h"

namespace core::time {

struct KTimer {
    using Callback = void (*)(KTimer& t, u64 now);
    Callback fire = nullptr;
    void* owner = nullptr;    // for the callback
    u64 deadline = ~0ull;     // monotonic ns, while armed
    KTimer* next = nullptr;
    bool armed = false;
};

// Arms (or moves) t for the monotonic `deadline`; a deadline already past
// fires at the next timer interrupt, which is made to come at once.
void ktimer_arm(KTimer& t, u64 deadline);
// Disarms t; nothing happens if it is not armed. Once this returns, t's
// callback is not running and will not run (callbacks run in the timer
// interrupt, under the giant lock the caller holds too).
void ktimer_cancel(KTimer& t);

// core/time.cpp: the earliest armed deadline (~0 for none), and the timer
// interrupt's call that runs every callback whose deadline has passed.
u64 ktimer_next_deadline();
void ktimer_run_expired(u64 now);

// A CPU-time timer's next look at its clock, `left` ns of CPU time before it
// is due: now when it is due, else after `left` divided by the CPUs online
// (CPU time runs up to N times as fast as the wall clock on N CPUs) but no
// sooner than 1 ms from now, as Linux looks at CPU timers on the scheduler
// tick (every 4 ms at HZ=250), so a process that is not running costs at most
// one interrupt per millisecond.
constexpr u64 CPU_TIMER_GRANULE_NS = 1'000'000;
u64 cpu_timer_deadline(u64 now, u64 left);

} // namespace core::time
