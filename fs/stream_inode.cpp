#include "fs/stream_inode.h"
#include "fs/fd_table.h"
#include "fs/vfs.h"

namespace fs {

namespace {
IoWakeHook g_wake;
} // namespace

void set_io_wake_hook(IoWakeHook hook) { g_wake = hook; }

void wake_blocked_io(const Inode& inode)
{
    if (g_wake) g_wake(&inode);
}

StreamInode::StreamInode(Kind kind)
    : Inode(kind == Kind::Pipe ? InodeType::Fifo : InodeType::Anon, 0600)
    , m_kind(kind)
{
}

// Linux's "anon_inode:[eventfd]" and so on, in /proc/self/fd links.
const char* StreamInode::anon_name() const
{
    switch (m_kind) {
    case Kind::Pipe: return nullptr;
    case Kind::EventFd: return "[eventfd]";
    case Kind::TimerFd: return "[timerfd]";
    case Kind::SignalFd: return "[signalfd]";
    case Kind::Epoll: return "[eventpoll]";
    }
    return nullptr;
}

void StreamInode::changed()
{
    wake_blocked_io(*this);
    readiness_changed(*this);
}

Result<core::Ref<OpenFile>> open_anon(StreamInode* inode, u32 flags)
{
    if (!inode) return Errno::ENOMEM;
    return OpenFile::create_pseudo(core::Ref<StreamInode>(inode), O_RDWR | (flags & O_NONBLOCK));
}

Result<int> install_anon(Result<core::Ref<OpenFile>> file, u32 flags)
{
    return current_fds().install(TRY(std::move(file)), flags & O_CLOEXEC);
}

} // namespace fs
