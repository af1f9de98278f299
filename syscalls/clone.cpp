// clone and clone3 for threads: the flags glibc's pthread_create and Go's
// runtime use. A new process (fork, vfork, posix_spawn's CL_VM|CL_VFORK)
// needs a second address space, which Elfin does not have: ENOSYS.
#include "syscalls/syscall.h"
#include "syscalls/thread.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/thread.h"
#include "mm/address_space.h"

namespace sys {

namespace {
enum : u64 {
    EXIT_SIGNAL_MASK = 0xff, CL_VM = 0x100, CL_FS = 0x200, CL_FILES = 0x400, CL_SIGHAND = 0x800,
    CL_PIDFD = 0x1000, CL_PTRACE = 0x2000, CL_VFORK = 0x4000, CL_PARENT = 0x8000,
    CL_THREAD = 0x10000, CL_NEWNS = 0x20000, CL_SYSVSEM = 0x40000, CL_SETTLS = 0x80000,
    CL_PARENT_SETTID = 0x100000, CL_CHILD_CLEARTID = 0x200000, CL_DETACHED = 0x400000,
    CL_UNTRACED = 0x800000, CL_CHILD_SETTID = 0x1000000, CL_NEWUSER = 0x10000000,
    CL_IO = 0x80000000ull,
};
// What a thread needs, and what it may add without asking for a new process.
constexpr u64 THREAD_FLAGS = CL_VM | CL_FS | CL_FILES | CL_SIGHAND | CL_THREAD;
constexpr u64 HARMLESS = CL_SYSVSEM | CL_SETTLS | CL_PARENT_SETTID | CL_CHILD_CLEARTID
    | CL_CHILD_SETTID | CL_DETACHED | CL_UNTRACED | CL_IO | CL_PTRACE;

Ret do_clone(u64 flags, u64 stack, u64 parent_tid, u64 child_tid, u64 tls, int want_tid = 0)
{
    // Linux's consistency rules first (copy_process), in its order.
    if ((flags & (CL_NEWNS | CL_FS)) == (CL_NEWNS | CL_FS)) return Errno::EINVAL;
    if ((flags & (CL_NEWUSER | CL_FS)) == (CL_NEWUSER | CL_FS)) return Errno::EINVAL;
    if ((flags & CL_THREAD) && !(flags & CL_SIGHAND)) return Errno::EINVAL;
    if ((flags & CL_SIGHAND) && !(flags & CL_VM)) return Errno::EINVAL;
    if ((flags & CL_PIDFD) && (flags & (CL_DETACHED | CL_THREAD))) return Errno::EINVAL;
    if ((flags & THREAD_FLAGS) != THREAD_FLAGS || (flags & ~(THREAD_FLAGS | HARMLESS | EXIT_SIGNAL_MASK)))
        return Errno::ENOSYS; // a new process, or a thread with its own fd table or cwd
    if ((flags & CL_SETTLS) && tls >= mm::USER_TOP) return Errno::EPERM;

    core::Thread* parent = core::current();
    x86::TrapFrame frame = *core::user_frame_of(parent);
    if (stack) frame.rsp = stack;
    core::Thread* t = TRY(core::thread_create(frame));
    if (want_tid) t->tid = want_tid;
    if (flags & CL_SETTLS) t->fs_base = tls;
    if (flags & CL_CHILD_CLEARTID) t->clear_child_tid = child_tid;
    // Linux ignores faults on these two writes.
    u32 tid = u32(t->tid);
    if (flags & CL_PARENT_SETTID) (void)mm::copy_to_user(parent_tid, &tid, 4);
    if (flags & CL_CHILD_SETTID) (void)mm::copy_to_user(child_tid, &tid, 4);
    core::sched::start(t);
    return t->tid;
}
} // namespace

// x86-64 order: clone(flags, stack, parent_tid, child_tid, tls).
Ret sys_clone(const Args& a) { return do_clone(a[0], a[1], a[2], a[3], a[4]); }

Ret sys_clone3(const Args& a)
{
    struct {
        u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
    } ca {};
    u64 size = a[1];
    constexpr u64 VER0 = 64;
    if (size < VER0) return Errno::EINVAL;
    if (size > PAGE_SIZE) return Errno::E2BIG;
    TRY(mm::copy_from_user(&ca, a[0], size < sizeof ca ? size : sizeof ca));
    // A newer struct than ours: its extra fields must be zero.
    for (u64 off = sizeof ca; off < size; off += 8) {
        u64 v = 0;
        TRY(mm::copy_from_user(&v, a[0] + off, size - off < 8 ? size - off : 8));
        if (v) return Errno::E2BIG;
    }
    if (ca.flags & EXIT_SIGNAL_MASK) return Errno::EINVAL;
    if (ca.exit_signal & ~EXIT_SIGNAL_MASK) return Errno::EINVAL;
    if ((ca.flags & (CL_THREAD | CL_PARENT)) && ca.exit_signal) return Errno::EINVAL;
    // set_tid: one pid namespace level, so at most one id.
    if (ca.set_tid_size > 1 || (!ca.set_tid && ca.set_tid_size) || (ca.set_tid && !ca.set_tid_size))
        return Errno::EINVAL;
    int want_tid = 0;
    if (ca.set_tid_size) {
        TRY(mm::copy_from_user(&want_tid, ca.set_tid, 4));
        if (want_tid <= 0) return Errno::EINVAL;
        if (core::find_thread(want_tid) || want_tid == core::process().pid) return Errno::EEXIST;
    }
    if (!ca.stack && ca.stack_size) return Errno::EINVAL;
    if (ca.stack && !ca.stack_size) return Errno::EINVAL;
    return do_clone(ca.flags, ca.stack ? ca.stack + ca.stack_size : 0, ca.parent_tid, ca.child_tid, ca.tls,
                    want_tid);
}

} // namespace sys
