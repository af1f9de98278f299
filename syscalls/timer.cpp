// POSIX timers: timer_create, timer_settime, timer_gettime, timer_getoverrun,
// timer_delete. The timers live in core/posix_timer.cpp.
#include "syscalls/syscall.h"
#include "syscalls/timespec.h"
#include "core/posix_timer.h"

namespace sys {

namespace {
using core::ptimer::Setting;

// The kernel's struct sigevent (64 bytes; the union's first int is the tid).
struct Sigevent {
    u64 value;
    i32 signo, notify;
    i32 tid;
    i32 pad[11];
};
static_assert(sizeof(Sigevent) == 64);


ErrorOr put_setting(u64 ptr, const Setting& s)
{
    Itimerspec its { to_timespec(s.interval_ns), to_timespec(s.value_ns) };
    return mm::copy_to_user(ptr, &its, sizeof its);
}
} // namespace

Ret sys_timer_create(const Args& a)
{
    core::ptimer::SigEvent ev {};
    if (a[1]) {
        Sigevent se;
        TRY(mm::copy_from_user(&se, a[1], sizeof se));
        ev = { se.value, se.signo, se.notify, se.tid };
    }
    i32 id = TRY(core::ptimer::create(int(a[0]), a[1] ? &ev : nullptr));
    auto r = mm::copy_to_user(a[2], &id, sizeof id);
    if (r.is_error()) {
        (void)core::ptimer::remove(id);
        return r.error();
    }
    return 0;
}

Ret sys_timer_settime(const Args& a)
{
    constexpr u64 ABSTIME = 1; // TIMER_ABSTIME; other flag bits are ignored, as on Linux
    if (!a[2]) return Errno::EINVAL;
    Itimerspec its;
    TRY(mm::copy_from_user(&its, a[2], sizeof its));
    Setting s { TRY(timespec_ns(its.value, ~0ull - 1)), TRY(timespec_ns(its.interval, ~0ull - 1)) };
    Setting old = TRY(core::ptimer::set(i32(a[0]), a[1] & ABSTIME, s));
    if (a[3]) TRY(put_setting(a[3], old));
    return 0;
}

Ret sys_timer_gettime(const Args& a)
{
    Setting s = TRY(core::ptimer::get(i32(a[0])));
    TRY(put_setting(a[1], s));
    return 0;
}

Ret sys_timer_getoverrun(const Args& a) { return TRY(core::ptimer::overrun(i32(a[0]))); }

Ret sys_timer_delete(const Args& a)
{
    TRY(core::ptimer::remove(i32(a[0])));
    return 0;
}

} // namespace sys
