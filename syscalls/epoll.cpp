// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
// epoll_pwait2. The interest list and readiness are fs::Epoll's; these decode
// and wait. A signal ends a wait with EINTR, never a restart (as Linux).
#include "syscalls/poll_wait.h"
#include "fs/epoll.h"
#include "fs/vfs.h"
#include "fs/fd_table.h"

namespace sys {

using namespace pollwait;

namespace {

// EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event).
constexpr i64 MAX_EVENTS = 0x7fffffff / i64(sizeof(fs::EpollEvent));

Ret do_wait(int epfd, u64 events, i64 maxevents, u64 deadline)
{
    if (maxevents <= 0 || maxevents > MAX_EVENTS) return Errno::EINVAL;
    // access_ok: the buffer must lie in the user half (mapped or not).
    constexpr u64 USER_END = 0x00007ffffffff000ull;
    u64 bytes = u64(maxevents) * sizeof(fs::EpollEvent);
    if (events > USER_END || bytes > USER_END - events) return Errno::EFAULT;
    auto file = TRY(fs::current_fds().get(epfd));
    fs::Epoll* ep = fs::stream_cast<fs::Epoll>(file->inode());
    if (!ep) return Errno::EINVAL;
    constexpr size_t BATCH = 64;
    fs::EpollEvent out[BATCH];
    size_t max = size_t(maxevents) < BATCH ? size_t(maxevents) : BATCH;
    for (;;) {
        u64 next = NONE, seen = fs::readiness_generation();
        size_t n = ep->collect(out, max, next);
        if (n) {
            TRY(mm::copy_to_user(events, out, n * sizeof(fs::EpollEvent)));
            return i64(n);
        }
        if (core::time::monotonic_ns() >= deadline) return 0;
        if (!wait(next < deadline ? next : deadline, seen)) return Errno::EINTR;
    }
}

u64 ms_deadline(int ms) { return ms < 0 ? NONE : deadline_after(u64(ms) * 1000000ull); }

} // namespace

Ret sys_epoll_create(const Args& a)
{
    if (int(a[0]) <= 0) return Errno::EINVAL;
    return i64(TRY(fs::install_anon(fs::make_epoll(0), 0)));
}

Ret sys_epoll_create1(const Args& a)
{
    u32 flags = u32(a[0]);
    return i64(TRY(fs::install_anon(fs::make_epoll(flags), flags)));
}

Ret sys_epoll_ctl(const Args& a)
{
    int op = int(a[1]);
    fs::EpollEvent ev {};
    if (op != fs::EPOLL_CTL_DEL) TRY(mm::copy_from_user(&ev, a[3], sizeof ev));
    auto& fds = fs::current_fds();
    auto ep_file = TRY(fds.get(a.fd(0)));
    auto target = TRY(fds.get(a.fd(2)));
    fs::Epoll* ep = fs::stream_cast<fs::Epoll>(ep_file->inode());
    if (!target->inode().has_poll()) return Errno::EPERM;
    if (!ep) return Errno::EINVAL;
    TRY(ep->control(op, a.fd(2), *target, ev));
    return 0;
}

Ret sys_epoll_wait(const Args& a)
{
    return do_wait(a.fd(0), a[1], i64(int(a[2])), ms_deadline(int(a[3])));
}

Ret sys_epoll_pwait(const Args& a)
{
    TempMask mask;
    TRY(mask.install(a[4], a[5]));
    return mask.finish(do_wait(a.fd(0), a[1], i64(int(a[2])), ms_deadline(int(a[3]))));
}

Ret sys_epoll_pwait2(const Args& a)
{
    u64 deadline = a[3] ? TRY(read_timespec_deadline(a[3])) : NONE;
    TempMask mask;
    TRY(mask.install(a[4], a[5]));
    return mask.finish(do_wait(a.fd(0), a[1], i64(int(a[2])), deadline));
}

} // namespace sys
