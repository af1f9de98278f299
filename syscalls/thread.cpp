// Per-thread registrations glibc makes at start-up (robust futex list, rseq)
// and prctl. The registrations live in core::Thread; the process-wide prctl
// bits stay here.
#include "syscalls/syscall.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/thread.h"
#include "fs/procfs.h"

namespace sys {

namespace {
struct ProcessRegs {
    int pdeathsig = 0;
    bool dumpable = true, no_new_privs = false;
};
ProcessRegs g_thread;
} // namespace

Ret sys_set_robust_list(const Args& a)
{
    if (a[1] != 24) return Errno::EINVAL; // sizeof(struct robust_list_head)
    core::current()->robust_head = a[0];
    core::current()->robust_len = a[1];
    return 0;
}

Ret sys_get_robust_list(const Args& a)
{
    int pid = int(a[0]);
    core::Thread* t = pid == 0 ? core::current() : core::find_thread(pid);
    if (!t) return Errno::ESRCH;
    TRY(mm::copy_to_user(a[1], &t->robust_head, 8));
    TRY(mm::copy_to_user(a[2], &t->robust_len, 8));
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
    core::Thread& t = *core::current();
    if (flags & RSEQ_FLAG_UNREGISTER) {
        if (flags & ~RSEQ_FLAG_UNREGISTER) return Errno::EINVAL;
        if (area != t.rseq_area || len != t.rseq_len) return Errno::EINVAL;
        if (sig != t.rseq_sig) return Errno::EPERM;
        t.rseq_area = 0;
        return 0;
    }
    if (flags) return Errno::EINVAL;
    if (t.rseq_area) {
        if (area != t.rseq_area || len != t.rseq_len) return Errno::EINVAL;
        if (sig != t.rseq_sig) return Errno::EPERM;
        return Errno::EBUSY;
    }
    if (len < 32 || (area & 31)) return Errno::EINVAL;
    // Preemption inside a critical section is handled by rseq_resume.
    u32 cpu[2] = { u32(t.cpu), u32(t.cpu) };
    TRY(mm::copy_to_user(area, cpu, sizeof cpu));
    t.rseq_area = area;
    t.rseq_cpu = t.cpu;
    t.rseq_len = len;
    t.rseq_sig = sig;
    return 0;
}

} // namespace sys

namespace core {
// A thread that was preempted (or moved) while in user mode: publish its CPU
// and, if it was inside an rseq critical section, resume it at the section's
// abort handler, as Linux does. A bad rseq area ends the program with SIGSEGV
// in Linux; here it is left alone (the thread sees a stale cpu_id).
void rseq_resume(Thread* t, x86::TrapFrame* f)
{
    if (!t->rseq_area) return;
    u32 cpu[2] = { u32(t->cpu), u32(t->cpu) };
    if (mm::copy_to_user(t->rseq_area, cpu, sizeof cpu).is_error()) return;
    u64 cs_ptr;
    if (mm::copy_from_user(&cs_ptr, t->rseq_area + 8, 8).is_error() || !cs_ptr) return;
    struct { u32 version, flags; u64 start_ip, post_commit_offset, abort_ip; } cs;
    if (mm::copy_from_user(&cs, cs_ptr, sizeof cs).is_error()) return;
    if (f->rip < cs.start_ip || f->rip - cs.start_ip >= cs.post_commit_offset) return;
    u32 sig;
    if (mm::copy_from_user(&sig, cs.abort_ip - 4, 4).is_error() || sig != t->rseq_sig) return;
    u64 zero = 0;
    (void)mm::copy_to_user(t->rseq_area + 8, &zero, 8);
    f->rip = cs.abort_ip;
}
} // namespace core

namespace sys {

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
        core::Thread& t = *core::current();
        char name[16] {};
        // Up to 15 bytes; a longer name is cut, as Linux does.
        for (int i = 0; i < 15; i++) {
            TRY(mm::copy_from_user(&name[i], a[1] + i, 1));
            if (!name[i]) break;
        }
        memcpy(t.name, name, sizeof name);
        if (t.tid == core::process().pid) fs::proc_rename({ name, strlen(name) });
        return 0;
    }
    case PR_GET_NAME:
        TRY(mm::copy_to_user(a[1], core::current()->name, 16));
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
