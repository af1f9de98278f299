#pragma once
// signalfd: a file whose reads take pending signals in its mask (the calling
// thread's and the process's) as struct signalfd_siginfo records. EAGAIN when
// none is pending: the syscall layer waits when the file is blocking.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "fs/inode.h"
#include "fs/open_file.h"

namespace fs {

class SignalFd final : public Inode {
public:
    static constexpr size_t RECORD = 128; // sizeof(struct signalfd_siginfo)
    ~SignalFd() override;

    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override;
    Result<size_t> write(u64, const IoBuffer&, size_t, u32) override { return Errno::EINVAL; }
    ErrorOr truncate(u64) override { return Errno::EINVAL; }
    bool is_seekable() const override { return false; }
    bool can_block() const override { return true; }
    bool can_fsync() const override { return false; }
    // Readable while a signal in the mask is pending; a signal sent wakes
    // interruptible waiters, so no readiness_changed() is needed.
    bool has_poll() const override { return true; }
    u32 poll(u32 flags) override;
    const char* anon_name() const override { return "[signalfd]"; }
    u64 mask() const { return m_mask; }
    void set_mask(u64 mask) { m_mask = mask; }

    // The signalfd behind an inode, or null (no RTTI in the kernel).
    static SignalFd* from(Inode& inode);

private:
    friend Result<core::Ref<OpenFile>> make_signalfd(u64 mask, u32 flags);
    explicit SignalFd(u64 mask);
    u64 m_mask;
    SignalFd* m_next { nullptr };
};

// signalfd4 with fd = -1: EINVAL for flags other than O_NONBLOCK, O_CLOEXEC.
Result<core::Ref<OpenFile>> make_signalfd(u64 mask, u32 flags);

} // namespace fs
