// futex for a process with one thread: nothing else can wake a waiter, so a
// wait either fails its value check (EAGAIN), times out (ETIMEDOUT), or waits
// for ever, exactly as Linux would with no other thread; wakes find nobody.
// WAKE_OP still performs its operation on the second word. Real wait queues
// arrive with threads.
#include "syscalls/syscall.h"
#include "core/time.h"

namespace sys {

namespace {
enum : int { WAIT = 0, WAKE = 1, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, LOCK_PI = 6, UNLOCK_PI = 7,
             TRYLOCK_PI = 8, WAIT_BITSET = 9, WAKE_BITSET = 10, WAIT_REQUEUE_PI = 11, CMP_REQUEUE_PI = 12,
             LOCK_PI2 = 13 };
constexpr int PRIVATE_FLAG = 128, CLOCK_REALTIME_FLAG = 256;

Result<u32> load(u64 uaddr)
{
    if (uaddr & 3) return Errno::EINVAL;
    u32 v;
    TRY(mm::copy_from_user(&v, uaddr, 4));
    return v;
}

struct Ts { i64 sec, nsec; };

Ret wait(u64 uaddr, u32 val, u64 timeout_ptr, bool absolute, bool realtime)
{
    u32 cur = TRY(load(uaddr));
    u64 deadline = ~0ull;
    if (timeout_ptr) {
        Ts ts;
        TRY(mm::copy_from_user(&ts, timeout_ptr, sizeof ts));
        if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000) return Errno::EINVAL;
        u64 ns = u64(ts.sec) * 1000000000ull + u64(ts.nsec);
        u64 now = core::time::monotonic_ns();
        if (absolute) {
            u64 clk = realtime ? core::time::realtime_ns() : now;
            deadline = ns <= clk ? now : now + (ns - clk);
        } else {
            deadline = now + ns;
        }
    }
    if (cur != val) return Errno::EAGAIN;
    core::time::sleep_until_ns(deadline); // never returns without a timeout: no one can wake us
    return Errno::ETIMEDOUT;
}

ErrorOr wake_op(u64 uaddr2, u32 op)
{
    // *uaddr2 = *uaddr2 OP oparg; the comparison only decides whom to wake.
    u32 kind = (op >> 28) & 7, oparg = (op >> 12) & 0xfff;
    if (op & (8u << 28)) oparg = 1u << (oparg & 31);
    u32 old = TRY(load(uaddr2));
    u32 nv;
    switch (kind) {
    case 0: nv = oparg; break;
    case 1: nv = old + oparg; break;
    case 2: nv = old | oparg; break;
    case 3: nv = old & ~oparg; break;
    case 4: nv = old ^ oparg; break;
    default: return Errno::ENOSYS;
    }
    if (((op >> 24) & 0xf) > 5) return Errno::ENOSYS;
    TRY(mm::copy_to_user(uaddr2, &nv, 4));
    return {};
}
} // namespace

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
    case WAIT: return wait(uaddr, val, timeout, false, false);
    case WAIT_BITSET:
        if (val3 == 0) return Errno::EINVAL;
        return wait(uaddr, val, timeout, true, realtime);
    case WAKE:
    case WAKE_BITSET:
        if (cmd == WAKE_BITSET && val3 == 0) return Errno::EINVAL;
        TRY(load(uaddr));
        return 0;
    case REQUEUE:
    case CMP_REQUEUE: {
        u32 cur = TRY(load(uaddr));
        if (cmd == CMP_REQUEUE && cur != val3) return Errno::EAGAIN;
        if (uaddr2 & 3) return Errno::EINVAL;
        return 0;
    }
    case WAKE_OP:
        TRY(load(uaddr));
        TRY(wake_op(uaddr2, val3));
        return 0;
    default: return Errno::ENOSYS; // PI futexes arrive with threads
    }
}

} // namespace sys
