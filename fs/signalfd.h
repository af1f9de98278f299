#pragma once
// signalfd: a file whose reads take pending signals in its mask (the calling
// thread's and the process's) as struct signalfd_siginfo records. EAGAIN when
// none is pending: the syscall layer waits when the file is blocking.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "fs/stream_inode.h"

namespace fs {

class SignalFd final : public StreamInode {
public:
    static constexpr Kind KIND = Kind::SignalFd;
    static constexpr size_t RECORD = 128; // sizeof(struct signalfd_siginfo)

    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override;
    // Readable while a signal in the mask is pending; a signal sent wakes
    // interruptible waiters, so no readiness_changed() is needed.
    u32 poll(u32 flags) override;
    u64 mask() const { return m_mask; }
    void set_mask(u64 mask) { m_mask = mask; }

private:
    friend Result<core::Ref<OpenFile>> make_signalfd(u64 mask, u32 flags);
    explicit SignalFd(u64 mask);
    u64 m_mask;
};

// signalfd4 with fd = -1: EINVAL for flags other than O_NONBLOCK, O_CLOEXEC.
Result<core::Ref<OpenFile>> make_signalfd(u64 mask, u32 flags);

} // namespace fs
