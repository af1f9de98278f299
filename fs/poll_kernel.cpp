#include "fs/poll.h"
#include "core/sched.h"
#include <atomic>

namespace fs {

namespace {
core::WaitQueue g_readiness;
std::atomic<u64> g_generation;
core::SpinLock g_ready_lists;
}

u64 readiness_lock() { return g_ready_lists.lock(); }
void readiness_unlock(u64 flags) { g_ready_lists.unlock(flags); }

void readiness_wake()
{
    g_generation.fetch_add(1, std::memory_order_release);
    core::sched::wake_all(g_readiness);
}

u64 readiness_generation() { return g_generation.load(std::memory_order_acquire); }

ErrorOr wait_readiness(u64 monotonic_deadline, u64 seen_generation)
{
    // Interrupts off from the check until the thread is on the queue: a
    // wake-up in an interrupt either came before (seen here) or finds it there.
    u64 flags = core::irq_save();
    ErrorOr r {};
    if (g_generation.load(std::memory_order_acquire) == seen_generation)
        r = core::sched::wait(g_readiness, monotonic_deadline, true);
    core::irq_restore(flags);
    return r;
}

} // namespace fs
