// sched_* and priorities: yield, CPU affinity, policy and parameters (every
// thread is POLICY_OTHER), nice values (which scale the time slice), getcpu.
#include "syscalls/syscall.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/thread.h"
#include "platform/x86_64/paging.h"

namespace sys {

namespace {
constexpr int POLICY_OTHER = 0, POLICY_FIFO = 1, POLICY_RR = 2, POLICY_BATCH = 3, POLICY_IDLE = 5,
              POLICY_DEADLINE = 6;
constexpr int WHICH_PROCESS = 0, WHICH_PGRP = 1, WHICH_USER = 2;

// pid 0 is the caller; any thread id of the program names that thread.
Result<core::Thread*> target(int pid)
{
    if (pid < 0) return Errno::EINVAL;
    if (pid == 0) return core::current();
    core::Thread* t = core::find_thread(pid);
    if (!t) return Errno::ESRCH;
    return t;
}

u64 online_mask()
{
    int n = core::sched::cpu_count();
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}
} // namespace

Ret sys_sched_yield(const Args&)
{
    core::sched::yield();
    return 0;
}

Ret sys_sched_getaffinity(const Args& a)
{
    core::Thread* t = TRY(target(int(a[0])));
    u64 len = a[1];
    // Linux: room for nr_cpu_ids bits, in whole longs; returns the bytes written.
    if (len * 8 < u64(core::sched::cpu_count()) || (len & 7)) return Errno::EINVAL;
    u64 mask = t->affinity & online_mask();
    TRY(mm::copy_to_user(a[2], &mask, 8));
    return 8;
}

Ret sys_sched_setaffinity(const Args& a)
{
    core::Thread* t = TRY(target(int(a[0])));
    u64 len = a[1], mask = 0;
    TRY(mm::copy_from_user(&mask, a[2], len < 8 ? len : 8));
    if (len < 8) mask &= (1ull << (len * 8)) - 1;
    mask &= online_mask();
    if (!mask) return Errno::EINVAL;
    core::sched::set_affinity(t, mask);
    return 0;
}

Ret sys_sched_getscheduler(const Args& a)
{
    TRY(target(int(a[0])));
    return POLICY_OTHER;
}

Ret sys_sched_getparam(const Args& a)
{
    if (!a[1]) return Errno::EINVAL;
    TRY(target(int(a[0])));
    int prio = 0;
    TRY(mm::copy_to_user(a[1], &prio, 4));
    return 0;
}

Ret sys_sched_setparam(const Args& a)
{
    if (!a[1]) return Errno::EINVAL;
    TRY(target(int(a[0])));
    int prio;
    TRY(mm::copy_from_user(&prio, a[1], 4));
    if (prio != 0) return Errno::EINVAL; // POLICY_OTHER's only priority
    return 0;
}

Ret sys_sched_get_priority_max(const Args& a)
{
    switch (int(a[0])) {
    case POLICY_FIFO: case POLICY_RR: return 99;
    case POLICY_OTHER: case POLICY_BATCH: case POLICY_IDLE: case POLICY_DEADLINE: return 0;
    default: return Errno::EINVAL;
    }
}

Ret sys_sched_get_priority_min(const Args& a)
{
    switch (int(a[0])) {
    case POLICY_FIFO: case POLICY_RR: return 1;
    case POLICY_OTHER: case POLICY_BATCH: case POLICY_IDLE: case POLICY_DEADLINE: return 0;
    default: return Errno::EINVAL;
    }
}

Ret sys_sched_rr_get_interval(const Args& a)
{
    core::Thread* t = TRY(target(int(a[0])));
    u64 ns = core::sched::slice_ns(t);
    struct { i64 sec, nsec; } ts { i64(ns / 1000000000ull), i64(ns % 1000000000ull) };
    TRY(mm::copy_to_user(a[1], &ts, sizeof ts));
    return 0;
}

Ret sys_getpriority(const Args& a)
{
    int which = int(a[0]), who = int(a[1]);
    auto& p = core::process();
    core::Thread* t = nullptr;
    switch (which) {
    case WHICH_PROCESS: t = who == 0 ? core::current() : core::find_thread(who); break;
    case WHICH_PGRP: t = who == 0 || who == p.pgid ? core::current() : nullptr; break;
    case WHICH_USER: t = who == 0 || u32(who) == p.uid ? core::current() : nullptr; break;
    default: return Errno::EINVAL;
    }
    if (!t) return Errno::ESRCH;
    if (which != WHICH_PROCESS) {
        // The highest priority (lowest nice) among the threads it names.
        for (core::Thread* o = core::thread_list(); o; o = o->all_next)
            if (o->nice < t->nice) t = o;
    }
    return 20 - t->nice; // the raw syscall's form: glibc turns it back into a nice value
}

Ret sys_setpriority(const Args& a)
{
    int which = int(a[0]), who = int(a[1]);
    int nice = int(a[2]);
    if (nice < -20) nice = -20;
    if (nice > 19) nice = 19;
    auto& p = core::process();
    core::Thread* one = nullptr;
    switch (which) {
    case WHICH_PROCESS:
        one = who == 0 ? core::current() : core::find_thread(who);
        if (!one) return Errno::ESRCH;
        break;
    case WHICH_PGRP: if (who != 0 && who != p.pgid) return Errno::ESRCH; break;
    case WHICH_USER: if (who != 0 && u32(who) != p.uid) return Errno::ESRCH; break;
    default: return Errno::EINVAL;
    }
    for (core::Thread* t = core::thread_list(); t; t = t->all_next) {
        if (one && t != one) continue;
        if (nice < t->nice && p.euid != 0) return Errno::EACCES; // raising priority needs CAP_SYS_NICE
    }
    for (core::Thread* t = core::thread_list(); t; t = t->all_next)
        if (!one || t == one) t->nice = nice;
    return 0;
}

Ret sys_getcpu(const Args& a)
{
    u32 cpu = u32(core::sched::this_cpu_id()), node = 0;
    if (a[0]) TRY(mm::copy_to_user(a[0], &cpu, 4));
    if (a[1]) TRY(mm::copy_to_user(a[1], &node, 4));
    return 0;
}

// membarrier: Linux 6.1's commands (no GET_REGISTRATIONS, which came in 6.3).
// With one CPU online the barriers need no work (Linux's own shortcut): the
// caller's syscall orders its own accesses and no other thread of the program
// runs at the same time. With more, every other CPU is interrupted and
// answers before the call returns (the TLB shootdown's IPI and wait: taking
// an interrupt is serializing, and the answer is a release store the caller
// acquires), so each thread running elsewhere has passed a full barrier.
// Registration is required and checked.
Ret sys_membarrier(const Args& a)
{
    constexpr int QUERY = 0, GLOBAL = 1, GLOBAL_EXPEDITED = 2, REGISTER_GLOBAL_EXPEDITED = 4,
                  PRIVATE_EXPEDITED = 8, REGISTER_PRIVATE_EXPEDITED = 16, PRIVATE_EXPEDITED_SYNC_CORE = 32,
                  REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 64, PRIVATE_EXPEDITED_RSEQ = 128,
                  REGISTER_PRIVATE_EXPEDITED_RSEQ = 256;
    constexpr u32 FLAG_CPU = 1;
    int cmd = int(a[0]);
    u32 flags = u32(a[1]);
    if (cmd == PRIVATE_EXPEDITED_RSEQ ? (flags & ~FLAG_CPU) != 0 : flags != 0) return Errno::EINVAL;
    u32& registered = core::process().membarrier_registered;
    switch (cmd) {
    case QUERY:
        return GLOBAL | GLOBAL_EXPEDITED | REGISTER_GLOBAL_EXPEDITED | PRIVATE_EXPEDITED | REGISTER_PRIVATE_EXPEDITED
            | PRIVATE_EXPEDITED_SYNC_CORE | REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | PRIVATE_EXPEDITED_RSEQ
            | REGISTER_PRIVATE_EXPEDITED_RSEQ;
    case GLOBAL:
    case GLOBAL_EXPEDITED:
        paging::flush_other_cpus();
        return 0;
    case PRIVATE_EXPEDITED:
    case PRIVATE_EXPEDITED_SYNC_CORE:
    case PRIVATE_EXPEDITED_RSEQ:
        // Each is allowed once its REGISTER_ command (the next bit up) was made.
        if (!(registered & u32(cmd) << 1)) return Errno::EPERM;
        // (SYNC_CORE: the interrupt's IRET serializes the instruction stream too.)
        paging::flush_other_cpus();
        return 0;
    case REGISTER_GLOBAL_EXPEDITED:
    case REGISTER_PRIVATE_EXPEDITED:
    case REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
    case REGISTER_PRIVATE_EXPEDITED_RSEQ:
        registered |= u32(cmd);
        return 0;
    default:
        return Errno::EINVAL;
    }
}

} // namespace sys
