#pragma once
// Readiness: what poll, select and epoll ask of a file. Each inode kind
// answers its poll mask (Inode::poll) for an open file's flags; an inode whose
// readiness changes calls readiness_changed(), which wakes every thread
// waiting for readiness (poll, select, epoll_wait, a blocking timerfd read).
//
// One wait queue serves every waiter, and a woken waiter looks at its files
// again. Elfin's kernel runs on one CPU and is not preempted inside a
// syscall, so a waiter that found nothing ready cannot miss a change made
// before it sleeps; the only changes made from interrupts are signals (which
// wake interruptible waiters themselves) and time (waiters sleep until the
// earliest Inode::poll_deadline of their files; a timerfd's kernel timer
// also calls readiness_changed at its expiry, for EPOLLET's count).
// Sockets change in the network card's interrupt: see readiness_generation.
#include "core/types.h"
#include "core/result.h"

namespace fs {

class Inode;

// <poll.h> and <sys/epoll.h> share these bits.
constexpr u32 POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
              POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200,
              POLLMSG = 0x400, POLLRDHUP = 0x2000;
// A file whose kind has no poll operation (regular files, directories,
// /dev/null): always ready, as Linux's DEFAULT_POLLMASK.
constexpr u32 POLL_DEFAULT = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
// No deadline: readiness changes only when something happens to the file.
constexpr u64 POLL_NO_DEADLINE = ~0ull;

// The inode's readiness may have changed: counts an event on it (epoll's
// edge-triggered mode reports each one) and wakes the waiters.
void readiness_changed(Inode& inode);

// Kernel only (fs/poll_kernel.cpp): sleeps until some readiness changes, a
// signal is deliverable (EINTR) or the monotonic deadline passes (ETIMEDOUT).
// A wake-up may be for other files: callers look again. Readiness also
// changes in interrupts (sockets: net/), so a waiter takes the generation
// before it looks at its files and passes it here: a change since then
// returns at once instead of being missed.
u64 readiness_generation();
ErrorOr wait_readiness(u64 monotonic_deadline, u64 seen_generation);
// Wakes every waiter: the kernel's definition replaces fs/poll.cpp's empty one.
void readiness_wake();
// The lock of epoll's ready lists, which readiness_changed() reaches from
// interrupts: a spinlock that keeps interrupts off in the kernel
// (fs/poll_kernel.cpp), nothing in the host build of the pure code.
u64 readiness_lock();
void readiness_unlock(u64 flags);

} // namespace fs
