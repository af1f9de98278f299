#include "fs/pipe.h"

namespace fs {

// ---- Pipe ------------------------------------------------------------------

Result<core::Ref<Pipe>> Pipe::create()
{
    auto* p = new (std::nothrow) Pipe();
    if (!p) return Errno::ENOMEM;
    core::Ref<Pipe> pipe(p);
    pipe->m_ring = new (std::nothrow) u8[DEFAULT_CAPACITY];
    if (!pipe->m_ring) return Errno::ENOMEM;
    pipe->m_capacity = DEFAULT_CAPACITY;
    return pipe;
}

Pipe::~Pipe() { delete[] m_ring; }

void Pipe::file_opened(u32 flags)
{
    u32 acc = flags & O_ACCMODE;
    if (flags & O_PATH) return;
    if (acc == O_RDONLY || acc == O_RDWR) m_readers++;
    if (acc == O_WRONLY || acc == O_RDWR) m_writers++;
}

void Pipe::file_closed(u32 flags)
{
    u32 acc = flags & O_ACCMODE;
    if (flags & O_PATH) return;
    if ((acc == O_RDONLY || acc == O_RDWR) && m_readers) m_readers--;
    if ((acc == O_WRONLY || acc == O_RDWR) && m_writers) m_writers--;
}

Result<size_t> Pipe::read(u64, IoBuffer& buf, size_t n, u32)
{
    if (n == 0) return size_t(0);
    if (m_count == 0) {
        if (m_writers == 0) return size_t(0);
        return Errno::EAGAIN;
    }
    size_t want = n < m_count ? n : m_count;
    // At most two pieces: up to the end of the ring, then from its start.
    size_t first = m_capacity - m_head < want ? m_capacity - m_head : want;
    TRY(buf.copy_out(0, m_ring + m_head, first));
    if (want > first) TRY(buf.copy_out(first, m_ring, want - first));
    m_head = (m_head + want) % m_capacity;
    m_count -= want;
    if (m_count == 0) m_head = 0;
    touch_modified();
    return want;
}

Result<size_t> Pipe::write(u64, const IoBuffer& buf, size_t n, u32 flags)
{
    if (m_readers == 0) return Errno::EPIPE;
    if (n == 0) return size_t(0);
    size_t room = m_capacity - m_count;
    if (n <= ATOMIC_WRITE || !(flags & O_NONBLOCK)) {
        // All or nothing (PIPE_BUF atomicity; a blocking write completes whole).
        if (room < n) return Errno::EAGAIN;
    } else if (room == 0) {
        return Errno::EAGAIN;
    }
    size_t put = n < room ? n : room;
    size_t tail = (m_head + m_count) % m_capacity;
    size_t first = m_capacity - tail < put ? m_capacity - tail : put;
    TRY(buf.copy_in(m_ring + tail, 0, first));
    if (put > first) TRY(buf.copy_in(m_ring, first, put - first));
    m_count += put;
    touch_modified();
    return put;
}

Result<size_t> Pipe::set_capacity(u64 size)
{
    if (size > MAX_CAPACITY) return Errno::EINVAL;
    size_t cap = PAGE_SIZE;
    while (cap < size) cap *= 2;
    if (cap < m_count) return Errno::EBUSY;
    if (cap == m_capacity) return cap;
    u8* ring = new (std::nothrow) u8[cap];
    if (!ring) return Errno::ENOMEM;
    for (size_t i = 0; i < m_count; i++) ring[i] = m_ring[(m_head + i) % m_capacity];
    delete[] m_ring;
    m_ring = ring;
    m_capacity = cap;
    m_head = 0;
    return cap;
}

Result<PipeEnds> make_pipe(u32 flags)
{
    auto pipe = TRY(Pipe::create());
    u32 status = flags & O_NONBLOCK;
    PipeEnds ends;
    ends.read = TRY(OpenFile::create(pipe, O_RDONLY | status));
    ends.write = TRY(OpenFile::create(pipe, O_WRONLY | status));
    return ends;
}

// ---- EventFd ---------------------------------------------------------------

Result<core::Ref<EventFd>> EventFd::create(u64 initial, bool semaphore)
{
    auto* e = new (std::nothrow) EventFd(initial, semaphore);
    if (!e) return Errno::ENOMEM;
    return core::Ref<EventFd>(e);
}

Result<size_t> EventFd::read(u64, IoBuffer& buf, size_t n, u32)
{
    if (n < 8) return Errno::EINVAL;
    if (m_count == 0) return Errno::EAGAIN;
    u64 value = m_semaphore ? 1 : m_count;
    TRY(buf.copy_out(0, &value, 8));
    m_count -= value;
    return size_t(8);
}

Result<size_t> EventFd::write(u64, const IoBuffer& buf, size_t n, u32)
{
    if (n < 8) return Errno::EINVAL;
    u64 value;
    TRY(buf.copy_in(&value, 0, 8));
    if (value == ~u64(0)) return Errno::EINVAL;
    constexpr u64 MAX = ~u64(0) - 1;
    if (value > MAX - m_count) return Errno::EAGAIN;
    m_count += value;
    return size_t(8);
}

Result<core::Ref<OpenFile>> make_eventfd(u32 initial, u32 flags)
{
    if (flags & ~(EventFd::EFD_SEMAPHORE | O_NONBLOCK | O_CLOEXEC)) return Errno::EINVAL;
    auto efd = TRY(EventFd::create(initial, flags & EventFd::EFD_SEMAPHORE));
    return OpenFile::create(efd, O_RDWR | (flags & O_NONBLOCK));
}

} // namespace fs
