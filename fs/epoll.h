#pragma once
// epoll: an interest list of (open file, fd) pairs, each with the events it
// watches and the user's data returned verbatim.
//
// As Linux, epoll_wait looks only at entries that may be ready: a file whose
// kind reports its changes (Inode::reports_readiness: sockets, pipes,
// eventfd) is watched through its inode, and readiness_changed() on it puts
// its entries on their epoll's ready list, from thread code or interrupts
// alike. epoll_wait polls the ready list's entries; one not ready after all
// leaves the list, a level-triggered one that is stays on it (at the back,
// so ready entries take turns) until a look finds it not ready. Files of
// other kinds (signalfd, timerfd, terminals, an inner epoll) are polled on
// every look, as before. So epoll_wait costs what is ready, plus the
// unwatched entries, not the size of the interest list.
//
// Level-triggered entries are reported while ready; EPOLLET entries once per
// event counted on their inode (fs/poll.h: readiness_changed), which Elfin
// counts per inode, not per direction: a read from a pipe may report its read
// end again (a spurious edge that a program written for epoll tolerates, as
// it reads until EAGAIN). EPOLLONESHOT disarms an entry once reported, until
// EPOLL_CTL_MOD. An entry holds no reference on its file: it goes away when
// the open file description's last reference does, as on Linux.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "core/vector.h"
#include "fs/stream_inode.h"

namespace fs {

constexpr u32 EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10,
              EPOLLRDNORM = 0x40, EPOLLRDBAND = 0x80, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200,
              EPOLLMSG = 0x400, EPOLLRDHUP = 0x2000, EPOLLEXCLUSIVE = 1u << 28,
              EPOLLWAKEUP = 1u << 29, EPOLLONESHOT = 1u << 30, EPOLLET = 1u << 31;
constexpr int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;

// struct epoll_event: packed on x86-64.
struct __attribute__((packed)) EpollEvent {
    u32 events;
    u64 data;
};
static_assert(sizeof(EpollEvent) == 12);

class Epoll;

// One entry of an interest list.
struct EpollWatch {
    Epoll* epoll;
    OpenFile* file;
    int fd;
    u32 events;       // as given, with EPOLLERR | EPOLLHUP added
    u64 data;
    u64 seen;         // EPOLLET: the inode's event count when last reported
    bool watched;     // on its inode's list: the kind reports readiness
    bool ready;       // on the epoll's ready list
    EpollWatch* next_watcher { nullptr }; // the inode's list
    EpollWatch* next_ready { nullptr };
};

class Epoll final : public StreamInode {
public:
    static constexpr Kind KIND = Kind::Epoll;
    static constexpr int MAX_NESTS = 4; // Linux's EPOLL_MAX_NESTS
    ~Epoll() override;

    // epoll_ctl after the descriptors were looked up; Linux's errno order.
    ErrorOr control(int op, int fd, OpenFile& target, const EpollEvent& ev);
    // Fills up to `max` events that are ready now; `next` gets the earliest
    // time a watched file's readiness changes by itself.
    size_t collect(EpollEvent* out, size_t max, u64& next);

    // An epoll is readable while one of its entries would be reported.
    u32 poll(u32 flags) override;
    u64 poll_deadline() override;

    // ~OpenFile: the description is gone, so are its entries in every epoll.
    static void file_released(OpenFile* file);
    // readiness_changed(inode): its watching entries go on their ready lists.
    static void inode_changed(Inode& inode);

private:
    friend Result<core::Ref<OpenFile>> make_epoll(u32 flags);
    Epoll();
    using Entry = EpollWatch;
    Entry* find(OpenFile* file, int fd);
    // The events of `e` to report now; `count` gets the inode's event count
    // they stand for.
    u32 ready_mask(Entry& e, u64& count);
    void remove(Entry* e);
    // Ready list, under readiness_lock().
    void push_ready_locked(Entry* e);
    Entry* pop_ready();
    // Would adding `inner` into this epoll make a cycle or nest too deep?
    bool reaches(const Epoll* target, int depth) const;
    int depth() const;

    core::Vector<Entry*> m_entries;  // all, for epoll_ctl
    core::Vector<Entry*> m_unwatched; // polled on every look
    size_t m_cursor { 0 };           // where the next look at m_unwatched starts: they take turns
    Entry* m_ready_head { nullptr };
    Entry* m_ready_tail { nullptr };
    Epoll* m_next { nullptr };
};

// epoll_create1: EINVAL for flags other than EPOLL_CLOEXEC (= O_CLOEXEC).
Result<core::Ref<OpenFile>> make_epoll(u32 flags);

} // namespace fs
