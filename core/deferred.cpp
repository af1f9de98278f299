#include "core/deferred.h"
#include <atomic>
#include "core/sync.h"

namespace core {

namespace {

SpinLock g_lock; // the queue; taken in interrupts too
DeferredWork* g_head;
DeferredWork* g_tail;
// Whether the queue may be non-empty: read without the lock on every system call.
std::atomic<bool> g_pending;

} // namespace

void defer(DeferredWork& work)
{
    SpinLockGuard g(g_lock);
    if (work.queued) return;
    work.queued = true;
    work.next = nullptr;
    if (g_tail) g_tail->next = &work;
    else g_head = &work;
    g_tail = &work;
    g_pending.store(true, std::memory_order_release);
}

void run_deferred()
{
    if (!g_pending.load(std::memory_order_acquire)) return;
    for (;;) {
        DeferredWork* work;
        {
            SpinLockGuard g(g_lock);
            work = g_head;
            if (!work) {
                g_pending.store(false, std::memory_order_relaxed);
                return;
            }
            g_head = work->next;
            if (!g_head) g_tail = nullptr;
            // Off the queue before it runs: what happens meanwhile queues it again.
            work->queued = false;
        }
        work->run();
    }
}

} // namespace core
