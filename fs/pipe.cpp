#include "fs/pipe.h"

namespace fs {

// ---- Pipe ------------------------------------------------------------------

Result<core::Ref<Pipe>> Pipe::create()
{
    auto* p = new (std::nothrow) Pipe();
    if (!p) return Errno::ENOMEM;
    core::Ref<Pipe> pipe(p);
    TRY(pipe->allocate(DEFAULT_SLOTS));
    return pipe;
}

Pipe::~Pipe()
{
    delete[] m_pages;
    delete[] m_slots;
}

ErrorOr Pipe::allocate(size_t slots)
{
    u8* pages = new (std::nothrow) u8[slots * PAGE_SIZE];
    Slot* infos = new (std::nothrow) Slot[slots];
    if (!pages || !infos) {
        delete[] pages;
        delete[] infos;
        return Errno::ENOMEM;
    }
    // Keep the slots in use, in order, from index 0.
    size_t used = used_slots();
    for (size_t i = 0; i < used; i++) {
        memcpy(pages + i * PAGE_SIZE, page(m_tail + i), PAGE_SIZE);
        infos[i] = slot(m_tail + i);
    }
    delete[] m_pages;
    delete[] m_slots;
    m_pages = pages;
    m_slots = infos;
    m_slot_count = slots;
    m_tail = 0;
    m_head = used;
    return {};
}

void Pipe::file_opened(u32 flags)
{
    u32 acc = flags & O_ACCMODE;
    if (flags & O_PATH) return;
    if (acc == O_RDONLY || acc == O_RDWR) m_readers++;
    if (acc == O_WRONLY || acc == O_RDWR) m_writers++;
    readiness_changed(*this); // a FIFO's writers may write again (no POLLERR)
}

void Pipe::file_closed(u32 flags)
{
    u32 acc = flags & O_ACCMODE;
    if (flags & O_PATH) return;
    if ((acc == O_RDONLY || acc == O_RDWR) && m_readers) m_readers--;
    if ((acc == O_WRONLY || acc == O_RDWR) && m_writers) m_writers--;
    changed(); // end of file or POLLHUP for readers, EPIPE or POLLERR for writers
}

size_t Pipe::available() const
{
    size_t n = 0;
    for (size_t i = m_tail; i != m_head; i++) n += m_slots[i & (m_slot_count - 1)].len;
    return n;
}

Result<size_t> Pipe::read(u64, IoBuffer& buf, size_t n, u32)
{
    if (n == 0) return size_t(0);
    if (m_head == m_tail) {
        if (m_writers == 0) return size_t(0);
        return Errno::EAGAIN;
    }
    size_t done = 0;
    while (done < n && m_head != m_tail) {
        Slot& s = slot(m_tail);
        size_t take = s.len < n - done ? s.len : n - done;
        TRY(buf.copy_out(done, page(m_tail) + s.offset, take));
        s.offset += static_cast<u32>(take);
        s.len -= static_cast<u32>(take);
        done += take;
        if (s.len == 0) m_tail++;
    }
    if (m_head == m_tail) m_last_can_merge = false;
    touch_modified();
    changed();
    return done;
}

size_t Pipe::room_for(size_t n)
{
    size_t room = 0;
    size_t rest = n % PAGE_SIZE;
    if (rest && m_head != m_tail && m_last_can_merge) {
        Slot& last = slot(m_head - 1);
        if (last.offset + last.len + rest <= PAGE_SIZE) room = rest;
    }
    size_t free_slots = m_slot_count - used_slots();
    size_t fresh = n - room;
    size_t fits = free_slots * PAGE_SIZE;
    return room + (fresh < fits ? fresh : fits);
}

Result<size_t> Pipe::write(u64, const IoBuffer& buf, size_t n, u32 flags)
{
    if (n == 0) return size_t(0);
    if (m_readers == 0) return Errno::EPIPE;
    size_t fits = room_for(n);
    if (fits == 0 || (fits < n && !(flags & O_NONBLOCK) && n <= ATOMIC_WRITE_MAX)) return Errno::EAGAIN;
    size_t done = 0;
    // pipe_write: merge the remainder into the last slot, then fresh pages.
    size_t rest = n % PAGE_SIZE;
    if (rest && m_head != m_tail && m_last_can_merge) {
        Slot& last = slot(m_head - 1);
        size_t at = last.offset + last.len;
        if (at + rest <= PAGE_SIZE) {
            TRY(buf.copy_in(page(m_head - 1) + at, 0, rest));
            last.len += static_cast<u32>(rest);
            done = rest;
        }
    }
    while (done < fits) {
        size_t chunk = fits - done < PAGE_SIZE ? fits - done : PAGE_SIZE;
        TRY(buf.copy_in(page(m_head), done, chunk));
        slot(m_head) = Slot { 0, static_cast<u32>(chunk) };
        m_head++;
        done += chunk;
    }
    m_last_can_merge = true;
    touch_modified();
    changed();
    return done;
}

// pipe_poll: readable when a slot holds data, hung up when no writer is
// left; writable while a slot is free, an error when no reader is left.
u32 Pipe::poll(u32 flags)
{
    u32 acc = flags & O_ACCMODE, mask = 0;
    if (acc == O_RDONLY || acc == O_RDWR) {
        if (m_head != m_tail) mask |= POLLIN | POLLRDNORM;
        if (m_writers == 0) mask |= POLLHUP;
    }
    if (acc == O_WRONLY || acc == O_RDWR) {
        if (used_slots() < m_slot_count) mask |= POLLOUT | POLLWRNORM;
        if (m_readers == 0) mask |= POLLERR;
    }
    return mask;
}

Result<size_t> Pipe::set_capacity(u64 size)
{
    if (size > MAX_CAPACITY) return Errno::EINVAL;
    size_t slots = 1;
    while (slots * PAGE_SIZE < size) slots *= 2;
    if (slots < used_slots()) return Errno::EBUSY;
    if (slots != m_slot_count) TRY(allocate(slots));
    changed();
    return capacity();
}

Result<PipeEnds> make_pipe(u32 flags)
{
    auto pipe = TRY(Pipe::create());
    u32 status = flags & O_NONBLOCK;
    PipeEnds ends;
    ends.read = TRY(OpenFile::create_pseudo(pipe, O_RDONLY | status));
    ends.write = TRY(OpenFile::create_pseudo(pipe, O_WRONLY | status));
    return ends;
}

// ---- EventFd ---------------------------------------------------------------

Result<size_t> EventFd::read(u64, IoBuffer& buf, size_t n, u32)
{
    if (n < 8) return Errno::EINVAL;
    if (m_count == 0) return Errno::EAGAIN;
    u64 value = m_semaphore ? 1 : m_count;
    TRY(buf.copy_out(0, &value, 8));
    m_count -= value;
    changed();
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
    changed();
    return size_t(8);
}

// eventfd_poll: readable with a count, writable while 1 more fits.
u32 EventFd::poll(u32)
{
    u32 mask = 0;
    if (m_count > 0) mask |= POLLIN | POLLRDNORM;
    if (m_count < ~u64(0) - 1) mask |= POLLOUT | POLLWRNORM;
    return mask;
}

Result<core::Ref<OpenFile>> make_eventfd(u32 initial, u32 flags)
{
    if (flags & ~(EventFd::EFD_SEMAPHORE | O_NONBLOCK | O_CLOEXEC)) return Errno::EINVAL;
    return open_anon(new (std::nothrow) EventFd(initial, flags & EventFd::EFD_SEMAPHORE), flags);
}

} // namespace fs
