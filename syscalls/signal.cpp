// Signal state: dispositions, the mask and the alternate stack are kept with
// Linux's checks; delivery arrives with threads and signals work.
#include "syscalls/syscall.h"
#include "core/process.h"

namespace sys {

namespace {
constexpr int SIGKILL = 9, SIGSTOP = 19;
constexpr u64 UNBLOCKABLE = (1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1));
core::Process& P() { return core::process(); }
void deliver_unblocked();
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
        deliver_unblocked();
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

// Sending signals to ourselves (raise, abort, pthread_kill). Blocked signals
// stay pending; the default action is taken as Linux would. Running a handler
// needs signal frames, which arrive with the signals work: until then a
// handled signal ends the program with a warning rather than being dropped.
#include "core/klog.h"
#include "core/power.h"

namespace sys {

namespace {
u64 g_pending;

bool default_ignored(int sig)
{
    // SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals too (nobody could continue us).
    return sig == 17 || sig == 18 || sig == 23 || sig == 28 || sig == 19 || sig == 20 || sig == 21 || sig == 22;
}

Ret send_self(int sig)
{
    if (sig < 0 || sig > core::NSIG) return Errno::EINVAL;
    if (sig == 0) return 0; // existence check
    auto& act = P().actions[sig];
    bool blocked = (P().sigmask >> (sig - 1)) & 1;
    if (sig != SIGKILL && sig != SIGSTOP) {
        if (act.handler == 1) return 0;                          // SIG_IGN
        if (act.handler == 0 && default_ignored(sig)) return 0;  // SIG_DFL, ignored
        if (blocked) {
            g_pending |= 1ull << (sig - 1);
            return 0;
        }
        if (act.handler > 1)
            klog::warn("signal %d has a handler, but Elfin cannot run signal handlers yet: "
                       "the program ends as if the signal had its default action", sig);
    }
    core::program_killed(sig, false);
}

} // namespace

namespace {
void deliver_unblocked()
{
    u64 ready = g_pending & ~P().sigmask;
    for (int sig = 1; ready && sig <= core::NSIG; sig++) {
        if (!((ready >> (sig - 1)) & 1)) continue;
        g_pending &= ~(1ull << (sig - 1));
        (void)send_self(sig);
        ready = g_pending & ~P().sigmask;
    }
}

Ret check_pid(int pid)
{
    // Ourselves by pid, process group (0, -pgid) or everyone (-1).
    if (pid == P().pid || pid == 0 || pid == -1 || pid == -P().pgid) return 0;
    return Errno::ESRCH;
}
} // namespace

Ret sys_kill(const Args& a)
{
    TRY(check_pid(int(a[0])));
    return send_self(int(a[1]));
}

Ret sys_tkill(const Args& a)
{
    if (int(a[0]) <= 0) return Errno::EINVAL;
    if (int(a[0]) != P().pid) return Errno::ESRCH;
    return send_self(int(a[1]));
}

Ret sys_tgkill(const Args& a)
{
    if (int(a[0]) <= 0 || int(a[1]) <= 0) return Errno::EINVAL;
    if (int(a[0]) != P().pid || int(a[1]) != P().pid) return Errno::ESRCH;
    return send_self(int(a[2]));
}

Ret sys_rt_sigpending(const Args& a)
{
    if (a[1] > 8) return Errno::EINVAL;
    u64 pending = g_pending & P().sigmask;
    TRY(mm::copy_to_user(a[0], &pending, a[1]));
    return 0;
}

} // namespace sys
