#pragma once
// Stream objects: pipes, eventfd, timerfd, signalfd and epoll. They belong to
// no directory, have no offsets, nothing to truncate or flush, and a poll
// operation. Reads and writes of all but epoll can have to wait: they answer
// EAGAIN for "would block" whatever the file's O_NONBLOCK, and the syscall
// layer waits when the file is blocking (syscalls/blocking.h) until the wake
// hook is called for the inode (changed(), or wake_blocked_io()).
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "fs/inode.h"
#include "fs/open_file.h"

namespace fs {

// Called with the inode whose state changed (the kernel wakes the threads
// waiting on it; nothing on the host).
using IoWakeHook = void (*)(const Inode*);
void set_io_wake_hook(IoWakeHook hook);
// Wakes the threads waiting to read or write `inode`.
void wake_blocked_io(const Inode& inode);

class StreamInode : public Inode {
public:
    // Which object this is: a Pipe is a FIFO, the others Linux's anon
    // inodes, named after their kind (anon_name).
    enum class Kind : u8 { Pipe, EventFd, TimerFd, SignalFd, Epoll };
    Kind kind() const { return m_kind; }

    StreamInode* as_stream() override { return this; }
    const char* anon_name() const override;
    ErrorOr truncate(u64) override { return Errno::EINVAL; }
    bool is_seekable() const override { return false; }
    bool can_block() const override { return m_kind != Kind::Epoll; } // epoll is never read
    bool can_fsync() const override { return false; }
    bool has_poll() const override { return true; }

protected:
    explicit StreamInode(Kind kind);
    // A change that a blocked reader or writer, or a poll/epoll waiter, may
    // be waiting for: wakes both (the kinds that reports_readiness() call
    // this for every such change).
    void changed();

private:
    Kind m_kind;
};

// The T (a StreamInode with T::KIND) behind an inode, or null (no RTTI in
// the kernel; a FIFO that is not a pipe, as a host stream, is null too).
template<typename T>
T* stream_cast(Inode& inode)
{
    StreamInode* s = inode.as_stream();
    return s && s->kind() == T::KIND ? static_cast<T*>(s) : nullptr;
}

// The open file of a new anonymous object (eventfd, signalfd, timerfd,
// epoll) that `new (std::nothrow)` gave: ENOMEM when that is null.
// Read-write; non-blocking when `flags` has O_NONBLOCK.
Result<core::Ref<OpenFile>> open_anon(StreamInode* inode, u32 flags);
// Installs such a file in the current descriptor table, close-on-exec when
// `flags` has O_CLOEXEC: the new descriptor (the *_create syscalls).
Result<int> install_anon(Result<core::Ref<OpenFile>> file, u32 flags);

} // namespace fs
