#pragma once
// Pipes and eventfds: stream objects (fs/stream_inode.h) that wake their
// waiters after every change one could be waiting for (data in, room made, an
// end closed).
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "fs/stream_inode.h"

namespace fs {

// A pipe's buffer, laid out as Linux's: a ring of page-sized slots (16 by
// default: 64 KiB). A write first tops up the last slot when the remainder of
// its length (len % 4096) fits there, then fills fresh slots a page at a time;
// so a write of at most PIPE_BUF bytes is never split, and how many bytes a
// non-blocking write takes is what Linux's pipe_write takes. Readers and
// writers are counted by their open files.
class Pipe final : public StreamInode {
public:
    static constexpr Kind KIND = Kind::Pipe;
    static constexpr size_t DEFAULT_SLOTS = 16;
    static constexpr size_t ATOMIC_WRITE_MAX = 4096; // PIPE_BUF
    static constexpr u64 MAX_CAPACITY = u64(1) << 31; // round_pipe_size's limit

    static Result<core::Ref<Pipe>> create();
    ~Pipe() override;

    // Read: 0 at end of file (empty, no writer), EAGAIN when empty with a writer.
    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override;
    // Write: EPIPE with no reader. With O_NONBLOCK: what fits, EAGAIN when
    // nothing does. Blocking: a write of at most PIPE_BUF bytes that does not
    // fit whole answers EAGAIN having written nothing (the caller waits: it
    // stays atomic); a longer one takes what fits, and the caller waits for
    // room for the rest.
    Result<size_t> write(u64, const IoBuffer& buf, size_t n, u32 flags) override;
    void file_opened(u32 flags) override;
    void file_closed(u32 flags) override;
    bool reports_readiness() const override { return true; }
    u32 poll(u32 flags) override;

    size_t available() const; // FIONREAD
    size_t capacity() const { return m_slot_count * PAGE_SIZE; }
    // F_SETPIPE_SZ: rounds up to a power-of-two number of pages; EBUSY when
    // the slots in use do not fit, EINVAL past 2^31. We run as root, whom Linux
    // lets pass /proc/sys/fs/pipe-max-size (CAP_SYS_RESOURCE).
    Result<size_t> set_capacity(u64 size);
    u32 readers() const { return m_readers; }
    u32 writers() const { return m_writers; }

private:
    struct Slot {
        u32 offset, len;
    };
    Pipe() : StreamInode(KIND) {}
    ErrorOr allocate(size_t slots);
    size_t used_slots() const { return m_head - m_tail; }
    u8* page(size_t index) { return m_pages + (index & (m_slot_count - 1)) * PAGE_SIZE; }
    Slot& slot(size_t index) { return m_slots[index & (m_slot_count - 1)]; }
    // How many of n bytes a write can place now.
    size_t room_for(size_t n);

    u8* m_pages { nullptr };
    Slot* m_slots { nullptr };
    size_t m_slot_count { 0 };
    size_t m_head { 0 }, m_tail { 0 }; // free-running, as Linux's pipe->head/tail
    bool m_last_can_merge { false };
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
class EventFd final : public StreamInode {
public:
    static constexpr Kind KIND = Kind::EventFd;
    static constexpr u32 EFD_SEMAPHORE = 1;

    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override;
    Result<size_t> write(u64, const IoBuffer& buf, size_t n, u32 flags) override;
    bool reports_readiness() const override { return true; }
    u32 poll(u32 flags) override;
    u64 count() const { return m_count; }

private:
    friend Result<core::Ref<OpenFile>> make_eventfd(u32 initial, u32 flags);
    EventFd(u64 initial, bool semaphore)
        : StreamInode(KIND), m_count(initial), m_semaphore(semaphore) {}
    u64 m_count;
    bool m_semaphore;
};

// eventfd2: EINVAL for flags other than EFD_SEMAPHORE, O_NONBLOCK, O_CLOEXEC.
Result<core::Ref<OpenFile>> make_eventfd(u32 initial, u32 flags);

} // namespace fs
