#include "fs/epoll.h"
#include "fs/poll.h"

namespace fs {

namespace {
Epoll* g_live; // every Epoll: to drop entries of released files
constexpr u32 PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
constexpr u32 EXCLUSIVE_OK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;

// readiness_lock() for a scope.
class ReadyGuard {
public:
    ReadyGuard() : m_flags(readiness_lock()) {}
    ~ReadyGuard() { readiness_unlock(m_flags); }
    ReadyGuard(const ReadyGuard&) = delete;
    ReadyGuard& operator=(const ReadyGuard&) = delete;

private:
    u64 m_flags;
};
} // namespace

Epoll::Epoll() : StreamInode(KIND)
{
    m_next = g_live;
    g_live = this;
}

Epoll::~Epoll()
{
    while (!m_entries.is_empty()) remove(m_entries[m_entries.size() - 1]);
    for (Epoll** p = &g_live; *p; p = &(*p)->m_next)
        if (*p == this) {
            *p = m_next;
            break;
        }
}

void Epoll::push_ready_locked(Entry* e)
{
    if (e->ready) return;
    e->ready = true;
    e->next_ready = nullptr;
    if (m_ready_tail) m_ready_tail->next_ready = e;
    else m_ready_head = e;
    m_ready_tail = e;
}

Epoll::Entry* Epoll::pop_ready()
{
    ReadyGuard g;
    Entry* e = m_ready_head;
    if (!e) return nullptr;
    m_ready_head = e->next_ready;
    if (!m_ready_head) m_ready_tail = nullptr;
    e->next_ready = nullptr;
    e->ready = false;
    return e;
}

void Epoll::inode_changed(Inode& inode)
{
    if (!inode.m_epoll_watchers) return;
    ReadyGuard g;
    for (Entry* e = inode.m_epoll_watchers; e; e = e->next_watcher) e->epoll->push_ready_locked(e);
}

// Unlinks `e` from its inode's list, the ready list and this epoll, and frees it.
void Epoll::remove(Entry* e)
{
    {
        ReadyGuard g;
        if (e->watched) {
            Inode& inode = e->file->inode();
            for (Entry** p = &inode.m_epoll_watchers; *p; p = &(*p)->next_watcher)
                if (*p == e) {
                    *p = e->next_watcher;
                    break;
                }
        }
        if (e->ready) {
            Entry* prev = nullptr;
            for (Entry* r = m_ready_head; r; prev = r, r = r->next_ready)
                if (r == e) {
                    (prev ? prev->next_ready : m_ready_head) = e->next_ready;
                    if (m_ready_tail == e) m_ready_tail = prev;
                    break;
                }
        }
    }
    auto drop = [e](core::Vector<Entry*>& v) {
        for (size_t i = 0; i < v.size(); i++)
            if (v[i] == e) {
                v.remove(i);
                return;
            }
    };
    drop(m_entries);
    if (!e->watched) drop(m_unwatched);
    delete e;
}

void Epoll::file_released(OpenFile* file)
{
    for (Epoll* ep = g_live; ep; ep = ep->m_next)
        for (size_t i = 0; i < ep->m_entries.size();) {
            if (ep->m_entries[i]->file == file) ep->remove(ep->m_entries[i]);
            else i++;
        }
}

Epoll::Entry* Epoll::find(OpenFile* file, int fd)
{
    for (Entry* e : m_entries)
        if (e->file == file && e->fd == fd) return e;
    return nullptr;
}

int Epoll::depth() const
{
    int d = 0;
    for (Entry* e : m_entries)
        if (Epoll* inner = stream_cast<Epoll>(e->file->inode())) {
            int di = inner->depth() + 1;
            if (di > d) d = di;
        }
    return d;
}

bool Epoll::reaches(const Epoll* target, int depth) const
{
    if (this == target || depth > MAX_NESTS) return true;
    for (Entry* e : m_entries)
        if (Epoll* inner = stream_cast<Epoll>(e->file->inode()))
            if (inner->reaches(target, depth + 1)) return true;
    return false;
}

ErrorOr Epoll::control(int op, int fd, OpenFile& target, const EpollEvent& ev)
{
    if (!target.inode().has_poll()) return Errno::EPERM;
    if (&target.inode() == this) return Errno::EINVAL;
    Epoll* inner = stream_cast<Epoll>(target.inode());
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
    case EPOLL_CTL_ADD: {
        if (e) return Errno::EEXIST;
        bool watched = target.inode().reports_readiness();
        TRY(m_entries.reserve(m_entries.size() + 1));
        if (!watched) TRY(m_unwatched.reserve(m_unwatched.size() + 1));
        e = new (std::nothrow) Entry { this, &target, fd, events | EPOLLERR | EPOLLHUP, ev.data, ~0ull, watched, false };
        if (!e) return Errno::ENOMEM;
        TRY(m_entries.append(e));
        if (!watched) TRY(m_unwatched.append(e));
        {
            ReadyGuard g;
            if (watched) {
                e->next_watcher = target.inode().m_epoll_watchers;
                target.inode().m_epoll_watchers = e;
            }
            push_ready_locked(e); // it may be ready already
        }
        readiness_changed(*this);
        return {};
    }
    case EPOLL_CTL_DEL:
        if (!e) return Errno::ENOENT;
        remove(e);
        return {};
    case EPOLL_CTL_MOD:
        if (!e) return Errno::ENOENT;
        if (e->events & EPOLLEXCLUSIVE) return Errno::EINVAL;
        e->events = events | EPOLLERR | EPOLLHUP;
        e->data = ev.data;
        e->seen = ~0ull; // re-armed: reported again if ready, as ep_modify
        {
            ReadyGuard g;
            push_ready_locked(e);
        }
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
    size_t n = 0;
    auto report = [&](Entry& e, u32 mask, u64 count) {
        out[n++] = EpollEvent { mask, e.data };
        e.seen = count;
        if (e.events & EPOLLONESHOT) e.events &= PRIVATE_BITS;
    };
    // The ready list: each entry looked at once. One still level-triggered
    // ready goes back at the end, for the next look; meeting the first of
    // those again ends this one.
    Entry* first_kept = nullptr;
    while (n < max) {
        Entry* e = pop_ready();
        if (!e) break;
        if (e == first_kept) {
            ReadyGuard g;
            push_ready_locked(e);
            break;
        }
        u64 count;
        u32 mask = ready_mask(*e, count);
        if (!mask) continue; // off the list until readiness_changed puts it back
        report(*e, mask, count);
        if (!(e->events & EPOLLET) && (e->events & ~PRIVATE_BITS)) {
            ReadyGuard g;
            push_ready_locked(e);
            if (!first_kept) first_kept = e;
        }
    }
    // The entries whose kinds do not report their changes: polled every time.
    size_t count_unwatched = m_unwatched.size();
    if (m_cursor >= count_unwatched) m_cursor = 0;
    for (size_t k = 0; k < count_unwatched; k++) {
        size_t i = (m_cursor + k) % count_unwatched;
        Entry& e = *m_unwatched[i];
        u64 d = e.file->inode().poll_deadline();
        if (d < next) next = d;
        if (n == max) continue; // still every deadline
        u64 count;
        u32 mask = ready_mask(e, count);
        if (!mask) continue;
        report(e, mask, count);
        if (n == max) m_cursor = i + 1;
    }
    return n;
}

u32 Epoll::poll(u32)
{
    u64 count;
    // Without taking anything off the ready list: a look, not a report.
    for (Entry* e : m_entries) {
        if (e->watched && !e->ready) continue; // not changed since it was last found not ready
        if (ready_mask(*e, count)) return POLLIN | POLLRDNORM;
    }
    return 0;
}

u64 Epoll::poll_deadline()
{
    u64 next = POLL_NO_DEADLINE;
    for (Entry* e : m_unwatched) {
        u64 d = e->file->inode().poll_deadline();
        if (d < next) next = d;
    }
    return next;
}

Result<core::Ref<OpenFile>> make_epoll(u32 flags)
{
    if (flags & ~O_CLOEXEC) return Errno::EINVAL;
    return open_anon(new (std::nothrow) Epoll(), flags);
}

} // namespace fs
