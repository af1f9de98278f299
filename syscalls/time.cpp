// clock_gettime & co. and sleeping.
#include "syscalls/syscall.h"
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
    case CLK_PROCESS_CPUTIME_ID: case CLK_THREAD_CPUTIME_ID:
        // One thread that never waits for others: CPU time ~ time since start.
        // (Per-thread accounting arrives with the scheduler.)
        return core::time::monotonic_ns();
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

Ret sys_nanosleep(const Args& a)
{
    u64 ns = TRY(read_ts(a[0]));
    u64 now = core::time::monotonic_ns();
    core::time::sleep_until_ns(ns > ~0ull - now ? ~0ull : now + ns);
    return 0;
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
    u64 deadline;
    if (a[1] & ABSTIME_FLAG) {
        u64 now_clk = clk.value();
        deadline = ns <= now_clk ? now_mono : now_mono + (ns - now_clk);
    } else {
        deadline = ns > ~0ull - now_mono ? ~0ull : now_mono + ns;
    }
    core::time::sleep_until_ns(deadline);
    return 0;
}

} // namespace sys
