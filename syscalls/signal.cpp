// Signals: dispositions, masks, the alternate stack, sending, waiting,
// rt_sigreturn, signalfd and the interval timers. Handlers decode and check
// their arguments as Linux does; the work is in core/signal.cpp.
#include "syscalls/syscall.h"
#include "syscalls/timespec.h"
#include "core/process.h"
#include "core/signal.h"
#include "core/thread.h"
#include "core/time.h"
#include "fs/fd_table.h"
#include "fs/vfs.h"
#include "fs/signalfd.h"
#include "platform/x86_64/trap.h"

namespace sys {

using namespace core::signal;

namespace {
core::Process& P() { return core::process(); }
core::SignalState& S() { return core::current_signal_state(); }

constexpr u64 SIGSET_SIZE = 8;

// The thread `tid` of our process, or null.
core::SignalState* thread_signals(int tid)
{
    core::Thread* t = core::find_thread(tid);
    return t ? &t->signals : nullptr;
}

core::SigInfo user_info(int sig, i32 code)
{
    core::SigInfo info {};
    info.signo = sig;
    info.code = code;
    info.kill.pid = P().pid;
    info.kill.uid = P().uid;
    return info;
}

Result<u64> read_sigset(u64 ptr, u64 size)
{
    if (size != SIGSET_SIZE) return Errno::EINVAL;
    u64 set;
    TRY(mm::copy_from_user(&set, ptr, sizeof set));
    return set;
}

struct Timeval { i64 sec, usec; };
} // namespace

// ---- dispositions, masks, alternate stack ---------------------------------------

Ret sys_rt_sigaction(const Args& a)
{
    int sig = int(a[0]);
    if (a[3] != SIGSET_SIZE) return Errno::EINVAL;
    if (sig < 1 || sig > core::NSIG) return Errno::EINVAL;
    core::SigAction act;
    if (a[1]) {
        if (sig == SIGKILL || sig == SIGSTOP) return Errno::EINVAL;
        TRY(mm::copy_from_user(&act, a[1], sizeof act));
    }
    if (a[2]) TRY(mm::copy_to_user(a[2], &action(sig), sizeof act));
    if (a[1]) {
        act.mask &= ~UNBLOCKABLE;
        set_action(sig, act);
    }
    return 0;
}

Ret sys_rt_sigprocmask(const Args& a)
{
    constexpr int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    if (a[3] != SIGSET_SIZE) return Errno::EINVAL;
    u64 set = 0;
    int how = int(a[0]);
    if (a[1]) {
        if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return Errno::EINVAL;
        TRY(mm::copy_from_user(&set, a[1], 8));
    }
    u64 old = S().blocked;
    if (a[2]) TRY(mm::copy_to_user(a[2], &old, 8));
    // Signals this unblocks are delivered on the way out (syscalls/dispatch.cpp).
    if (a[1]) set_blocked(how == SIG_BLOCK ? old | set : how == SIG_UNBLOCK ? old & ~set : set);
    return 0;
}

Ret sys_rt_sigreturn(const Args&)
{
    return sigreturn(*S().syscall_frame);
}

Ret sys_sigaltstack(const Args& a)
{
    struct Stack { u64 sp; i32 flags; i32 pad; u64 size; };
    u64 user_sp = S().syscall_frame->rsp;
    Stack n {};
    if (a[0]) TRY(mm::copy_from_user(&n, a[0], sizeof n));
    if (a[1]) {
        AltStack cur = get_altstack(user_sp);
        Stack o { cur.sp, i32(cur.flags), 0, cur.size };
        TRY(mm::copy_to_user(a[1], &o, sizeof o));
    }
    if (a[0]) TRY(set_altstack({ n.sp, u32(n.flags), n.size }, user_sp));
    return 0;
}

Ret sys_rt_sigpending(const Args& a)
{
    if (a[1] > SIGSET_SIZE) return Errno::EINVAL;
    u64 pending = pending_mask() & S().blocked;
    TRY(mm::copy_to_user(a[0], &pending, a[1]));
    return 0;
}

// ---- sending -----------------------------------------------------------------------

namespace {
Ret check_signal(int sig)
{
    if (sig < 0 || sig > core::NSIG) return Errno::EINVAL;
    return 0;
}
} // namespace

Ret sys_kill(const Args& a)
{
    int pid = int(a[0]), sig = int(a[1]);
    // Ourselves by pid, our process group (0, -pgid). -1 means every process
    // but ourselves and init: there is none.
    if (pid != P().pid && pid != 0 && pid != -P().pgid) return Errno::ESRCH;
    TRY(check_signal(sig));
    if (sig == 0) return 0; // existence check
    TRY(send_to_process(user_info(sig, SI_USER)));
    return 0;
}

Ret sys_tkill(const Args& a)
{
    int tid = int(a[0]), sig = int(a[1]);
    if (tid <= 0) return Errno::EINVAL;
    core::SignalState* t = thread_signals(tid);
    if (!t) return Errno::ESRCH;
    TRY(check_signal(sig));
    if (sig == 0) return 0;
    TRY(send_to_thread(*t, user_info(sig, SI_TKILL)));
    return 0;
}

Ret sys_tgkill(const Args& a)
{
    int tgid = int(a[0]), tid = int(a[1]), sig = int(a[2]);
    if (tgid <= 0 || tid <= 0) return Errno::EINVAL;
    core::SignalState* t = tgid == P().pid ? thread_signals(tid) : nullptr;
    if (!t) return Errno::ESRCH;
    TRY(check_signal(sig));
    if (sig == 0) return 0;
    TRY(send_to_thread(*t, user_info(sig, SI_TKILL)));
    return 0;
}

namespace {
// rt_sigqueueinfo, rt_tgsigqueueinfo: the caller's siginfo, whose si_code
// may not pretend to come from the kernel or kill()/tgkill() unless the
// target id is the caller's own (Linux compares it with the caller's tid).
Result<core::SigInfo> queued_info(int sig, u64 uinfo, bool to_self)
{
    core::SigInfo info;
    TRY(mm::copy_from_user(&info, uinfo, sizeof info));
    if ((info.code >= 0 || info.code == SI_TKILL) && !to_self) return Errno::EPERM;
    info.signo = sig;
    info.from_timer = 0; // a siginfo with SI_TIMER from the program is not a timer's
    return info;
}
} // namespace

Ret sys_rt_sigqueueinfo(const Args& a)
{
    int pid = int(a[0]), sig = int(a[1]);
    auto info = TRY(queued_info(sig, a[2], pid == core::current()->tid));
    if (pid != P().pid) return Errno::ESRCH;
    TRY(check_signal(sig));
    if (sig == 0) return 0;
    TRY(send_to_process(info));
    return 0;
}

Ret sys_rt_tgsigqueueinfo(const Args& a)
{
    int tgid = int(a[0]), tid = int(a[1]), sig = int(a[2]);
    if (tgid <= 0 || tid <= 0) return Errno::EINVAL;
    auto info = TRY(queued_info(sig, a[3], tid == core::current()->tid));
    core::SignalState* t = tgid == P().pid ? thread_signals(tid) : nullptr;
    if (!t) return Errno::ESRCH;
    TRY(check_signal(sig));
    if (sig == 0) return 0;
    TRY(send_to_thread(*t, info));
    return 0;
}

// ---- waiting -----------------------------------------------------------------------

Ret sys_pause(const Args&)
{
    wait(0, ~0ull);
    return Errno::ERESTARTNOHAND;
}

Ret sys_rt_sigsuspend(const Args& a)
{
    u64 mask = TRY(read_sigset(a[0], a[1]));
    auto& st = S();
    st.saved_mask = st.blocked;
    st.restore_saved_mask = true; // put back after the handler (or at once if none runs)
    set_blocked(mask);
    wait(0, ~0ull);
    return Errno::ERESTARTNOHAND;
}

Ret sys_rt_sigtimedwait(const Args& a)
{
    u64 set = TRY(read_sigset(a[0], a[3])) & ~UNBLOCKABLE;
    u64 deadline = ~0ull;
    if (a[2]) {
        u64 ns = TRY(read_timespec_ns(a[2], ~0ull));
        u64 now = core::time::monotonic_ns();
        deadline = ns > ~0ull - now ? ~0ull : now + ns;
    }
    core::SigInfo info;
    int sig = dequeue(set, info);
    if (!sig) {
        wait(set, deadline);
        sig = dequeue(set, info);
    }
    if (!sig) return core::time::monotonic_ns() >= deadline ? Errno::EAGAIN : Errno::EINTR;
    if (a[1]) TRY(mm::copy_to_user(a[1], &info, sizeof info));
    return sig;
}

// ---- signalfd ----------------------------------------------------------------------

namespace {
Ret do_signalfd(int fd, u64 mask_ptr, u64 size, u32 flags)
{
    constexpr u32 SFD_FLAGS = fs::O_NONBLOCK | fs::O_CLOEXEC;
    if (flags & ~SFD_FLAGS) return Errno::EINVAL;
    u64 mask = TRY(read_sigset(mask_ptr, size)) & ~UNBLOCKABLE;
    if (fd == -1) return i64(TRY(fs::install_anon(fs::make_signalfd(mask, flags), flags)));
    auto file = TRY(fs::current_fds().get(fd));
    fs::SignalFd* s = fs::stream_cast<fs::SignalFd>(file->inode());
    if (!s) return Errno::EINVAL;
    s->set_mask(mask);
    return fd;
}
} // namespace

Ret sys_signalfd(const Args& a) { return do_signalfd(int(a[0]), a[1], a[2], 0); }
Ret sys_signalfd4(const Args& a) { return do_signalfd(int(a[0]), a[1], a[2], u32(a[3])); }

// ---- interval timers ------------------------------------------------------------------

namespace {
Timeval to_tv(u64 ns) { return { i64(ns / 1000000000ull), i64(ns % 1000000000ull / 1000) }; }
struct Itimerval { Timeval interval, value; };

Result<u64> tv_ns(const Timeval& tv)
{
    if (tv.sec < 0 || tv.usec < 0 || tv.usec >= 1000000) return Errno::EINVAL;
    if (u64(tv.sec) > ~0ull / 1000000000ull - 1) return ~0ull - 1;
    return u64(tv.sec) * 1000000000ull + u64(tv.usec) * 1000;
}
} // namespace

Ret sys_getitimer(const Args& a)
{
    ITimer t = TRY(get_itimer(int(a[0])));
    Itimerval v { to_tv(t.interval_ns), to_tv(t.value_ns) };
    TRY(mm::copy_to_user(a[1], &v, sizeof v));
    return 0;
}

Ret sys_setitimer(const Args& a)
{
    Itimerval v {};
    // A null new value disarms (Linux accepts it, with a warning).
    if (a[1]) TRY(mm::copy_from_user(&v, a[1], sizeof v));
    ITimer t { TRY(tv_ns(v.value)), TRY(tv_ns(v.interval)) };
    ITimer old = TRY(set_itimer(int(a[0]), t));
    if (a[2]) {
        Itimerval o { to_tv(old.interval_ns), to_tv(old.value_ns) };
        TRY(mm::copy_to_user(a[2], &o, sizeof o));
    }
    return 0;
}

Ret sys_alarm(const Args& a)
{
    u64 secs = u32(a[0]);
    ITimer old = MUST(set_itimer(0, { secs * 1000000000ull, 0 }));
    // Whole seconds left, rounded to the nearest, and never 0 for an armed alarm.
    u64 left = (old.value_ns + 500000000ull) / 1000000000ull;
    if (!left && old.value_ns) left = 1;
    return i64(left);
}

} // namespace sys
