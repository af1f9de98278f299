#pragma once
// POSIX per-process timers (timer_create & co.), as Linux's
// kernel/time/posix-timers.c keeps them: a timer on a clock that, at each
// expiry, queues one preallocated signal (SI_TIMER, si_timerid, si_value)
// for the process (SIGEV_SIGNAL, and SIGEV_THREAD, which glibc builds in user
// space) or one thread (SIGEV_THREAD_ID), or does nothing (SIGEV_NONE).
//
// A periodic timer whose signal is still queued is not re-armed: when the
// signal is taken (delivered, sigwaitinfo, signalfd), the timer moves past
// the expiries it missed, counts them as overruns (si_overrun,
// timer_getoverrun) and is re-armed. A signal that is dropped (ignored)
// re-arms it at once, as Linux does.
#include "core/result.h"
#include "core/signal.h"

namespace core::ptimer {

constexpr int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;

// struct sigevent, the fields the kernel reads.
struct SigEvent {
    u64 value;   // sigev_value
    i32 signo, notify;
    i32 tid;     // sigev_notify_thread_id
};

// struct itimerspec, in ns; value 0 is disarmed.
struct Setting {
    u64 value_ns, interval_ns;
};

// A timer_delete leaves the timer's queued signal pending; taking it drops it.
//
// timer_create: EINVAL for a clock Linux does not know or a bad sigevent,
// EOPNOTSUPP for a clock that has no timers (MONOTONIC_RAW, the coarse
// clocks), EAGAIN when the process has too many timers. Null `ev`: SIGALRM to
// the process with the timer's id as its value.
Result<i32> create(int clock, const SigEvent* ev);
// timer_settime (the old setting) / timer_gettime / timer_getoverrun /
// timer_delete: EINVAL for an id that is not a live timer.
Result<Setting> set(i32 id, bool absolute, Setting s);
Result<Setting> get(i32 id);
Result<i32> overrun(i32 id);
ErrorOr remove(i32 id);

// core/signal.cpp, interrupts off: a timer's signal left its queue to be
// seen by the program: fills si_overrun, re-arms, clears the kernel-only
// field; false when the signal is stale (its timer was deleted or set again
// since) and must be dropped unseen. signal_dropped: it was flushed unseen.
bool signal_dequeued(SigInfo& info);
void signal_dropped(const SigInfo& info);

} // namespace core::ptimer
