// The kernel timer list (core/ktimer.h): sorted by deadline, guarded by a
// spinlock that keeps interrupts off, so thread code and the timer interrupt
// may both arm and cancel.
#include "core/ktimer.h"
#include "core/sched.h"
#include "core/sync.h"
#include "core/time.h"

namespace core::time {

namespace {
SpinLock g_lock;
KTimer* g_head; // sorted by deadline

void unlink_locked(KTimer& t)
{
    for (KTimer** p = &g_head; *p; p = &(*p)->next)
        if (*p == &t) {
            *p = t.next;
            break;
        }
    t.next = nullptr;
    t.armed = false;
}
} // namespace

void ktimer_arm(KTimer& t, u64 deadline)
{
    bool first;
    {
        SpinLockGuard g(g_lock);
        if (t.armed) unlink_locked(t);
        KTimer** p = &g_head;
        while (*p && (*p)->deadline <= deadline) p = &(*p)->next;
        t.deadline = deadline;
        t.next = *p;
        *p = &t;
        t.armed = true;
        first = g_head == &t;
    }
    if (first) reprogram_timer();
}

void ktimer_cancel(KTimer& t)
{
    SpinLockGuard g(g_lock);
    if (t.armed) unlink_locked(t);
}

u64 cpu_timer_deadline(u64 now, u64 left)
{
    if (!left) return now;
    u64 cpus = u64(sched::cpu_count());
    u64 wall = (left + cpus - 1) / cpus;
    return now + (wall > CPU_TIMER_GRANULE_NS ? wall : CPU_TIMER_GRANULE_NS);
}

u64 ktimer_next_deadline()
{
    SpinLockGuard g(g_lock);
    return g_head ? g_head->deadline : ~0ull;
}

void ktimer_run_expired(u64 now)
{
    for (;;) {
        KTimer* t;
        {
            SpinLockGuard g(g_lock);
            t = g_head;
            if (!t || t->deadline > now) return;
            unlink_locked(*t);
        }
        t->fire(*t, now);
    }
}

} // namespace core::time
