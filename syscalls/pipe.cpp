// pipe, pipe2, eventfd, eventfd2; the wait a blocking pipe or eventfd makes.
#include "fs/errno_guard.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "syscalls/blocking.h"
#include "syscalls/syscall.h"
#include "core/time.h"

namespace sys {

void wait_forever()
{
    // Nothing can end this wait but the end of the program (no other thread,
    // no timer signals yet): halt until then, as Linux would sleep.
    for (;;) core::time::sleep_until_ns(~u64(0));
}

namespace {
// Installs both descriptors or neither.
Result<i64> install_pair(core::Ref<fs::OpenFile> a, core::Ref<fs::OpenFile> b, bool cloexec, u64 out)
{
    auto& fds = fs::current_fds();
    int fd0 = TRY(fds.install(std::move(a), cloexec));
    auto fd1 = fds.install(std::move(b), cloexec);
    if (fd1.is_error()) {
        (void)fds.close(fd0);
        return fd1.error();
    }
    int pair[2] = { fd0, fd1.value() };
    auto copied = mm::copy_to_user(out, pair, sizeof pair);
    if (copied.is_error()) {
        (void)fds.close(fd0);
        (void)fds.close(pair[1]);
        return copied.error();
    }
    return i64(0);
}

Ret do_pipe2(u64 fds_addr, u32 flags)
{
    // O_DIRECT (packet mode) and O_NOTIFICATION_PIPE are not implemented.
    if (flags & ~(fs::O_CLOEXEC | fs::O_NONBLOCK)) return Errno::EINVAL;
    auto ends = TRY(fs::make_pipe(flags));
    return install_pair(std::move(ends.read), std::move(ends.write), flags & fs::O_CLOEXEC, fds_addr);
}

Ret do_eventfd(u64 initial, u32 flags)
{
    auto file = TRY(fs::make_eventfd(static_cast<u32>(initial), flags));
    return i64(TRY(fs::current_fds().install(std::move(file), flags & fs::O_CLOEXEC)));
}
} // namespace

Ret sys_pipe(const Args& a) { return do_pipe2(a[0], 0); }
Ret sys_pipe2(const Args& a) { return do_pipe2(a[0], static_cast<u32>(a[1])); }
Ret sys_eventfd(const Args& a) { return do_eventfd(a[0], 0); }
Ret sys_eventfd2(const Args& a) { return do_eventfd(a[0], static_cast<u32>(a[1])); }

} // namespace sys
