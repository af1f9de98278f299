#pragma once
// The one process Elfin runs: identity, limits, and the bits of thread state
// the ABI exposes. Threads: core/thread.h. Signal state lives in
// core/signal.h.
#include "core/types.h"
#include "core/signal.h"

namespace core {

struct Rlimit { u64 cur, max; };
constexpr int RLIM_NLIMITS = 16;
constexpr u64 RLIM_INFINITY = ~0ull;

struct Process {
    int pid = 2, ppid = 1, pgid = 2, sid = 2; // not PID 1: init's signal rules would surprise programs
    u32 uid = 0, euid = 0, suid = 0, gid = 0, egid = 0, sgid = 0;
    u32 groups[32] {};
    int ngroups = 0;
    u32 umask = 022;
    Rlimit rlimits[RLIM_NLIMITS] {};
    u64 saved_auxv[64] {}; // the auxiliary vector exec gave the program (for /proc/self/auxv)
    u32 saved_auxv_words = 0;
    u32 membarrier_registered = 0; // MEMBARRIER_CMD_REGISTER_* commands the program made
    bool aslr = true;
    bool trace = false;
};

Process& process();
void process_init();

} // namespace core
