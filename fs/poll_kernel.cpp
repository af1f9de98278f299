#include "fs/poll.h"
#include "core/sched.h"

namespace fs {

namespace {
core::WaitQueue g_readiness;
}

void readiness_wake() { core::sched::wake_all(g_readiness); }

ErrorOr wait_readiness(u64 monotonic_deadline)
{
    return core::sched::wait(g_readiness, monotonic_deadline, true);
}

} // namespace fs
