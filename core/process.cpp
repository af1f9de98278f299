#include "core/process.h"

namespace core {

namespace {
Process g_process;
}

Process& process() { return g_process; }

void process_init()
{
    auto& p = g_process;
    for (auto& r : p.rlimits) r = { RLIM_INFINITY, RLIM_INFINITY };
    p.rlimits[3] = { 8ull << 20, RLIM_INFINITY };  // RLIMIT_STACK
    p.rlimits[4] = { 0, RLIM_INFINITY };           // RLIMIT_CORE
    p.rlimits[6] = { 1024, 1024 };                 // RLIMIT_NPROC
    p.rlimits[7] = { 1024, 1024 };                 // RLIMIT_NOFILE (the fd table's limit)
    p.rlimits[8] = { 8ull << 20, 8ull << 20 };     // RLIMIT_MEMLOCK
    p.rlimits[11] = { 0, 0 };                      // RLIMIT_SIGPENDING (set at boot)
    p.rlimits[12] = { 819200, 819200 };            // RLIMIT_MSGQUEUE
    p.rlimits[14] = { 0, 0 };                      // RLIMIT_RTPRIO
}

} // namespace core
