#include "fs/epoll.h"

namespace fs {

namespace {
Epoll* g_live; // every Epoll: to recognise one, and to drop entries of released files
constexpr u32 PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
constexpr u32 EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
} // namespace

Epoll::Epoll() : Inode(InodeType::Anon, 0600)
{
    m_next = g_live;
    g_live = this;
}

Epoll::~Epoll()
{
    for (Epoll** p = &g_live; *p; p = &(*p)->m_next)
        if (*p == this) {
            *p = m_next;
            break;
        }
}

Epoll* Epoll::from(Inode& inode)
{
    for (Epoll* e = g_live; e; e = e->m_next)
        if (e == &inode) return e;
    return nullptr;
}

void Epoll::file_released(OpenFile* file)
{
    for (Epoll* e = g_live; e; e = e->m_next)
        for (size_t i = 0; i < e->m_entries.size();) {
            if (e->m_entries[i].file == file) e->m_entries.remove(i);
            else i++;
        }
}

Epoll::Entry* Epoll::find(OpenFile* file, int fd)
{
    for (auto& e : m_entries)
        if (e.file == file && e.fd == fd) return &e;
    return nullptr;
}

int Epoll::depth() const
{
    int d = 0;
    for (auto& e : m_entries)
        if (Epoll* inner = from(e.file->inode())) {
            int di = inner->depth() + 1;
            if (di > d) d = di;
        }
    return d;
}

bool Epoll::reaches(const Epoll* target, int depth) const
{
    if (this == target || depth > MAX_NESTS) return true;
    for (auto& e : m_entries)
        if (Epoll* inner = from(e.file->inode()))
            if (inner->reaches(target, depth + 1)) return true;
    return false;
}

ErrorOr Epoll::control(int op, int fd, OpenFile& target, const EpollEvent& ev)
{
    if (!target.inode().has_poll()) return Errno::EPERM;
    if (&target.inode() == this) return Errno::EINVAL;
    Epoll* inner = from(target.inode());
    u32 events = ev.events;
    if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
        if (op == EPOLL_CTL_MOD) return Errno::EINVAL;
        if (op == EPOLL_CTL_ADD && (inner || (events & ~EXCLUSIVE_OK))) return Errno::EINVAL;
    }
    // Adding an epoll: no cycle, and no deeper nesting than Linux allows.
    if (op == EPOLL_CTL_ADD && inner && (inner->reaches(this, 0) || inner->depth() + 1 >= MAX_NESTS))
        return Errno::ELOOP;
    Entry* e = find(&target, fd);
    switch (op) {
    case EPOLL_CTL_ADD:
        if (e) return Errno::EEXIST;
        TRY(m_entries.append(Entry { &target, fd, events | EPOLLERR | EPOLLHUP, ev.data, ~0ull }));
        readiness_changed(*this);
        return {};
    case EPOLL_CTL_DEL:
        if (!e) return Errno::ENOENT;
        m_entries.remove(size_t(e - m_entries.data()));
        return {};
    case EPOLL_CTL_MOD:
        if (!e) return Errno::ENOENT;
        if (e->events & EPOLLEXCLUSIVE) return Errno::EINVAL;
        e->events = events | EPOLLERR | EPOLLHUP;
        e->data = ev.data;
        e->seen = ~0ull; // re-armed: reported again if ready, as ep_modify
        readiness_changed(*this);
        return {};
    default: return Errno::EINVAL;
    }
}

u32 Epoll::ready_mask(Entry& e, u64& count)
{
    if (!(e.events & ~PRIVATE_BITS)) return 0; // disarmed by EPOLLONESHOT
    // The count before the look: an event counted while the file is polled
    // (an interrupt held off by the socket's lock fires as it is released)
    // is then after `count`, reported next time instead of taken as seen.
    count = e.file->inode().poll_events();
    u32 mask = e.file->inode().poll(e.file->flags()) & e.events & ~PRIVATE_BITS;
    if (mask && (e.events & EPOLLET) && count == e.seen) return 0;
    return mask;
}

size_t Epoll::collect(EpollEvent* out, size_t max, u64& next)
{
    size_t n = 0, count = m_entries.size();
    if (m_cursor >= count) m_cursor = 0;
    for (size_t k = 0; k < count && n < max; k++) {
        size_t i = (m_cursor + k) % count;
        Entry& e = m_entries[i];
        u64 d = e.file->inode().poll_deadline();
        if (d < next) next = d;
        u64 count;
        u32 mask = ready_mask(e, count);
        if (!mask) continue;
        out[n++] = EpollEvent { mask, e.data };
        e.seen = count;
        if (e.events & EPOLLONESHOT) e.events &= PRIVATE_BITS;
        if (n == max) m_cursor = i + 1;
    }
    return n;
}

u32 Epoll::poll(u32)
{
    u64 count;
    for (auto& e : m_entries)
        if (ready_mask(e, count)) return POLLIN | POLLRDNORM;
    return 0;
}

u64 Epoll::poll_deadline()
{
    u64 next = POLL_NO_DEADLINE;
    for (auto& e : m_entries) {
        u64 d = e.file->inode().poll_deadline();
        if (d < next) next = d;
    }
    return next;
}

Result<core::Ref<OpenFile>> make_epoll(u32 flags)
{
    if (flags & ~O_CLOEXEC) return Errno::EINVAL;
    auto* e = new (std::nothrow) Epoll();
    if (!e) return Errno::ENOMEM;
    return OpenFile::create_pseudo(core::Ref<Epoll>(e), O_RDWR);
}

} // namespace fs
