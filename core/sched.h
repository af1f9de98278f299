#pragma once
// The scheduler: round-robin time slices over one run queue, blocking on
// wait queues with optional deadlines, and the timer list that ends sleeps.
//
// The kernel is not preempted: a thread in a syscall runs until it blocks or
// returns. The timer marks the running thread for rescheduling when its slice
// is over, and the switch happens on the way back to user mode
// (kernel_exit_to_user, called by entry.S). Kernel code on all CPUs runs
// under the giant lock (core/giant.h), so kernel data needs no locks against
// other threads; the scheduler's own lock guards what the timer interrupt
// touches (run queues, timers, wait queues). Each CPU has a run queue;
// sched.cpp says how threads are spread.
#include "core/thread.h"
#include "core/sync.h"

namespace core::sched {

constexpr u64 SLICE_NS = 10'000'000;

// Called once on the boot CPU after threads_init: makes the idle thread.
void init();
// The boot CPU, once the others are started: how many CPUs there are.
void set_cpu_count(int n);
// Another CPU, ready: becomes its idle thread on the stack it runs on.
[[noreturn]] void run_ap(u64 stack_top);
// The reschedule IPI's handler (no giant lock): this CPU looks at its queue
// and at signals on its way back to user mode.
void resched_ipi();
// sched_setaffinity: a thread that may no longer run where it is moves.
void set_affinity(Thread* t, u64 mask);
// Makes a new thread runnable.
void start(Thread* t);
// Gives up the CPU to the next runnable thread (sched_yield).
void yield();
// Blocks the current thread on `wq` until woken, until the monotonic
// `deadline` (ETIMEDOUT), or, when interruptible, until a signal is
// deliverable to it (EINTR). A signal sent that this thread will not take
// (blocked) may end the wait early with success: callers re-check, as with
// any futex-style wake-up.
ErrorOr wait(WaitQueue& wq, u64 deadline, bool interruptible);
// Sleeps until the deadline; interruptible: EINTR when a signal is
// deliverable, and possibly an early success on another thread's signal.
ErrorOr sleep_until(u64 deadline, bool interruptible);
// Wakes the first waiter / every waiter; returns how many were woken.
u32 wake_one(WaitQueue& wq);
u32 wake_all(WaitQueue& wq);
// Wakes up to `max` waiters on `wq` whose wait_key is `key` and whose
// wait_bits share a bit with `bits`.
u32 wake_matching(WaitQueue& wq, u64 key, u32 bits, u32 max);
// Moves up to `max` waiters keyed `key` from `from` to `to`, rekeyed `new_key`.
u32 requeue_matching(WaitQueue& from, u64 key, WaitQueue& to, u64 new_key, u32 max);
// A signal was sent to t: if it sleeps interruptibly it wakes and looks.
void kick(Thread* t);
// core/signal.cpp after queuing a signal: for a thread (its SignalState) or,
// with nullptr, for the process (every thread looks).
void signal_sent(SignalState* target);
// Ends the current thread; the last thread's exit ends the program with the
// first thread's status.
[[noreturn]] void exit_current(int code);
// The number of CPUs running threads, and the one this thread runs on.
int cpu_count();
int this_cpu_id();
// The time slice of t: SLICE_NS at nice 0, scaled by Linux's nice weights.
u64 slice_ns(const Thread* t);
// CPU time of a thread in ns.
u64 thread_cpu_ns(Thread* t);
u64 process_cpu_ns();
// getrusage, times and /proc's stat: CPU time (cpu_ns, of which sys_ns in
// the kernel), context switches and page faults, of a thread or of the
// whole program (threads that ended included).
struct Usage {
    u64 cpu_ns = 0, sys_ns = 0, nvcsw = 0, nivcsw = 0, minflt = 0;
};
Usage thread_usage(Thread* t);
Usage process_usage();
// The giant lock, as a thread comes in from user mode (`now`: when it
// arrived, before any wait for the lock) and as it goes back.
void account_kernel_entry(u64 now);
void account_kernel_exit();

// Timer interrupt (core/time.cpp), interrupts off.
void timer_tick();

} // namespace core::sched

namespace x86 { struct TrapFrame; }
// entry.S, with interrupts off, on every return to ring 3.
extern "C" void kernel_exit_to_user(x86::TrapFrame* f);
