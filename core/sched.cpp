// Round-robin scheduling on every CPU: a FIFO run queue per CPU, a
// per-thread time slice enforced by each CPU's local APIC timer (armed
// one-shot for the nearest of the slice's end and the earliest sleeper, so an
// idle or lone thread takes no timer interrupts at all), and an idle thread
// per CPU that halts. A thread made runnable goes to the least loaded CPU its
// affinity allows (its last CPU on a tie), which gets a reschedule IPI if it
// must look; a CPU whose queue is empty steals from the longest queue.
// Everything here runs under the giant lock (core/giant.h).
#include "core/flush.h"
#include "core/sched.h"
#include "core/giant.h"
#include "core/power.h"
#include "core/process.h"
#include "core/signal.h"
#include "core/time.h"
#include "mm/heap.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/smp.h"
#include "platform/x86_64/trap.h"

extern "C" void switch_context(u64* save_rsp, u64 new_rsp); // platform/x86_64/switch.S

namespace core {

// The wait queue's links, for the scheduler only.
struct WaitQueueAccess {
    static void append(WaitQueue& q, Thread* t)
    {
        t->wq = &q;
        t->wq_next = nullptr;
        t->wq_prev = q.m_tail;
        if (q.m_tail) q.m_tail->wq_next = t;
        else q.m_head = t;
        q.m_tail = t;
    }
    static void remove(Thread* t)
    {
        WaitQueue& q = *t->wq;
        if (t->wq_prev) t->wq_prev->wq_next = t->wq_next;
        else q.m_head = t->wq_next;
        if (t->wq_next) t->wq_next->wq_prev = t->wq_prev;
        else q.m_tail = t->wq_prev;
        t->wq = nullptr;
        t->wq_next = t->wq_prev = nullptr;
    }
    static Thread* head(WaitQueue& q) { return q.m_head; }
};

namespace sched {

namespace {
// Guards the run queues, the timer list, every wait queue and the scheduler
// fields of every thread, with interrupts off while held (SpinLock does
// that) so the timer interrupt finds them consistent. Against other CPUs the
// giant lock already serializes all of it; this one stays for the switch
// hand-over (taken by one thread, released by the next).
SpinLock g_lock;
Thread* g_timers;   // sorted by deadline
Thread* g_zombies;  // dead, stacks to free once no CPU runs on them
u64 g_dead_cpu_ns;
Usage g_dead; // what the threads that ended used (cpu_ns not filled in)
int g_leader_exit_code;
int g_cpu_count = 1;

struct Cpu {
    Thread* rq_head = nullptr;
    Thread* rq_tail = nullptr;
    int queued = 0;
    Thread* idle = nullptr;
    bool need_resched = false;
    // Set by the reschedule IPI (without the giant lock): look at the queue.
    std::atomic<bool> poked { false };
};
Cpu g_cpus[MAX_CPUS];

using Q = WaitQueueAccess;

int cpu_id() { return int(x86::this_cpu()->cpu_id); }
Cpu& this_cpu_sched() { return g_cpus[cpu_id()]; }
// What CPU `cpu` runs; nullptr (as idle) for one still starting.
Thread* running_on(int cpu) { return static_cast<Thread*>(x86::smp::cpu(cpu)->current_thread); }
bool busy(int cpu)
{
    Thread* t = running_on(cpu);
    return t && !t->is_idle;
}

void enqueue(int cpu, Thread* t)
{
    Cpu& c = g_cpus[cpu];
    t->cpu = cpu;
    t->rq_next = nullptr;
    if (c.rq_tail) c.rq_tail->rq_next = t;
    else c.rq_head = t;
    c.rq_tail = t;
    c.queued++;
}

// Takes t, which follows prev (nullptr: t is the head), out of c's queue.
Thread* unlink(Cpu& c, Thread* prev, Thread* t)
{
    if (prev) prev->rq_next = t->rq_next;
    else c.rq_head = t->rq_next;
    if (c.rq_tail == t) c.rq_tail = prev;
    t->rq_next = nullptr;
    c.queued--;
    return t;
}

// The first thread in cpu's queue that may run on `on`, taken out.
Thread* dequeue(int cpu, int on)
{
    Cpu& c = g_cpus[cpu];
    Thread* prev = nullptr;
    for (Thread* t = c.rq_head; t; prev = t, t = t->rq_next)
        if (t->affinity & (1ull << on)) return unlink(c, prev, t);
    return nullptr;
}

// Takes t out of the queue it is in; nullptr if it was in none.
Thread* dequeue_this(Thread* t)
{
    Cpu& c = g_cpus[t->cpu];
    Thread* prev = nullptr;
    for (Thread* q = c.rq_head; q; prev = q, q = q->rq_next)
        if (q == t) return unlink(c, prev, t);
    return nullptr;
}

// For a CPU with nothing of its own to run: a thread from the longest queue
// that may run here.
Thread* steal(int on)
{
    int best = -1;
    for (int i = 0; i < g_cpu_count; i++)
        if (i != on && g_cpus[i].queued > 0 && (best < 0 || g_cpus[i].queued > g_cpus[best].queued)) best = i;
    if (best >= 0)
        if (Thread* t = dequeue(best, on)) return t;
    for (int i = 0; i < g_cpu_count; i++) // the longest queue had only threads bound elsewhere
        if (i != on && g_cpus[i].queued > 0)
            if (Thread* t = dequeue(i, on)) return t;
    return nullptr;
}

bool can_steal(int on)
{
    for (int i = 0; i < g_cpu_count; i++) {
        if (i == on) continue;
        for (Thread* t = g_cpus[i].rq_head; t; t = t->rq_next)
            if (t->affinity & (1ull << on)) return true;
    }
    return false;
}

// The CPU for a thread becoming runnable: the least loaded (queued plus
// running) among those its affinity allows, its last CPU on a tie.
int pick_cpu(const Thread* t)
{
    int best = -1, best_load = 0;
    for (int i = 0; i < g_cpu_count; i++) {
        if (!(t->affinity & (1ull << i))) continue;
        int load = g_cpus[i].queued + (busy(i) ? 1 : 0);
        if (best < 0 || load < best_load || (load == best_load && i == t->cpu)) {
            best = i;
            best_load = load;
        }
    }
    return best >= 0 ? best : 0; // setaffinity allows only online CPUs; CPU 0 is always one
}

void timer_insert(Thread* t)
{
    Thread** p = &g_timers;
    while (*p && (*p)->deadline <= t->deadline) p = &(*p)->timer_next;
    t->timer_next = *p;
    *p = t;
    t->on_timer = true;
}

void timer_remove(Thread* t)
{
    for (Thread** p = &g_timers; *p; p = &(*p)->timer_next) {
        if (*p == t) {
            *p = t->timer_next;
            break;
        }
    }
    t->timer_next = nullptr;
    t->on_timer = false;
}

// The next timer interrupt: the earliest sleeper, or the end of the running
// thread's slice when another thread is waiting for the CPU.
void arm_locked(u64 now)
{
    // Every CPU arms for the earliest sleeper: whichever interrupt comes
    // first wakes it, the others find nothing to do.
    u64 deadline = g_timers ? g_timers->deadline : NO_DEADLINE;
    Thread* cur = current();
    if (this_cpu_sched().rq_head && !cur->is_idle && cur->slice_end < deadline) deadline = cur->slice_end;
    (void)now;
    time::arm_timer(deadline);
}

// Queues t on the CPU pick_cpu chooses and makes that CPU look: at once
// here if idle, by IPI elsewhere (an idle CPU wakes; a busy one arms its
// slice timer, now that a thread waits).
void make_runnable(Thread* t)
{
    t->state = ThreadState::Runnable;
    int cpu = pick_cpu(t);
    enqueue(cpu, t);
    if (cpu == cpu_id()) {
        if (current()->is_idle) g_cpus[cpu].need_resched = true;
    } else {
        x86::smp::send_resched(cpu);
    }
}

bool wake_locked(Thread* t, WakeReason why)
{
    if (t->state != ThreadState::Blocked) return false;
    if (t->wq) Q::remove(t);
    if (t->on_timer) timer_remove(t);
    t->wake_reason = why;
    make_runnable(t);
    return true;
}

// Switches to the next runnable thread (or idle). Lock held, interrupts off;
// returns, still locked, when this thread is chosen again.
void switch_locked()
{
    int cpu = cpu_id();
    Cpu& c = g_cpus[cpu];
    Thread* prev = current();
    bool preempted = prev->state == ThreadState::Running; // else it blocks or ends
    if (prev->state == ThreadState::Running) {
        prev->state = ThreadState::Runnable;
        if (!prev->is_idle) {
            // Behind the others here, or elsewhere if its affinity changed.
            if (prev->affinity & (1ull << cpu)) enqueue(cpu, prev);
            else make_runnable(prev);
        }
    }
    Thread* next = dequeue(cpu, cpu);
    if (!next) next = steal(cpu);
    if (!next) next = c.idle;
    c.need_resched = false;
    u64 now = time::monotonic_ns();
    next->state = ThreadState::Running;
    next->slice_end = now + slice_ns(next);
    if (next == prev) {
        arm_locked(now);
        return;
    }
    prev->cpu_ns += now - prev->ran_since;
    next->ran_since = now;
    // Threads switch only inside the kernel: prev's system time stops here
    // and next's starts (it leaves through kernel_exit_to_user).
    if (!prev->is_idle) {
        prev->sys_ns += now - prev->sys_since;
        if (preempted) prev->nivcsw++;
        else prev->nvcsw++;
    }
    next->sys_since = now;
    // The kernel never touches FPU/SSE registers (-mgeneral-regs-only): what
    // they hold now is prev's user state.
    if (!prev->is_idle && prev->state != ThreadState::Dead) fpu::save(prev);
    if (!next->is_idle) {
        fpu::restore(next);
        x86::wrmsr(x86::MSR_FS_BASE, next->fs_base);
        x86::wrmsr(x86::MSR_KERNEL_GS_BASE, next->gs_base); // the user GS while in the kernel
        x86::set_kernel_stack(next->kstack_top);
    }
    next->cpu = cpu;
    x86::this_cpu()->current_thread = next;
    arm_locked(now);
    // The giant lock stays with this CPU; prev gets its depth back when it
    // runs again (on this CPU or another).
    u32 depth = giant::depth();
    switch_context(&prev->saved_rsp, next->saved_rsp);
    giant::set_depth(depth);
}

WakeReason block_locked(u64 deadline, bool interruptible)
{
    Thread* cur = current();
    cur->state = ThreadState::Blocked;
    cur->interruptible = interruptible;
    cur->wake_reason = WakeReason::None;
    cur->deadline = deadline;
    if (deadline != NO_DEADLINE) timer_insert(cur);
    switch_locked();
    return cur->wake_reason;
}

// Frees threads that died on this or another CPU; never the running one.
void reap()
{
    if (!g_zombies) return;
    u64 flags = g_lock.lock();
    Thread* list = g_zombies;
    g_zombies = nullptr;
    g_lock.unlock(flags);
    while (list) {
        Thread* t = list;
        list = t->rq_next;
        thread_destroy(t);
    }
}

void schedule()
{
    u64 flags = g_lock.lock();
    switch_locked();
    g_lock.unlock(flags);
    reap();
}

// The idle thread of a CPU, with the giant lock: runs what it finds (its
// queue, or a thread stolen from another), else halts without the lock.
[[noreturn]] void idle_loop()
{
    int cpu = cpu_id();
    Cpu& c = g_cpus[cpu];
    for (;;) {
        x86::cli();
        c.poked.store(false, std::memory_order_relaxed);
        if (c.rq_head || c.need_resched || can_steal(cpu)) {
            schedule();
            continue;
        }
        flush::run(); // what was put off while the CPU was busy
        giant::leave();
        // An IPI sent after the check is pending until STI's shadow ends: no
        // wake-up is lost before HLT.
        asm volatile("sti; hlt; cli" ::: "memory");
        giant::enter();
    }
}
} // namespace

} // namespace sched
} // namespace core

// A context's first run after switch_context: the switcher's lock is ours to release.
// A context's first run after switch_context: the switcher's locks are ours,
// the giant lock at depth 1 (the switcher's depth was its own).
extern "C" void sched_thread_started()
{
    core::giant::set_depth(1);
    core::sched::g_lock.release();
}

extern "C" [[noreturn]] void sched_idle_entry()
{
    core::giant::set_depth(1);
    core::sched::g_lock.release();
    core::sched::idle_loop();
}

extern "C" void kernel_exit_to_user(x86::TrapFrame* f)
{
    using namespace core::sched;
    Cpu& c = this_cpu_sched();
    if (!core::giant::held()) {
        // A TLB shootdown IPI from user mode needs nothing more.
        if (!c.poked.load(std::memory_order_relaxed) && !c.need_resched) return;
        core::giant::enter();
    }
    if (c.poked.exchange(false, std::memory_order_relaxed)) {
        // Another CPU queued a thread here (arm the slice) or sent a signal.
        u64 flags = g_lock.lock();
        if (c.rq_head) arm_locked(core::time::monotonic_ns());
        g_lock.unlock(flags);
        core::signal::deliver(*f, -1, 0);
    }
    bool switched = false;
    while (this_cpu_sched().need_resched || !(core::current()->affinity & (1ull << cpu_id()))) {
        schedule();
        switched = true;
    }
    core::Thread* t = core::current();
    // Signals sent while it was switched out.
    if (switched) core::signal::deliver(*f, -1, 0);
    // rseq: a new cpu_id after a move, a critical section aborted after a switch.
    if (t->rseq_area && (switched || t->rseq_cpu != t->cpu)) {
        t->rseq_cpu = t->cpu;
        core::rseq_resume(t, f);
    }
    giant_leave_to_user();
}

namespace core::sched {

void init()
{
    constexpr size_t IDLE_STACK = 8192;
    auto* t = new (std::nothrow) Thread;
    auto* stack = static_cast<u8*>(mm::kmalloc(IDLE_STACK));
    VERIFY(t && stack);
    t->is_idle = true;
    t->tid = 0;
    t->kstack = stack;
    t->kstack_top = (reinterpret_cast<u64>(stack) + IDLE_STACK) & ~15ull;
    // switch_context pops six registers and returns into sched_idle_entry
    // with the stack aligned as after a call.
    u64* sp = reinterpret_cast<u64*>(t->kstack_top - 64);
    for (int i = 0; i < 6; i++) sp[i] = 0;
    sp[6] = reinterpret_cast<u64>(&sched_idle_entry);
    t->saved_rsp = reinterpret_cast<u64>(sp);
    t->state = ThreadState::Runnable;
    g_cpus[0].idle = t;
    current()->ran_since = time::monotonic_ns();
}

void start(Thread* t)
{
    SpinLockGuard g(g_lock);
    make_runnable(t);
    arm_locked(time::monotonic_ns());
}

void yield() { schedule(); }

ErrorOr wait(WaitQueue& wq, u64 deadline, bool interruptible)
{
    u64 flags = g_lock.lock();
    Thread* cur = current();
    if (interruptible && signal::has_deliverable()) {
        g_lock.unlock(flags);
        return Errno::EINTR;
    }
    if (deadline != NO_DEADLINE && deadline <= time::monotonic_ns()) {
        g_lock.unlock(flags);
        return Errno::ETIMEDOUT;
    }
    Q::append(wq, cur);
    WakeReason why = block_locked(deadline, interruptible);
    bool signalled = why == WakeReason::Interrupted && signal::has_deliverable();
    g_lock.unlock(flags);
    reap();
    if (why == WakeReason::Timeout) return Errno::ETIMEDOUT;
    if (signalled) return Errno::EINTR;
    return {};
}

ErrorOr sleep_until(u64 deadline, bool interruptible)
{
    for (;;) {
        u64 flags = g_lock.lock();
        if (interruptible && signal::has_deliverable()) {
            g_lock.unlock(flags);
            return Errno::EINTR;
        }
        if (deadline <= time::monotonic_ns()) {
            g_lock.unlock(flags);
            return {};
        }
        WakeReason why = block_locked(deadline, interruptible);
        g_lock.unlock(flags);
        reap();
        if (why == WakeReason::Interrupted) return interruptible && signal::has_deliverable() ? Errno::EINTR : ErrorOr {};
    }
}

u32 wake_one(WaitQueue& wq) { return wake_matching(wq, 0, 0, 1); }
u32 wake_all(WaitQueue& wq) { return wake_matching(wq, 0, 0, ~0u); }

u32 wake_matching(WaitQueue& wq, u64 key, u32 bits, u32 max)
{
    SpinLockGuard g(g_lock);
    u32 n = 0;
    for (Thread* t = Q::head(wq); t && n < max;) {
        Thread* next = t->wq_next;
        // key 0 and bits 0: any waiter (plain wait queues).
        if ((key == 0 && bits == 0) || (t->wait_key == key && (t->wait_bits & bits)))
            if (wake_locked(t, WakeReason::Woken)) n++;
        t = next;
    }
    if (n) arm_locked(time::monotonic_ns());
    return n;
}

u32 requeue_matching(WaitQueue& from, u64 key, WaitQueue& to, u64 new_key, u32 max)
{
    SpinLockGuard g(g_lock);
    u32 n = 0;
    for (Thread* t = Q::head(from); t && n < max;) {
        Thread* next = t->wq_next;
        if (t->wait_key == key) {
            t->wait_key = new_key;
            if (&from != &to) { // same queue: the new key is all that changes
                Q::remove(t);
                Q::append(to, t);
            }
            n++;
        }
        t = next;
    }
    return n;
}

void kick(Thread* t)
{
    SpinLockGuard g(g_lock);
    if (t->state == ThreadState::Blocked && t->interruptible) {
        wake_locked(t, WakeReason::Interrupted);
        arm_locked(time::monotonic_ns());
    } else if (t->state == ThreadState::Running && t->cpu != cpu_id()) {
        // Running in user mode elsewhere: into the kernel, which delivers.
        x86::smp::send_resched(t->cpu);
    }
}

void signal_sent(SignalState* target)
{
    for (Thread* t = thread_list(); t; t = t->all_next)
        if (!target || &t->signals == target) kick(t);
}

void exit_current(int code)
{
    Thread* cur = current();
    if (cur->tid == process().pid) g_leader_exit_code = code;
    g_lock.lock();
    thread_unlink(cur);
    if (live_threads() == 0) program_exited(g_leader_exit_code);
    cur->state = ThreadState::Dead;
    u64 now = time::monotonic_ns();
    g_dead_cpu_ns += cur->cpu_ns + (now - cur->ran_since);
    g_dead.sys_ns += cur->sys_ns + (now - cur->sys_since);
    g_dead.nvcsw += cur->nvcsw;
    g_dead.nivcsw += cur->nivcsw;
    g_dead.minflt += cur->minflt;
    cur->rq_next = g_zombies;
    if (cur->tid != process().pid) g_zombies = cur; // the first thread's struct and stack are static
    switch_locked();
    __builtin_unreachable();
}

u64 slice_ns(const Thread* t)
{
    // Linux's CFS weights (sched_prio_to_weight): each nice step is ~1.25x.
    static constexpr u32 WEIGHT[40] = {
        88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
        9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
        1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
        110, 87, 70, 56, 45, 36, 29, 23, 18, 15 };
    u64 ns = SLICE_NS * WEIGHT[t->nice + 20] / 1024;
    if (ns < 1'000'000) ns = 1'000'000;
    if (ns > 100'000'000) ns = 100'000'000;
    return ns;
}

void set_cpu_count(int n) { g_cpu_count = n; }

void run_ap(u64 stack_top)
{
    giant::enter();
    auto* t = new (std::nothrow) Thread;
    VERIFY(t);
    t->is_idle = true;
    t->tid = 0;
    t->kstack_top = stack_top;
    t->state = ThreadState::Running;
    t->cpu = cpu_id();
    t->ran_since = time::monotonic_ns();
    g_cpus[t->cpu].idle = t;
    x86::this_cpu()->current_thread = t;
    idle_loop();
}

void set_affinity(Thread* t, u64 mask)
{
    SpinLockGuard g(g_lock);
    t->affinity = mask;
    if (mask & (1ull << t->cpu)) return;
    if (t->state == ThreadState::Runnable) {
        // Queued where it may no longer run: out, and to a CPU it may.
        Thread* self = dequeue_this(t);
        if (self) make_runnable(t);
    } else if (t->state == ThreadState::Running && t->cpu != cpu_id()) {
        x86::smp::send_resched(t->cpu); // it moves on its way back to user mode
    }
    // Running here: kernel_exit_to_user moves it.
}

void resched_ipi() { this_cpu_sched().poked.store(true, std::memory_order_relaxed); }

int cpu_count() { return g_cpu_count; }
int this_cpu_id() { return int(x86::this_cpu()->cpu_id); }

u64 thread_cpu_ns(Thread* t)
{
    SpinLockGuard g(g_lock);
    u64 ns = t->cpu_ns;
    if (t->state == ThreadState::Running) ns += time::monotonic_ns() - t->ran_since;
    return ns;
}

Usage thread_usage(Thread* t)
{
    SpinLockGuard g(g_lock);
    u64 now = time::monotonic_ns();
    Usage u { t->cpu_ns, t->sys_ns, t->nvcsw, t->nivcsw, t->minflt };
    if (t->state == ThreadState::Running) {
        u.cpu_ns += now - t->ran_since;
        if (t->in_kernel) u.sys_ns += now - t->sys_since;
    }
    if (u.sys_ns > u.cpu_ns) u.sys_ns = u.cpu_ns; // clock reads a few ns apart
    return u;
}

Usage process_usage()
{
    Usage u = g_dead;
    u.cpu_ns = g_dead_cpu_ns;
    for (Thread* t = thread_list(); t; t = t->all_next) {
        Usage tu = thread_usage(t);
        u.cpu_ns += tu.cpu_ns;
        u.sys_ns += tu.sys_ns;
        u.nvcsw += tu.nvcsw;
        u.nivcsw += tu.nivcsw;
        u.minflt += tu.minflt;
    }
    if (u.sys_ns > u.cpu_ns) u.sys_ns = u.cpu_ns;
    return u;
}

void account_kernel_entry(u64 now)
{
    Thread* t = current();
    if (!t || t->is_idle || !now) return; // (a CPU starting has no thread yet; early boot, no clock)
    t->sys_since = now;
    t->in_kernel = true;
}

void account_kernel_exit()
{
    Thread* t = current();
    if (!t || t->is_idle) return;
    t->sys_ns += time::monotonic_ns() - t->sys_since;
    t->in_kernel = false;
}

u64 process_cpu_ns()
{
    u64 ns = g_dead_cpu_ns;
    for (Thread* t = thread_list(); t; t = t->all_next) ns += thread_cpu_ns(t);
    return ns;
}

void timer_tick()
{
    SpinLockGuard g(g_lock);
    u64 now = time::monotonic_ns();
    while (g_timers && g_timers->deadline <= now) wake_locked(g_timers, WakeReason::Timeout);
    Thread* cur = current();
    Cpu& c = this_cpu_sched();
    if (c.rq_head && (cur->is_idle || now >= cur->slice_end)) c.need_resched = true;
    arm_locked(now);
}

} // namespace core::sched
