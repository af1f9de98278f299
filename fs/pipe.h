#pragma once
// Pipes and eventfds: inodes that belong to no directory and whose reads and
// writes can have to wait. They answer EAGAIN for "would block" whatever the
// file's O_NONBLOCK; the syscall layer waits when the file is blocking (see
// Inode::can_block). With one thread nothing else can ever make progress, so
// that wait is for ever, exactly what Linux does to a lone process.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "fs/inode.h"
#include "fs/open_file.h"

namespace fs {

// A pipe's buffer: a ring of `capacity` bytes (64 KiB by default, Linux's
// 16 pages), with the readers and writers counted by their open files.
class Pipe final : public Inode {
public:
    static constexpr size_t DEFAULT_CAPACITY = 65536;
    static constexpr size_t ATOMIC_WRITE = 4096; // PIPE_BUF
    static constexpr u64 MAX_CAPACITY = u64(1) << 31; // round_pipe_size's limit

    static Result<core::Ref<Pipe>> create();
    ~Pipe() override;

    // Read: 0 at end of file (empty, no writer), EAGAIN when empty with a writer.
    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override;
    // Write: EPIPE with no reader (SIGPIPE is not delivered yet); writes of at
    // most PIPE_BUF bytes are all or nothing; a blocking write that does not
    // fit whole answers EAGAIN having written nothing (its wait would never end).
    Result<size_t> write(u64, const IoBuffer& buf, size_t n, u32 flags) override;
    ErrorOr truncate(u64) override { return Errno::EINVAL; }
    bool is_seekable() const override { return false; }
    bool can_block() const override { return true; }
    bool can_fsync() const override { return false; }
    void file_opened(u32 flags) override;
    void file_closed(u32 flags) override;

    size_t available() const { return m_count; }
    size_t capacity() const { return m_capacity; }
    // F_SETPIPE_SZ: rounds up to a power-of-two number of pages; EBUSY when the
    // data does not fit, EINVAL past 2^31. We run as root, whom Linux lets
    // pass /proc/sys/fs/pipe-max-size (CAP_SYS_RESOURCE).
    Result<size_t> set_capacity(u64 size);
    u32 readers() const { return m_readers; }
    u32 writers() const { return m_writers; }

private:
    Pipe() : Inode(InodeType::Fifo, 0600) {}
    u8* m_ring { nullptr };
    size_t m_capacity { 0 };
    size_t m_head { 0 }; // next byte to read
    size_t m_count { 0 };
    u32 m_readers { 0 }, m_writers { 0 };
};

// pipe2: the read end (O_RDONLY) and the write end (O_WRONLY) of a new pipe,
// `flags` may carry O_NONBLOCK (both ends).
struct PipeEnds {
    core::Ref<OpenFile> read, write;
};
Result<PipeEnds> make_pipe(u32 flags);

// eventfd: a 64-bit counter. Reads of 8 bytes take the counter (or 1 with
// EFD_SEMAPHORE) and EAGAIN at 0; writes of 8 bytes add, EAGAIN when the sum
// would pass 0xfffffffffffffffe, EINVAL for the value 2^64-1.
class EventFd final : public Inode {
public:
    static constexpr u32 EFD_SEMAPHORE = 1;
    static Result<core::Ref<EventFd>> create(u64 initial, bool semaphore);

    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override;
    Result<size_t> write(u64, const IoBuffer& buf, size_t n, u32 flags) override;
    ErrorOr truncate(u64) override { return Errno::EINVAL; }
    bool is_seekable() const override { return false; }
    bool can_block() const override { return true; }
    bool can_fsync() const override { return false; }
    u64 count() const { return m_count; }

private:
    EventFd(u64 initial, bool semaphore)
        : Inode(InodeType::Anon, 0600), m_count(initial), m_semaphore(semaphore) {}
    u64 m_count;
    bool m_semaphore;
};

// eventfd2: EINVAL for flags other than EFD_SEMAPHORE, O_NONBLOCK, O_CLOEXEC.
Result<core::Ref<OpenFile>> make_eventfd(u32 initial, u32 flags);

} // namespace fs
