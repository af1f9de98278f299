// clock_gettime & co. and sleeping.
#include "syscalls/syscall.h"
#include "core/sched.h"
#include "core/time.h"

namespace sys {

namespace {
struct Timespec { i64 sec, nsec; };
constexpr int CLK_REALTIME = 0, CLK_MONOTONIC = 1, CLK_PROCESS_CPUTIME_ID = 2,
              CLK_THREAD_CPUTIME_ID = 3, CLK_MONOTONIC_RAW = 4, CLK_REALTIME_COARSE = 5,
              CLK_MONOTONIC_COARSE = 6, CLK_BOOTTIME = 7, CLK_REALTIME_ALARM = 8,
              CLK_BOOTTIME_ALARM = 9, CLK_TAI = 11;

Result<u64> clock_now(int id)
{
    switch (id) {
    case CLK_REALTIME: case CLK_REALTIME_COARSE: case CLK_REALTIME_ALARM:
        return core::time::realtime_ns();
    case CLK_TAI: return core::time::realtime_ns() + 37000000000ull;
    case CLK_MONOTONIC: case CLK_MONOTONIC_RAW: case CLK_MONOTONIC_COARSE:
    case CLK_BOOTTIME: case CLK_BOOTTIME_ALARM:
        return core::time::monotonic_ns();
    case CLK_PROCESS_CPUTIME_ID: return core::sched::process_cpu_ns();
    case CLK_THREAD_CPUTIME_ID: return core::sched::thread_cpu_ns(core::current());
    default: return Errno::EINVAL;
    }
}

Timespec to_ts(u64 ns) { return { i64(ns / 1000000000ull), i64(ns % 1000000000ull) }; }

Result<u64> read_ts(u64 ptr)
{
    Timespec ts;
    TRY(mm::copy_from_user(&ts, ptr, sizeof ts));
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000) return Errno::EINVAL;
    if (u64(ts.sec) > ~0ull / 1000000000ull - 1) return ~0ull;
    return u64(ts.sec) * 1000000000ull + u64(ts.nsec);
}
} // namespace

Ret sys_clock_gettime(const Args& a)
{
    u64 ns = TRY(clock_now(int(a[0])));
    Timespec ts = to_ts(ns);
    TRY(mm::copy_to_user(a[1], &ts, sizeof ts));
    return 0;
}

Ret sys_clock_getres(const Args& a)
{
    TRY(clock_now(int(a[0])));
    if (!a[1]) return 0;
    Timespec ts { 0, 1 };
    int id = int(a[0]);
    if (id == CLK_REALTIME_COARSE || id == CLK_MONOTONIC_COARSE) ts.nsec = 4000000;
    TRY(mm::copy_to_user(a[1], &ts, sizeof ts));
    return 0;
}

Ret sys_gettimeofday(const Args& a)
{
    u64 ns = core::time::realtime_ns();
    if (a[0]) {
        struct { i64 sec, usec; } tv { i64(ns / 1000000000ull), i64(ns % 1000000000ull / 1000) };
        TRY(mm::copy_to_user(a[0], &tv, sizeof tv));
    }
    if (a[1]) {
        struct { int minuteswest, dsttime; } tz { 0, 0 };
        TRY(mm::copy_to_user(a[1], &tz, sizeof tz));
    }
    return 0;
}

Ret sys_time(const Args& a)
{
    i64 t = i64(core::time::realtime_ns() / 1000000000ull);
    if (a[0]) TRY(mm::copy_to_user(a[0], &t, sizeof t));
    return t;
}

namespace {
// Sleeps until the monotonic deadline. Interrupted by a signal: EINTR, and
// for a relative sleep the time left goes to `rem` (when given).
Ret sleep(u64 deadline, u64 rem_ptr)
{
    auto r = core::sched::sleep_until(deadline, true);
    while (!r.is_error() && core::time::monotonic_ns() < deadline) // woken by a signal for another thread
        r = core::sched::sleep_until(deadline, true);
    if (!r.is_error()) return 0;
    if (rem_ptr) {
        u64 now = core::time::monotonic_ns();
        Timespec left = to_ts(deadline > now ? deadline - now : 0);
        TRY(mm::copy_to_user(rem_ptr, &left, sizeof left));
    }
    return r.error();
}
} // namespace

Ret sys_nanosleep(const Args& a)
{
    u64 ns = TRY(read_ts(a[0]));
    u64 now = core::time::monotonic_ns();
    return sleep(ns > ~0ull - now ? ~0ull : now + ns, a[1]);
}

Ret sys_clock_nanosleep(const Args& a)
{
    constexpr u64 ABSTIME_FLAG = 1;
    int id = int(a[0]);
    if (id == CLK_THREAD_CPUTIME_ID) return Errno::EINVAL;
    auto clk = clock_now(id);
    if (clk.is_error()) return Errno::EINVAL;
    if (a[1] & ~ABSTIME_FLAG) return Errno::EINVAL;
    u64 ns = TRY(read_ts(a[2]));
    u64 now_mono = core::time::monotonic_ns();
    bool absolute = a[1] & ABSTIME_FLAG;
    u64 deadline;
    if (id == CLK_PROCESS_CPUTIME_ID) {
        // CPU time advances no faster than wall time: sleeping at least the
        // CPU time still missing is a lower bound, re-checked until reached.
        u64 target = absolute ? ns : clk.value() + ns;
        for (;;) {
            u64 c = core::sched::process_cpu_ns();
            if (c >= target) return 0;
            auto r = core::sched::sleep_until(core::time::monotonic_ns() + (target - c), true);
            if (r.is_error()) return r.error();
        }
    }
    if (absolute) {
        u64 now_clk = clk.value();
        deadline = ns <= now_clk ? now_mono : now_mono + (ns - now_clk);
    } else {
        deadline = ns > ~0ull - now_mono ? ~0ull : now_mono + ns;
    }
    // rem is written only for relative sleeps.
    auto r = sleep(deadline, absolute ? 0 : a[3]);
    if (r.is_error()) return r.error();
    return 0;
}

} // namespace sys
