#pragma once
// struct timespec and struct itimerspec as the time calls read and write them
// (clock_nanosleep, rt_sigtimedwait, timer_settime, timerfd_settime...).
#include "syscalls/syscall.h"

namespace sys {

struct Timespec { i64 sec, nsec; };
struct Itimerspec { Timespec interval, value; };

inline Timespec to_timespec(u64 ns) { return { i64(ns / 1000000000ull), i64(ns % 1000000000ull) }; }

// Nanoseconds: EINVAL when negative or tv_nsec is out of range; `saturated`
// for a time past what 64 bits of nanoseconds count.
inline Result<u64> timespec_ns(const Timespec& ts, u64 saturated)
{
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000) return Errno::EINVAL;
    if (u64(ts.sec) > ~0ull / 1000000000ull - 1) return saturated;
    return u64(ts.sec) * 1000000000ull + u64(ts.nsec);
}

// The same, read from the program (EFAULT).
inline Result<u64> read_timespec_ns(u64 ptr, u64 saturated)
{
    Timespec ts;
    TRY(mm::copy_from_user(&ts, ptr, sizeof ts));
    return timespec_ns(ts, saturated);
}

} // namespace sys
