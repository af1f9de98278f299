// Signal state, sending, dequeuing, waiting and the interval timers. The
// frame that runs a handler is built in core/signal_frame.cpp.
//
// Interrupt context: timers send signals from the timer interrupt
// (core/itimer.cpp, core/posix_timer.cpp), so every change to a pending set
// is made with interrupts off (IrqOff).
#include "core/signal.h"
#include "core/signal_internal.h"
#include "core/crash_report.h"
#include "core/posix_timer.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/thread.h"
#include "core/power.h"
#include "core/time.h"
#include "core/klog.h"
#include "core/string.h"

namespace core {

SignalState& current_signal_state() { return current()->signals; }

} // namespace core

namespace core::signal {

namespace {
SigAction g_actions[NSIG + 1];
PendingSignals g_process_pending;

// Linux's SYNCHRONOUS_MASK: faults are taken before anything else.
constexpr u64 SYNCHRONOUS = bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) | bit(SIGFPE) | bit(SIGSYS);

void remove_at(PendingSignals& p, int i)
{
    for (int j = i; j + 1 < p.count; j++) p.queue[j] = p.queue[j + 1];
    p.count--;
}

ErrorOr enqueue(PendingSignals& p, const SigInfo& info)
{
    int sig = info.signo;
    if (sig < SIGRTMIN && (p.mask & bit(sig))) return {}; // a standard signal is pending once
    if (p.count == PendingSignals::QUEUE_MAX) {
        // A standard signal always gets through (Linux sends it without its
        // siginfo then); a real-time one is refused.
        if (sig >= SIGRTMIN) return Errno::EAGAIN;
        for (int i = p.count - 1; i >= 0; i--)
            if (p.queue[i].signo >= SIGRTMIN) { remove_at(p, i); break; }
        if (p.count == PendingSignals::QUEUE_MAX) return Errno::EAGAIN;
    }
    p.queue[p.count++] = info;
    p.mask |= bit(sig);
    return {};
}

int take(PendingSignals& p, int sig, SigInfo& out)
{
    bool more = false, found = false;
    for (int i = 0; i < p.count; i++) {
        if (p.queue[i].signo != sig) continue;
        if (!found) {
            out = p.queue[i];
            remove_at(p, i);
            if (out.from_timer && !ptimer::signal_dequeued(out)) {
                // A deleted or re-set timer's: dropped unseen, as Linux 6.13+ does.
                i--;
                continue;
            }
            found = true;
            i--;
        } else {
            more = true;
            break;
        }
    }
    if (!more) p.mask &= ~bit(sig);
    return found ? sig : 0;
}

int pick(u64 ready)
{
    if (!ready) return 0;
    u64 sync = ready & SYNCHRONOUS;
    u64 from = sync ? sync : ready;
    return __builtin_ctzll(from) + 1;
}

// Dispositions that make a signal vanish as soon as it is sent.
bool ignored(int sig)
{
    const SigAction& a = g_actions[sig];
    if (a.handler == SIG_IGN_) return true;
    return a.handler == SIG_DFL_ && default_action(sig) == DefaultAction::Ignore;
}

// Linux drops a pending signal when its disposition becomes "ignore".
void flush(PendingSignals& p, int sig)
{
    for (int i = p.count - 1; i >= 0; i--)
        if (p.queue[i].signo == sig) {
            SigInfo gone = p.queue[i];
            remove_at(p, i);
            if (gone.from_timer) ptimer::signal_dropped(gone);
        }
    p.mask &= ~bit(sig);
}
} // namespace

DefaultAction default_action(int sig)
{
    switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT: return DefaultAction::Ignore;
    // Stopping needs someone to send SIGCONT, and nobody outside can: Elfin
    // leaves the program running (documented in docs/architecture.md).
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: return DefaultAction::Ignore;
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
    case SIGXCPU: case SIGXFSZ: case SIGSYS: return DefaultAction::Core;
    default: return DefaultAction::Terminate;
    }
}

SigAction& action(int sig) { return g_actions[sig]; }

void set_action(int sig, const SigAction& act)
{
    IrqOff off;
    g_actions[sig] = act;
    if (ignored(sig)) {
        flush(g_process_pending, sig);
        flush(current_signal_state().pending, sig);
    }
}

u64 pending_mask()
{
    IrqOff off;
    return current_signal_state().pending.mask | g_process_pending.mask;
}

// The process-directed signals this thread may take on its way to user mode:
// Linux delivers each in the thread complete_signal chose (the one it set
// TIF_SIGPENDING on), so others pass it by, unless that thread has gone or
// blocks it now. (sigtimedwait and signalfd take any: see dequeue.)
u64 process_mask_here();

bool has_deliverable()
{
    IrqOff off;
    return (current_signal_state().pending.mask | process_mask_here()) & ~current_signal_state().blocked;
}

// A blocked signal is never dropped: its disposition may change before it is
// unblocked (Linux's sig_ignored).
bool dropped(bool blocked, int sig) { return sig != SIGKILL && !blocked && ignored(sig); }

// Linux's complete_signal: a signal whose default action ends the process
// ends it at once when a thread would take it (does not block it), whatever
// the threads are doing, even waiting where nothing else could wake them.
void end_if_fatal(bool taken, int sig)
{
    if (sig == SIGKILL) die(sig, nullptr);
    if (!taken) return;
    if (g_actions[sig].handler != SIG_DFL_ || default_action(sig) == DefaultAction::Ignore) return;
    die(sig, nullptr);
}

// A process-directed signal concerns every thread: the caller may be any
// thread (or the idle thread, for the timer interrupt).
void scan_threads(int sig, bool& blocked_somewhere, bool& taken_somewhere)
{
    blocked_somewhere = taken_somewhere = false;
    for (Thread* t = thread_list(); t; t = t->all_next) {
        if (t->signals.blocked & bit(sig)) blocked_somewhere = true;
        else taken_somewhere = true;
    }
}

static int g_last_target_tid; // the thread the last process-directed signal went to
// For each process-directed signal pending, the thread chosen to take it (0: any).
static int g_process_target[NSIG + 1];

// Linux's complete_signal: the one thread woken to take a process-directed
// signal. The first thread (kill and the interval timer name the process by
// its pid) when it takes the signal, else the next thread that does after
// the last one chosen; a thread that has another signal to take already is
// passed over unless it is running (it is on its way to user mode anyway).
// None when no thread wants it: it stays pending for the first thread that
// unblocks it. Waking every thread instead let any of them take the signal
// first on another CPU, while the one a program expects (Python runs its
// handlers in the main thread and relies on that thread's EINTR) slept on.
static Thread* signal_target(int sig)
{
    auto wants = [&](Thread* t) {
        if (t->signals.blocked & bit(sig)) return false;
        if (sig == SIGKILL || t->state == ThreadState::Running) return true;
        return ((t->signals.pending.mask | g_process_pending.mask) & ~t->signals.blocked) == 0;
    };
    Thread* first = find_thread(process().pid);
    if (first && wants(first)) return first;
    Thread* last = find_thread(g_last_target_tid);
    Thread* start = last ? last : thread_list();
    Thread* t = start;
    do {
        if (wants(t)) {
            g_last_target_tid = t->tid;
            return t;
        }
        t = t->all_next ? t->all_next : thread_list();
    } while (t != start);
    return nullptr;
}

namespace {
// After a process-directed signal is queued: the chosen thread, and the
// threads that block the signal: they may be waiting for it in sigtimedwait,
// or polling a signalfd (and look again).
void kick_for_process(int sig, Thread* target)
{
    for (Thread* t = thread_list(); t; t = t->all_next)
        if (t == target || (t->signals.blocked & bit(sig))) sched::signal_sent(&t->signals);
}
} // namespace

ErrorOr send_to_process(const SigInfo& info)
{
    IrqOff off;
    bool blocked, taken;
    scan_threads(info.signo, blocked, taken);
    if (dropped(blocked, info.signo)) return {};
    Thread* target = signal_target(info.signo);
    bool was_pending = g_process_pending.mask & bit(info.signo);
    TRY(enqueue(g_process_pending, info));
    if (!was_pending) g_process_target[info.signo] = target ? target->tid : 0;
    kick_for_process(info.signo, target);
    end_if_fatal(taken, info.signo);
    return {};
}

ErrorOr send_to_thread(SignalState& target, const SigInfo& info)
{
    IrqOff off;
    bool blocked = target.blocked & bit(info.signo);
    if (dropped(blocked, info.signo)) return {};
    TRY(enqueue(target.pending, info));
    sched::signal_sent(&target);
    end_if_fatal(!blocked, info.signo);
    return {};
}

bool send_timer_signal(SignalState* thread, const SigInfo& info)
{
    IrqOff off;
    int sig = info.signo;
    bool blocked, taken;
    if (thread) blocked = thread->blocked & bit(sig), taken = !blocked;
    else scan_threads(sig, blocked, taken);
    if (dropped(blocked, sig)) return false;
    PendingSignals& p = thread ? thread->pending : g_process_pending;
    if (sig < SIGRTMIN && (p.mask & bit(sig))) return false;
    Thread* target = thread ? nullptr : signal_target(sig);
    bool was_pending = p.mask & bit(sig);
    if (enqueue(p, info).is_error()) return false;
    if (thread) {
        sched::signal_sent(thread);
    } else {
        if (!was_pending) g_process_target[sig] = target ? target->tid : 0;
        kick_for_process(sig, target);
    }
    end_if_fatal(taken, sig);
    return true;
}

void force_fault(int sig, i32 code, u64 addr, const x86::TrapFrame& f)
{
    auto& st = current_signal_state();
    IrqOff off;
    // Blocked or ignored, a fault would repeat for ever: Linux resets the
    // disposition to the default and unblocks the signal.
    if ((st.blocked & bit(sig)) || g_actions[sig].handler == SIG_IGN_) {
        g_actions[sig].handler = SIG_DFL_;
        st.blocked &= ~bit(sig);
    }
    SigInfo info {};
    info.signo = sig;
    info.code = code;
    info.fault.addr = addr;
    st.fault_trapno = f.vector;
    st.fault_err = f.error;
    st.fault_cr2 = f.vector == 14 ? addr : 0;
    // Takes the place of an earlier instance, so the fresh siginfo is the one seen.
    flush(st.pending, sig);
    (void)enqueue(st.pending, info);
}

u64 process_mask_here()
{
    u64 out = 0;
    int me = current()->tid;
    for (u64 m = g_process_pending.mask; m; m &= m - 1) {
        int sig = __builtin_ctzll(m) + 1;
        int tid = g_process_target[sig];
        Thread* chosen = tid && tid != me ? find_thread(tid) : nullptr;
        if (!chosen || (chosen->signals.blocked & bit(sig))) out |= bit(sig);
    }
    return out;
}

int dequeue_to_deliver(u64 mask, SigInfo& out)
{
    // Every return to user mode asks: nothing pending is the common answer.
    // A signal posted just after this look is what it would be just after
    // the full one below: the poke that comes with it delivers it.
    auto& st = current_signal_state();
    if (!((__atomic_load_n(&st.pending.mask, __ATOMIC_RELAXED) | __atomic_load_n(&g_process_pending.mask, __ATOMIC_RELAXED)) & mask))
        return 0;
    IrqOff off;
    return dequeue(mask & (st.pending.mask | process_mask_here()), out);
}

int dequeue(u64 mask, SigInfo& out)
{
    auto& st = current_signal_state();
    IrqOff off;
    // take() finds nothing when every instance was a stale timer signal: look again.
    for (;;) {
        if (int sig = pick(st.pending.mask & mask)) {
            if (take(st.pending, sig, out)) return sig;
        } else if (int sig = pick(g_process_pending.mask & mask)) {
            if (take(g_process_pending, sig, out)) return sig;
        } else {
            return 0;
        }
    }
}

void set_blocked(u64 mask)
{
    auto& st = current_signal_state();
    IrqOff off;
    u64 newly = mask & ~UNBLOCKABLE & ~st.blocked;
    st.blocked = mask & ~UNBLOCKABLE;
    // Linux's retarget_shared_pending: a process-directed signal chosen for
    // this thread, now blocked here, goes to another thread that takes it.
    int me = current()->tid;
    for (u64 m = g_process_pending.mask & newly; m; m &= m - 1) {
        int sig = __builtin_ctzll(m) + 1;
        if (g_process_target[sig] != me) continue;
        Thread* t = signal_target(sig);
        g_process_target[sig] = t ? t->tid : 0;
        if (t) sched::signal_sent(&t->signals);
    }
}

// ---- waiting ----------------------------------------------------------------

void wait(u64 wanted, u64 deadline)
{
    auto& st = current_signal_state();
    for (;;) {
        u64 pending = pending_mask();
        if (pending & (~st.blocked | wanted)) return;
        u64 now = time::monotonic_ns();
        if (now >= deadline) return;
        // Every signal sent (by another thread, or SIGALRM from the timer
        // interrupt) wakes the waiter, which looks again.
        (void)sched::sleep_until(deadline, true);
    }
}

// ---- alternate stack -----------------------------------------------------------

namespace {
bool on_stack(const SignalState& st, u64 sp)
{
    // Linux's on_sig_stack: the stack grows down, so its top counts, its bottom does not.
    return st.altstack_size && sp > st.altstack_sp && sp - st.altstack_sp <= st.altstack_size;
}
} // namespace

bool on_altstack(u64 sp) { return on_stack(current_signal_state(), sp); }

AltStack get_altstack(u64 user_sp)
{
    const auto& st = current_signal_state();
    u32 flags = st.altstack_size == 0 ? SS_DISABLE : on_stack(st, user_sp) ? SS_ONSTACK : 0;
    return { st.altstack_sp, flags | (st.altstack_flags & SS_AUTODISARM), st.altstack_size };
}

ErrorOr set_altstack(const AltStack& s, u64 user_sp)
{
    constexpr u64 MINSIGSTKSZ = 2048;
    auto& st = current_signal_state();
    if (on_stack(st, user_sp)) return Errno::EPERM;
    u32 mode = s.flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK) return Errno::EINVAL;
    if (mode == SS_DISABLE) {
        st.altstack_sp = st.altstack_size = 0;
        st.altstack_flags = SS_DISABLE;
        return {};
    }
    if (s.size < MINSIGSTKSZ) return Errno::ENOMEM;
    st.altstack_sp = s.sp;
    st.altstack_size = s.size;
    st.altstack_flags = s.flags & SS_AUTODISARM;
    return {};
}

// ---- default actions -------------------------------------------------------------

[[noreturn]] void die(int sig, const x86::TrapFrame* f, const SigInfo* info)
{
    // Linux would write a core file (if RLIMIT_CORE allowed it); Elfin
    // writes a crash report on the program's stderr instead.
    if (default_action(sig) == DefaultAction::Core) crash_report(sig, info, f);
    // The status channel has no word for "core dumped" yet (docs/boot-protocol.md):
    // the shell's wording of the signal is all the tool shows.
    program_killed(sig, false);
}

} // namespace core::signal
