// Signal state: dispositions, the mask and the alternate stack are kept with
// Linux's checks; delivery arrives with threads and signals work.
#include "syscalls/syscall.h"
#include "core/process.h"

namespace sys {

namespace {
constexpr int SIGKILL = 9, SIGSTOP = 19;
constexpr u64 UNBLOCKABLE = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));
core::Process& P() { return core::process(); }
} // namespace

Ret sys_rt_sigaction(const Args& a)
{
    int sig = int(a[0]);
    if (a[3] != 8) return Errno::EINVAL;
    if (sig < 1 || sig > core::NSIG) return Errno::EINVAL;
    core::SigAction act;
    if (a[1]) {
        if (sig == SIGKILL || sig == SIGSTOP) return Errno::EINVAL;
        TRY(mm::copy_from_user(&act, a[1], sizeof act));
    }
    if (a[2]) TRY(mm::copy_to_user(a[2], &P().actions[sig], sizeof act));
    if (a[1]) {
        act.mask &= ~UNBLOCKABLE;
        P().actions[sig] = act;
    }
    return 0;
}

Ret sys_rt_sigprocmask(const Args& a)
{
    constexpr int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    if (a[3] != 8) return Errno::EINVAL;
    u64 set = 0;
    int how = int(a[0]);
    if (a[1]) {
        if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return Errno::EINVAL;
        TRY(mm::copy_from_user(&set, a[1], 8));
    }
    u64 old = P().sigmask;
    if (a[2]) TRY(mm::copy_to_user(a[2], &old, 8));
    if (a[1]) {
        u64 m = how == SIG_BLOCK ? old | set : how == SIG_UNBLOCK ? old & ~set : set;
        P().sigmask = m & ~UNBLOCKABLE;
    }
    return 0;
}

Ret sys_sigaltstack(const Args& a)
{
    constexpr u32 SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1u << 31;
    constexpr u64 MINSIGSTKSZ = 2048;
    struct Stack { u64 sp; i32 flags; i32 pad; u64 size; };
    Stack n {};
    if (a[0]) {
        TRY(mm::copy_from_user(&n, a[0], sizeof n));
        u32 mode = u32(n.flags) & ~SS_AUTODISARM;
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK) return Errno::EINVAL;
        if (mode != SS_DISABLE && n.size < MINSIGSTKSZ) return Errno::ENOMEM;
    }
    if (a[1]) {
        Stack o { P().altstack_sp, i32(P().altstack_flags), 0, P().altstack_size };
        TRY(mm::copy_to_user(a[1], &o, sizeof o));
    }
    if (a[0]) {
        P().altstack_sp = n.sp;
        P().altstack_size = n.size;
        P().altstack_flags = u32(n.flags) & SS_DISABLE ? SS_DISABLE : 0;
    }
    return 0;
}

} // namespace sys
