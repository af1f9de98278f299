#include "fs/poll.h"
#include "fs/epoll.h"
#include "fs/inode.h"

namespace fs {

// The kernel (fs/poll_kernel.cpp) wakes the waiting threads; the host build
// of the pure code has no threads to wake.
__attribute__((weak)) void readiness_wake() {}
__attribute__((weak)) u64 readiness_lock() { return 0; }
__attribute__((weak)) void readiness_unlock(u64) {}

void readiness_changed(Inode& inode)
{
    inode.count_poll_event();
    Epoll::inode_changed(inode);
    readiness_wake();
}

} // namespace fs
