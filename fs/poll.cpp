#include "fs/poll.h"
#include "fs/inode.h"

namespace fs {

// The kernel (fs/poll_kernel.cpp) wakes the waiting threads; the host build
// of the pure code has no threads to wake.
__attribute__((weak)) void readiness_wake() {}

void readiness_changed(Inode& inode)
{
    inode.count_poll_event();
    readiness_wake();
}

} // namespace fs
