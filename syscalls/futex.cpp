// futex: waiters sleep on one of 64 hashed wait queues, keyed by the futex's
// user address (there is one address space, so private and shared futexes
// are the same thing). The value check and the enqueue cannot be separated
// by a waker: the kernel is not preempted between them, and every queue
// change happens under the scheduler's lock.
//
// Also the end of a thread: its robust list and clear_child_tid.
#include "syscalls/syscall.h"
#include "syscalls/thread.h"
#include "core/sched.h"
#include "core/time.h"

namespace sys {

namespace {
enum : int { WAIT = 0, WAKE = 1, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, LOCK_PI = 6, UNLOCK_PI = 7,
             TRYLOCK_PI = 8, WAIT_BITSET = 9, WAKE_BITSET = 10, WAIT_REQUEUE_PI = 11, CMP_REQUEUE_PI = 12,
             LOCK_PI2 = 13 };
constexpr int PRIVATE_FLAG = 128, CLOCK_REALTIME_FLAG = 256;
constexpr u32 BITSET_MATCH_ANY = ~0u;
constexpr u32 FUTEX_WAITERS = 0x80000000u, FUTEX_OWNER_DIED = 0x40000000u, FUTEX_TID_MASK = 0x3fffffffu;

constexpr int NBUCKETS = 64;
core::WaitQueue g_buckets[NBUCKETS];

core::WaitQueue& bucket(u64 uaddr) { return g_buckets[((uaddr >> 2) * 0x9e3779b97f4a7c15ull) >> 58]; }

Result<u32> load(u64 uaddr)
{
    if (uaddr & 3) return Errno::EINVAL;
    u32 v;
    TRY(mm::copy_from_user(&v, uaddr, 4));
    return v;
}

struct Ts { i64 sec, nsec; };

// The monotonic deadline of a timeout: relative, or absolute on the
// monotonic or realtime clock.
Result<u64> deadline_of(u64 timeout_ptr, bool absolute, bool realtime)
{
    if (!timeout_ptr) return core::NO_DEADLINE;
    Ts ts;
    TRY(mm::copy_from_user(&ts, timeout_ptr, sizeof ts));
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000) return Errno::EINVAL;
    if (u64(ts.sec) > 1'000'000'000'000ull) return core::NO_DEADLINE; // beyond any run
    u64 ns = u64(ts.sec) * 1000000000ull + u64(ts.nsec);
    u64 now = core::time::monotonic_ns();
    if (!absolute) return now + ns;
    u64 clk = realtime ? core::time::realtime_ns() : now;
    return ns <= clk ? now : now + (ns - clk);
}

Ret wait(u64 uaddr, u32 val, u64 timeout_ptr, bool absolute, bool realtime, u32 bits)
{
    u64 deadline = TRY(deadline_of(timeout_ptr, absolute, realtime));
    u32 cur = TRY(load(uaddr));
    if (cur != val) return Errno::EAGAIN;
    core::Thread* self = core::current();
    self->wait_key = uaddr;
    self->wait_bits = bits;
    auto r = core::sched::wait(bucket(uaddr), deadline, true);
    if (r.is_error()) {
        // Linux: restartable after a SA_RESTART handler when there is no
        // timeout; with one, EINTR (it would restart with the time left).
        if (r.error() == Errno::EINTR && deadline == core::NO_DEADLINE) return Errno::ERESTARTSYS;
        return r.error();
    }
    return 0;
}

// FUTEX_WAKE wakes at least one waiter even when asked for 0 (Linux counts
// after waking).
u32 wake_count(u32 n) { return i32(n) <= 0 ? 1 : n; }

Ret wake(u64 uaddr, u32 n, u32 bits)
{
    TRY(load(uaddr));
    return core::sched::wake_matching(bucket(uaddr), uaddr, bits, wake_count(n));
}

Ret requeue(u64 uaddr, u32 nr_wake, u32 nr_requeue, u64 uaddr2, bool cmp, u32 val3)
{
    if (i32(nr_wake) < 0 || i32(nr_requeue) < 0) return Errno::EINVAL;
    if (uaddr2 & 3) return Errno::EINVAL;
    u32 cur = TRY(load(uaddr));
    TRY(load(uaddr2));
    if (cmp && cur != val3) return Errno::EAGAIN;
    u32 woken = core::sched::wake_matching(bucket(uaddr), uaddr, BITSET_MATCH_ANY, nr_wake);
    u32 moved = core::sched::requeue_matching(bucket(uaddr), uaddr, bucket(uaddr2), uaddr2, nr_requeue);
    return woken + moved;
}

i32 sign_extend12(u32 v) { return i32(v << 20) >> 20; }

Ret wake_op(u64 uaddr, u32 nr_wake, u32 nr_wake2, u64 uaddr2, u32 op)
{
    // *uaddr2 = *uaddr2 OP oparg; then wake on uaddr, and on uaddr2 if the
    // old value compared true against cmparg.
    u32 kind = (op >> 28) & 7, cmp = (op >> 24) & 0xf;
    i32 oparg = sign_extend12((op >> 12) & 0xfff), cmparg = sign_extend12(op & 0xfff);
    if (op & (8u << 28)) oparg = i32(1u << (u32(oparg) & 31));
    if (kind > 4 || cmp > 5) return Errno::ENOSYS;
    TRY(load(uaddr));
    u32 old = TRY(load(uaddr2));
    u32 nv = 0;
    switch (kind) {
    case 0: nv = u32(oparg); break;
    case 1: nv = old + u32(oparg); break;
    case 2: nv = old | u32(oparg); break;
    case 3: nv = old & ~u32(oparg); break;
    case 4: nv = old ^ u32(oparg); break;
    }
    TRY(mm::copy_to_user(uaddr2, &nv, 4));
    i32 o = i32(old);
    bool hit = false;
    switch (cmp) {
    case 0: hit = o == cmparg; break;
    case 1: hit = o != cmparg; break;
    case 2: hit = o < cmparg; break;
    case 3: hit = o <= cmparg; break;
    case 4: hit = o > cmparg; break;
    case 5: hit = o >= cmparg; break;
    }
    u32 n = core::sched::wake_matching(bucket(uaddr), uaddr, BITSET_MATCH_ANY, wake_count(nr_wake));
    if (hit) n += core::sched::wake_matching(bucket(uaddr2), uaddr2, BITSET_MATCH_ANY, wake_count(nr_wake2));
    return n;
}

// A robust futex held by a dying thread: mark it OWNER_DIED and wake a waiter.
void release_robust(u64 uaddr, int tid)
{
    u32 v;
    if ((uaddr & 3) || mm::copy_from_user(&v, uaddr, 4).is_error()) return;
    if ((v & FUTEX_TID_MASK) != u32(tid)) return;
    u32 nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (mm::copy_to_user(uaddr, &nv, 4).is_error()) return;
    if (v & FUTEX_WAITERS) core::sched::wake_matching(bucket(uaddr), uaddr, BITSET_MATCH_ANY, 1);
}
} // namespace

void thread_exit_cleanup(core::Thread* t)
{
    if (t->robust_head) {
        // struct robust_list_head { next; long futex_offset; list_op_pending; }
        struct { u64 next; i64 offset; u64 pending; } head;
        if (!mm::copy_from_user(&head, t->robust_head, sizeof head).is_error()) {
            u64 entry = head.next & ~1ull;
            u64 pending = head.pending & ~1ull;
            // Linux's bound on the walk: a corrupt or circular list ends here.
            for (int limit = 2048; entry != t->robust_head && limit > 0; limit--) {
                u64 next;
                if (mm::copy_from_user(&next, entry, 8).is_error()) break;
                if (entry != pending) release_robust(entry + u64(head.offset), t->tid);
                entry = next & ~1ull;
            }
            if (pending) release_robust(pending + u64(head.offset), t->tid);
        }
    }
    if (t->clear_child_tid) {
        u32 zero = 0;
        if (!mm::copy_to_user(t->clear_child_tid, &zero, 4).is_error())
            core::sched::wake_matching(bucket(t->clear_child_tid), t->clear_child_tid, BITSET_MATCH_ANY, 1);
    }
}

Ret sys_futex(const Args& a)
{
    u64 uaddr = a[0], timeout = a[3], uaddr2 = a[4];
    int op = int(a[1]);
    u32 val = u32(a[2]), val3 = u32(a[5]);
    bool realtime = op & CLOCK_REALTIME_FLAG;
    int cmd = op & ~(PRIVATE_FLAG | CLOCK_REALTIME_FLAG);
    if (realtime && cmd != WAIT && cmd != WAIT_BITSET && cmd != WAIT_REQUEUE_PI && cmd != LOCK_PI2)
        return Errno::ENOSYS;
    switch (cmd) {
    case WAIT: return wait(uaddr, val, timeout, false, realtime, BITSET_MATCH_ANY);
    case WAIT_BITSET:
        if (val3 == 0) return Errno::EINVAL;
        return wait(uaddr, val, timeout, true, realtime, val3);
    case WAKE: return wake(uaddr, val, BITSET_MATCH_ANY);
    case WAKE_BITSET:
        if (val3 == 0) return Errno::EINVAL;
        return wake(uaddr, val, val3);
    case REQUEUE: return requeue(uaddr, val, u32(timeout), uaddr2, false, 0);
    case CMP_REQUEUE: return requeue(uaddr, val, u32(timeout), uaddr2, true, val3);
    case WAKE_OP: return wake_op(uaddr, val, u32(timeout), uaddr2, val3);
    default: return Errno::ENOSYS; // PI futexes
    }
}

} // namespace sys
