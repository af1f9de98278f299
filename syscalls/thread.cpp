// Per-thread registrations glibc makes at start-up (robust futex list, rseq)
// and prctl. One thread today; the state lives with the process until threads
// arrive, then moves to the thread.
#include "syscalls/syscall.h"
#include "core/process.h"
#include "core/string.h"

namespace sys {

namespace {
struct ThreadRegs {
    u64 robust_head = 0, robust_len = 0;
    u64 rseq_area = 0;
    u32 rseq_len = 0, rseq_sig = 0;
    char name[16] = "elfin";
    int pdeathsig = 0;
    bool dumpable = true, no_new_privs = false;
};
ThreadRegs g_thread;
} // namespace

Ret sys_set_robust_list(const Args& a)
{
    if (a[1] != 24) return Errno::EINVAL; // sizeof(struct robust_list_head)
    g_thread.robust_head = a[0];
    g_thread.robust_len = a[1];
    return 0;
}

Ret sys_get_robust_list(const Args& a)
{
    int pid = int(a[0]);
    if (pid != 0 && pid != core::process().pid) return Errno::ESRCH;
    TRY(mm::copy_to_user(a[1], &g_thread.robust_head, 8));
    TRY(mm::copy_to_user(a[2], &g_thread.robust_len, 8));
    return 0;
}

Ret sys_rseq(const Args& a)
{
    // struct rseq: u32 cpu_id_start, u32 cpu_id, u64 rseq_cs, u32 flags, ...
    constexpr u64 RSEQ_FLAG_UNREGISTER = 1;
    u64 area = a[0];
    u32 len = u32(a[1]);
    u64 flags = a[2];
    u32 sig = u32(a[3]);
    if (flags & RSEQ_FLAG_UNREGISTER) {
        if (flags & ~RSEQ_FLAG_UNREGISTER) return Errno::EINVAL;
        if (area != g_thread.rseq_area || len != g_thread.rseq_len) return Errno::EINVAL;
        if (sig != g_thread.rseq_sig) return Errno::EPERM;
        g_thread.rseq_area = 0;
        return 0;
    }
    if (flags) return Errno::EINVAL;
    if (g_thread.rseq_area) {
        if (area != g_thread.rseq_area || len != g_thread.rseq_len) return Errno::EINVAL;
        if (sig != g_thread.rseq_sig) return Errno::EPERM;
        return Errno::EBUSY;
    }
    if (len < 32 || (area & 31)) return Errno::EINVAL;
    // One CPU, and no other thread can preempt a critical section: the
    // registration is complete once the CPU number is published.
    u32 cpu[2] = { 0, 0 };
    TRY(mm::copy_to_user(area, cpu, sizeof cpu));
    g_thread.rseq_area = area;
    g_thread.rseq_len = len;
    g_thread.rseq_sig = sig;
    return 0;
}

Ret sys_prctl(const Args& a)
{
    enum : int { PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
                 PR_SET_NAME = 15, PR_GET_NAME = 16, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39 };
    switch (int(a[0])) {
    case PR_SET_PDEATHSIG:
        if (a[1] > u64(core::NSIG)) return Errno::EINVAL;
        g_thread.pdeathsig = int(a[1]);
        return 0;
    case PR_GET_PDEATHSIG:
        TRY(mm::copy_to_user(a[1], &g_thread.pdeathsig, sizeof(int)));
        return 0;
    case PR_GET_DUMPABLE: return g_thread.dumpable ? 1 : 0;
    case PR_SET_DUMPABLE:
        if (a[1] > 1) return Errno::EINVAL;
        g_thread.dumpable = a[1];
        return 0;
    case PR_SET_NAME: {
        char name[16] {};
        // Up to 15 bytes; a longer name is cut, as Linux does.
        for (int i = 0; i < 15; i++) {
            TRY(mm::copy_from_user(&name[i], a[1] + i, 1));
            if (!name[i]) break;
        }
        memcpy(g_thread.name, name, sizeof name);
        return 0;
    }
    case PR_GET_NAME:
        TRY(mm::copy_to_user(a[1], g_thread.name, 16));
        return 0;
    case PR_SET_NO_NEW_PRIVS:
        if (a[1] != 1 || a[2] || a[3] || a[4]) return Errno::EINVAL;
        g_thread.no_new_privs = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        if (a[1] || a[2] || a[3] || a[4]) return Errno::EINVAL;
        return g_thread.no_new_privs ? 1 : 0;
    default: return Errno::EINVAL;
    }
}

} // namespace sys
