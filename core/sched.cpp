// Round-robin scheduling on one CPU: a FIFO run queue, a per-thread time
// slice enforced by the local APIC timer (armed one-shot for the nearest of
// the slice's end and the earliest sleeper, so an idle or lone thread takes
// no timer interrupts at all), and an idle thread that halts.
#include "core/sched.h"
#include "core/power.h"
#include "core/process.h"
#include "core/signal.h"
#include "core/time.h"
#include "mm/heap.h"
#include "platform/x86_64/cpu.h"
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
// Guards the run queue, the timer list, every wait queue and the scheduler
// fields of every thread. Taken by the timer interrupt: interrupts stay off
// while it is held (SpinLock does that).
SpinLock g_lock;
Thread* g_rq_head;
Thread* g_rq_tail;
Thread* g_timers;   // sorted by deadline
Thread* g_zombies;  // dead, stacks to free once no CPU runs on them
Thread* g_idle;
bool g_need_resched;
u64 g_dead_cpu_ns;
int g_leader_exit_code;

using Q = WaitQueueAccess;

void enqueue(Thread* t)
{
    t->rq_next = nullptr;
    if (g_rq_tail) g_rq_tail->rq_next = t;
    else g_rq_head = t;
    g_rq_tail = t;
}

Thread* dequeue()
{
    Thread* t = g_rq_head;
    if (!t) return nullptr;
    g_rq_head = t->rq_next;
    if (!g_rq_head) g_rq_tail = nullptr;
    t->rq_next = nullptr;
    return t;
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
    u64 deadline = g_timers ? g_timers->deadline : NO_DEADLINE;
    Thread* cur = current();
    if (g_rq_head && !cur->is_idle && cur->slice_end < deadline) deadline = cur->slice_end;
    (void)now;
    time::arm_timer(deadline);
}

bool wake_locked(Thread* t, WakeReason why)
{
    if (t->state != ThreadState::Blocked) return false;
    if (t->wq) Q::remove(t);
    if (t->on_timer) timer_remove(t);
    t->wake_reason = why;
    t->state = ThreadState::Runnable;
    enqueue(t);
    if (current()->is_idle) g_need_resched = true;
    return true;
}

// Switches to the next runnable thread (or idle). Lock held, interrupts off;
// returns, still locked, when this thread is chosen again.
void switch_locked()
{
    Thread* prev = current();
    if (prev->state == ThreadState::Running) {
        prev->state = ThreadState::Runnable;
        if (!prev->is_idle) enqueue(prev);
    }
    Thread* next = dequeue();
    if (!next) next = g_idle;
    g_need_resched = false;
    u64 now = time::monotonic_ns();
    next->state = ThreadState::Running;
    next->slice_end = now + slice_ns(next);
    if (next == prev) {
        arm_locked(now);
        return;
    }
    prev->cpu_ns += now - prev->ran_since;
    next->ran_since = now;
    // The kernel never touches FPU/SSE registers (-mgeneral-regs-only): what
    // they hold now is prev's user state.
    if (!prev->is_idle && prev->state != ThreadState::Dead) fpu::save(prev);
    if (!next->is_idle) {
        fpu::restore(next);
        x86::wrmsr(x86::MSR_FS_BASE, next->fs_base);
        x86::wrmsr(x86::MSR_KERNEL_GS_BASE, next->gs_base); // the user GS while in the kernel
        x86::set_kernel_stack(next->kstack_top);
    }
    x86::this_cpu()->current_thread = next;
    arm_locked(now);
    switch_context(&prev->saved_rsp, next->saved_rsp);
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

[[noreturn]] void idle_loop()
{
    for (;;) {
        x86::cli();
        if (g_rq_head || g_need_resched) {
            schedule();
            continue;
        }
        asm volatile("sti; hlt" ::: "memory"); // STI's shadow: no wake-up lost before HLT
    }
}
} // namespace

} // namespace sched
} // namespace core

// A context's first run after switch_context: the switcher's lock is ours to release.
extern "C" void sched_thread_started()
{
    core::sched::g_lock.release();
}

extern "C" [[noreturn]] void sched_idle_entry()
{
    core::sched::g_lock.release();
    core::sched::idle_loop();
}

extern "C" void kernel_exit_to_user(x86::TrapFrame* f)
{
    bool switched = false;
    while (core::sched::g_need_resched) {
        core::sched::schedule();
        switched = true;
    }
    core::Thread* t = core::current();
    if (switched && t->rseq_area) {
        core::rseq_resume(t, f);
    }
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
    g_idle = t;
    current()->ran_since = time::monotonic_ns();
}

void start(Thread* t)
{
    SpinLockGuard g(g_lock);
    t->state = ThreadState::Runnable;
    enqueue(t);
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
    g_dead_cpu_ns += cur->cpu_ns + (time::monotonic_ns() - cur->ran_since);
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

namespace {
int g_cpu_count = 1;
}

void set_cpu_count(int n) { g_cpu_count = n; }

// Other CPUs halt: nothing is scheduled on them yet.
void run_ap(u64 stack_top)
{
    auto* t = new (std::nothrow) Thread;
    VERIFY(t);
    t->is_idle = true;
    t->tid = 0;
    t->kstack_top = stack_top;
    t->state = ThreadState::Running;
    t->cpu = this_cpu_id();
    x86::this_cpu()->current_thread = t;
    for (;;) asm volatile("sti; hlt" ::: "memory");
}

int cpu_count() { return g_cpu_count; }
int this_cpu_id() { return int(x86::this_cpu()->cpu_id); }

u64 thread_cpu_ns(Thread* t)
{
    SpinLockGuard g(g_lock);
    u64 ns = t->cpu_ns;
    if (t->state == ThreadState::Running) ns += time::monotonic_ns() - t->ran_since;
    return ns;
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
    if (g_rq_head && (cur->is_idle || now >= cur->slice_end)) g_need_resched = true;
    arm_locked(now);
}

} // namespace core::sched
