// pipe, pipe2, eventfd, eventfd2; the wait a blocking pipe or eventfd makes
// (syscalls/blocking.h).
#include "fs/errno_guard.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "syscalls/blocking.h"
#include "syscalls/fd_pair.h"
#include "syscalls/syscall.h"
#include "core/sched.h"

namespace sys {

namespace {
// Threads waiting on a pipe or eventfd sleep on one of these queues, keyed by
// the inode's address.
constexpr int NQUEUES = 32;
core::WaitQueue g_io_queues[NQUEUES];
core::WaitQueue& queue_of(const void* key) { return g_io_queues[(u64(key) >> 6) % NQUEUES]; }

void wake_inode(const fs::Inode* inode)
{
    core::sched::wake_matching(queue_of(inode), u64(inode), ~0u, ~0u);
}
} // namespace

ErrorOr wait_for_io(fs::Inode& inode)
{
    const void* key = &inode;
    // Wake-ups matter only once someone waits: the hook goes in with the first.
    fs::set_io_wake_hook(wake_inode);
    core::Thread* self = core::current();
    self->wait_key = u64(key);
    self->wait_bits = ~0u;
    auto r = core::sched::wait(queue_of(key), inode.io_deadline(), true);
    // Linux's pipe_read/pipe_write: restarted after a handler with SA_RESTART.
    if (r.is_error() && r.error() == Errno::EINTR) return Errno::ERESTARTSYS;
    if (r.is_error() && r.error() == Errno::ETIMEDOUT) return {}; // the caller looks again
    return r;
}

Ret install_pair(core::Ref<fs::OpenFile> a, core::Ref<fs::OpenFile> b, bool cloexec, u64 out)
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

namespace {
Ret do_pipe2(u64 fds_addr, u32 flags)
{
    // O_DIRECT (packet mode) and O_NOTIFICATION_PIPE are not implemented.
    if (flags & ~(fs::O_CLOEXEC | fs::O_NONBLOCK)) return Errno::EINVAL;
    auto ends = TRY(fs::make_pipe(flags));
    return install_pair(std::move(ends.read), std::move(ends.write), flags & fs::O_CLOEXEC, fds_addr);
}

Ret do_eventfd(u64 initial, u32 flags)
{
    return i64(TRY(fs::install_anon(fs::make_eventfd(static_cast<u32>(initial), flags), flags)));
}
} // namespace

Ret sys_pipe(const Args& a) { return do_pipe2(a[0], 0); }
Ret sys_pipe2(const Args& a) { return do_pipe2(a[0], static_cast<u32>(a[1])); }
Ret sys_eventfd(const Args& a) { return do_eventfd(a[0], 0); }
Ret sys_eventfd2(const Args& a) { return do_eventfd(a[0], static_cast<u32>(a[1])); }

} // namespace sys
