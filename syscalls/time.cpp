// clock_gettime & co. and sleeping.
#include "syscalls/syscall.h"
#include "syscalls/timespec.h"
#include "core/sched.h"
#include "core/time.h"
#include "core/ktimer.h"
#include "core/process.h"

namespace sys {

namespace {
using namespace core::time;

Result<u64> clock_now(int id) { return clock_read(id); }
} // namespace

Ret sys_clock_gettime(const Args& a)
{
    u64 ns = TRY(clock_now(int(a[0])));
    Timespec ts = to_timespec(ns);
    TRY(mm::copy_to_user(a[1], &ts, sizeof ts));
    return 0;
}

Ret sys_clock_getres(const Args& a)
{
    TRY(clock_now(int(a[0])));
    if (!a[1]) return 0;
    Timespec ts { 0, 1 };
    int id = int(a[0]);
    if (id == clk::REALTIME_COARSE || id == clk::MONOTONIC_COARSE) ts.nsec = 4000000;
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
        Timespec left = to_timespec(deadline > now ? deadline - now : 0);
        TRY(mm::copy_to_user(rem_ptr, &left, sizeof left));
    }
    return r.error();
}
} // namespace

Ret sys_nanosleep(const Args& a)
{
    u64 ns = TRY(read_timespec_ns(a[0], ~0ull));
    u64 now = core::time::monotonic_ns();
    return sleep(ns > ~0ull - now ? ~0ull : now + ns, a[1]);
}

Ret sys_clock_nanosleep(const Args& a)
{
    constexpr u64 ABSTIME = 1; // TIMER_ABSTIME; other flag bits are ignored, as on Linux
    auto decoded = core::time::decode_clock(int(a[0]));
    if (decoded.is_error()) return Errno::EINVAL;
    int id = decoded.value().id; // a CPU-time clock id from clock_getcpuclockid: as the named clock
    bool absolute = a[1] & ABSTIME;
    bool alarm = id == clk::REALTIME_ALARM || id == clk::BOOTTIME_ALARM;
    // Linux's order: an unknown clock, a clock that cannot sleep, the time, the clock's own checks.
    auto clk = clock_now(int(a[0]));
    if (clk.is_error()) return Errno::EINVAL;
    if (id == clk::MONOTONIC_RAW || id == clk::REALTIME_COARSE || id == clk::MONOTONIC_COARSE)
        return Errno::EOPNOTSUPP;
    u64 ns = TRY(read_timespec_ns(a[2], ~0ull));
    int tid = decoded.value().tid;
    if (id == clk::THREAD_CPUTIME_ID && (tid == 0 || tid == core::current()->tid))
        return Errno::EINVAL; // a thread cannot wait for its own clock
    if (alarm && (a[1] & ~ABSTIME)) return Errno::EINVAL;
    // Nothing suspends the VM: an alarm clock sleeps as its plain clock.
    if (alarm && core::process().euid != 0) return Errno::EPERM; // CAP_WAKE_ALARM
    // rem is written only for relative sleeps.
    u64 rem_ptr = absolute ? 0 : a[3];
    u64 now_mono = core::time::monotonic_ns();
    if (!core::time::follows_monotonic(id)) {
        // CPU time advances no faster than wall time: the CPU time still
        // missing is a lower bound of the wait, looked at again until reached.
        u64 target = absolute ? ns : (ns > ~0ull - clk.value() ? ~0ull : clk.value() + ns);
        for (;;) {
            auto now_cpu = clock_now(int(a[0]));
            if (now_cpu.is_error()) return Errno::EINVAL; // the thread is gone
            u64 c = now_cpu.value();
            if (c >= target) return 0;
            u64 now = core::time::monotonic_ns();
            auto r = core::sched::sleep_until(core::time::cpu_timer_deadline(now, target - c), true);
            if (!r.is_error()) continue;
            if (rem_ptr) {
                auto later = clock_now(int(a[0]));
                if (!later.is_error()) c = later.value();
                Timespec left = to_timespec(target > c ? target - c : 0);
                TRY(mm::copy_to_user(rem_ptr, &left, sizeof left));
            }
            return r.error();
        }
    }
    u64 deadline;
    if (absolute) {
        // Every other clock is a fixed distance from the monotonic one
        // (core::time::follows_monotonic).
        u64 now_clk = clk.value();
        deadline = ns <= now_clk ? now_mono : (ns - now_clk > ~0ull - now_mono ? ~0ull : now_mono + (ns - now_clk));
    } else {
        deadline = ns > ~0ull - now_mono ? ~0ull : now_mono + ns;
    }
    // A handler that interrupts the sleep ends it with EINTR, SA_RESTART or
    // not: Linux never restarts clock_nanosleep after a handler (signal(7)).
    return sleep(deadline, rem_ptr);
}

} // namespace sys
