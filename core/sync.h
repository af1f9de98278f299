#pragma once
// Spinlocks and wait queues.
//
// A SpinLock disables interrupts on its CPU while held, so the same lock may
// be taken by thread code and by an interrupt handler (the timer) without
// deadlocking. Take it only through SpinLockGuard.
//
// A WaitQueue is a FIFO of blocked threads. Its links live in the threads
// themselves and every queue is guarded by the scheduler's lock: callers use
// sched::wait / wake_one / wake_all (core/sched.h), never the links.
#include <atomic>
#include "core/types.h"
#include "platform/x86_64/cpu.h"

namespace core {

struct Thread;

inline u64 irq_save()
{
    u64 flags;
    asm volatile("pushfq; pop %0; cli" : "=r"(flags)::"memory");
    return flags;
}
inline void irq_restore(u64 flags)
{
    if (flags & 0x200) x86::sti();
}

class SpinLock {
public:
    u64 lock()
    {
        u64 flags = irq_save();
        while (m_locked.exchange(true, std::memory_order_acquire))
            while (m_locked.load(std::memory_order_relaxed)) x86::pause();
        return flags;
    }
    void unlock(u64 flags)
    {
        m_locked.store(false, std::memory_order_release);
        irq_restore(flags);
    }
    // Releases without touching the interrupt flag: for a context switch,
    // where the thread that took the lock is not the one that releases it.
    void release() { m_locked.store(false, std::memory_order_release); }
    bool is_locked() const { return m_locked.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_locked { false };
};

class SpinLockGuard {
public:
    explicit SpinLockGuard(SpinLock& l) : m_lock(l), m_flags(l.lock()) {}
    ~SpinLockGuard() { m_lock.unlock(m_flags); }
    SpinLockGuard(const SpinLockGuard&) = delete;
    SpinLockGuard& operator=(const SpinLockGuard&) = delete;

private:
    SpinLock& m_lock;
    u64 m_flags;
};

class WaitQueue {
public:
    bool is_empty() const { return m_head == nullptr; }

private:
    friend struct WaitQueueAccess; // core/sched.cpp
    Thread* m_head { nullptr };
    Thread* m_tail { nullptr };
};

} // namespace core
