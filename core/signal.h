#pragma once
// Signals as Linux has them: process-wide dispositions and process-directed
// pending signals; per-thread blocked mask, thread-directed pending signals and
// alternate stack (SignalState); delivery on the way back to user mode with
// Linux's x86-64 rt_sigframe; rt_sigreturn; the interval timers that raise
// SIGALRM. The syscalls in syscalls/signal.cpp decode and call in here.
#include "core/types.h"
#include "core/result.h"

namespace x86 { struct TrapFrame; }

namespace core {

constexpr int NSIG = 64;

// The kernel's struct sigaction on x86-64.
struct SigAction {
    u64 handler;   // SIG_DFL = 0, SIG_IGN = 1
    u64 flags;
    u64 restorer;
    u64 mask;
};

// siginfo_t (128 bytes), the fields Elfin fills.
struct SigInfo {
    i32 signo, err, code;
    // Kernel-only, in what is padding to the program: on the queued signal
    // of a POSIX timer, that timer's serial number (core/posix_timer.h);
    // cleared before the program sees the siginfo and in any siginfo the
    // program supplies.
    i32 from_timer;
    union {
        struct { i32 pid; u32 uid; u64 value; } kill;      // SI_USER, SI_TKILL, SI_QUEUE
        struct { i32 tid, overrun; u64 value; } timer;     // SI_TIMER: timer id, overruns, sigev_value
        struct { u64 addr; } fault;                        // SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP
        struct { i32 pid; u32 uid; i32 status; i64 utime, stime; } child;
        u8 raw[112];
    };
};
static_assert(sizeof(SigInfo) == 128);

// Signals waiting for delivery: standard signals at most once, real-time
// signals queued in order (up to QUEUE_MAX entries in all; Linux's limit is
// RLIMIT_SIGPENDING, much larger, but a program that queues more than a
// handful of signals unread is rare).
struct PendingSignals {
    static constexpr int QUEUE_MAX = 32;
    u64 mask = 0;
    SigInfo queue[QUEUE_MAX] {};
    int count = 0;
};

struct SignalState {
    u64 blocked = 0;
    PendingSignals pending;             // directed at this thread (tgkill, faults)
    u64 altstack_sp = 0, altstack_size = 0;
    u32 altstack_flags = 2;             // SS_DISABLE, or 0 / SS_AUTODISARM as set
    // rt_sigsuspend / ppoll: the mask to put back once the wait is over (or to
    // save in the signal frame when a handler runs).
    bool restore_saved_mask = false;
    u64 saved_mask = 0;
    // The fault that raised the signal being delivered (sigcontext trapno/err/cr2).
    u64 fault_trapno = 0, fault_err = 0, fault_cr2 = 0;
    // The frame of the syscall in progress (rt_sigreturn rewrites it).
    x86::TrapFrame* syscall_frame = nullptr;
};

// The calling thread's signal state (core::Thread::signals).
SignalState& current_signal_state();

} // namespace core

namespace core::signal {

enum : int {
    SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
    SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
    SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22,
    SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29,
    SIGPWR = 30, SIGSYS = 31, SIGRTMIN = 32,
};
constexpr u64 SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x04000000,
              SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000,
              SA_RESETHAND = 0x80000000;
constexpr i32 SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TIMER = -2, SI_TKILL = -6;
constexpr i32 SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, FPE_INTDIV = 1,
              FPE_INTOVF = 2, FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6,
              FPE_FLTINV = 7, ILL_ILLOPN = 2, TRAP_BRKPT = 1, TRAP_TRACE = 2;
constexpr u32 SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1u << 31;

constexpr u64 bit(int sig) { return 1ull << (sig - 1); }
constexpr u64 UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

// Process-wide disposition of sig (1..NSIG). set_action drops pending
// instances of a signal that is now ignored, as Linux does.
SigAction& action(int sig);
void set_action(int sig, const SigAction& act);
// Pending signals: this thread's and the process's.
u64 pending_mask();
// Anything pending and not blocked?
bool has_deliverable();

// Sends sig to the process (kill, alarm) or to the calling thread (tgkill).
// A signal whose disposition is to ignore it is dropped at once; a standard
// signal already pending is merged; EAGAIN when the real-time queue is full.
ErrorOr send_to_process(const SigInfo& info);
ErrorOr send_to_thread(SignalState& target, const SigInfo& info);
// A POSIX timer's signal, for the process or (not null) one thread: true when
// it was queued, false when it was dropped (ignored) or merged with an
// instance already pending (a standard signal), so the timer re-arms itself.
bool send_timer_signal(SignalState* thread, const SigInfo& info);
// A synchronous fault in user mode: sent to the current thread, which cannot
// block or ignore it (Linux's force_sig_fault); delivered on the way out of
// the trap.
void force_fault(int sig, i32 code, u64 addr, const x86::TrapFrame& f);
// Takes the first pending signal in `mask` (synchronous ones first, then the
// lowest number; the thread's before the process's). 0 when none.
int dequeue(u64 mask, SigInfo& out);

// Changes the calling thread's blocked mask (SIGKILL/SIGSTOP stay unblocked).
void set_blocked(u64 mask);

// On every return to user mode: runs the default action or sets up a handler
// frame for each deliverable signal. After a syscall, `nr` is the syscall's
// number and `ret` its raw return value: -ERESTART* codes become a restart or
// EINTR as Linux decides (SA_RESTART). Pass nr = -1 after an interrupt/fault.
void deliver(x86::TrapFrame& f, i64 nr, i64 ret);
// rt_sigreturn: restores what the handler's frame saved; returns the restored rax.
Result<i64> sigreturn(x86::TrapFrame& f);

// Waits (halting the CPU) until a signal is deliverable, or one in `wanted`
// is pending, or monotonic time reaches `deadline` (~0: no deadline).
void wait(u64 wanted, u64 deadline);

// The interval timers: ITIMER_REAL (monotonic time), ITIMER_VIRTUAL and
// ITIMER_PROF (the process's CPU time, user and system together).
struct ITimer { u64 value_ns, interval_ns; };
Result<ITimer> get_itimer(int which);
Result<ITimer> set_itimer(int which, ITimer t);

// sigaltstack.
struct AltStack { u64 sp; u32 flags; u64 size; };
AltStack get_altstack(u64 user_sp);
ErrorOr set_altstack(const AltStack& s, u64 user_sp);

} // namespace core::signal
