// timerfd_create, timerfd_settime, timerfd_gettime. Reads go through the
// generic read path (a blocking read waits as for an eventfd); the file is
// fs/timerfd.h.
#include "syscalls/syscall.h"
#include "syscalls/timespec.h"
#include "fs/fd_table.h"
#include "fs/timerfd.h"
#include "fs/vfs.h"

namespace sys {

namespace {
using fs::TimerFd;

// EBADF for a closed fd, EINVAL for one that is not a timerfd (Linux's timerfd_fget).
Result<core::Ref<fs::OpenFile>> timerfd_file(int fd, TimerFd*& out)
{
    auto file = TRY(fs::current_fds().get(fd));
    out = fs::stream_cast<TimerFd>(file->inode());
    if (!out) return Errno::EINVAL;
    return file;
}

ErrorOr put_setting(u64 ptr, const TimerFd::Setting& s)
{
    Itimerspec its { to_timespec(s.interval_ns), to_timespec(s.value_ns) };
    return mm::copy_to_user(ptr, &its, sizeof its);
}
} // namespace

Ret sys_timerfd_create(const Args& a)
{
    u32 flags = u32(a[1]);
    return i64(TRY(fs::install_anon(fs::make_timerfd(int(a[0]), flags), flags)));
}

Ret sys_timerfd_settime(const Args& a)
{
    constexpr u32 SETTIME_FLAGS = TimerFd::TFD_TIMER_ABSTIME | TimerFd::TFD_TIMER_CANCEL_ON_SET;
    Itimerspec its;
    TRY(mm::copy_from_user(&its, a[2], sizeof its));
    u32 flags = u32(a[1]);
    if (flags & ~SETTIME_FLAGS) return Errno::EINVAL;
    TimerFd::Setting s { TRY(timespec_ns(its.value, ~0ull - 1)), TRY(timespec_ns(its.interval, ~0ull - 1)) };
    TimerFd* t;
    auto file = TRY(timerfd_file(int(a[0]), t));
    TimerFd::Setting old = t->set(flags, s);
    if (a[3]) TRY(put_setting(a[3], old));
    return 0;
}

Ret sys_timerfd_gettime(const Args& a)
{
    TimerFd* t;
    auto file = TRY(timerfd_file(int(a[0]), t));
    TRY(put_setting(a[1], t->get()));
    return 0;
}

} // namespace sys
