// clock_gettime & co. and sleeping.
#include "syscalls/syscall.h"
#include "core/time.h"

namespace sys {

namespace {
struct Timespec { i64 sec, nsec; };
constexpr int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
              CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
              CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8,
              CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;

Result<u64> clock_now(int id)
{
    switch (id) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_REALTIME_ALARM:
        return core::time::realtime_ns();
    case CLOCK_TAI: return core::time::realtime_ns() + 37000000000ull;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: case CLOCK_BOOTTIME_ALARM:
        return core::time::monotonic_ns();
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
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
    if (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE) ts.nsec = 4000000;
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
    constexpr u64 TIMER_ABSTIME = 1;
    int id = int(a[0]);
    if (id == CLOCK_THREAD_CPUTIME_ID) return Errno::EINVAL;
    auto clk = clock_now(id);
    if (clk.is_error()) return Errno::EINVAL;
    if (a[1] & ~TIMER_ABSTIME) return Errno::EINVAL;
    u64 ns = TRY(read_ts(a[2]));
    u64 now_mono = core::time::monotonic_ns();
    u64 deadline;
    if (a[1] & TIMER_ABSTIME) {
        u64 now_clk = clk.value();
        deadline = ns <= now_clk ? now_mono : now_mono + (ns - now_clk);
    } else {
        deadline = ns > ~0ull - now_mono ? ~0ull : now_mono + ns;
    }
    core::time::sleep_until_ns(deadline);
    return 0;
}

} // namespace sys
