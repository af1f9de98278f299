// getrusage and times: CPU time split into user and system time (counted by
// core/sched at every entry from user mode and every way back), context
// switches, page faults and the peak of memory in use.
#include "syscalls/syscall.h"
#include "core/sched.h"
#include "core/thread.h"
#include "core/time.h"
#include "mm/phys.h"
#include "mm/user_ptr.h"

namespace sys {

namespace {
constexpr int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
constexpr u64 NS_PER_USER_TICK = 10'000'000; // USER_HZ = 100, as sysconf(_SC_CLK_TCK) says

struct KTimeval {
    i64 sec, usec;
};
struct KRusage {
    KTimeval utime, stime;
    i64 maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw,
        nivcsw;
};
static_assert(sizeof(KRusage) == 144);
struct KTms {
    i64 utime, stime, cutime, cstime;
};

KTimeval timeval_of(u64 ns) { return { i64(ns / 1'000'000'000), i64(ns % 1'000'000'000 / 1000) }; }
} // namespace

Ret sys_getrusage(const Args& a)
{
    int who = int(a[0]);
    KRusage r {};
    if (who == RUSAGE_SELF || who == RUSAGE_THREAD) {
        auto u = who == RUSAGE_SELF ? core::sched::process_usage() : core::sched::thread_usage(core::current());
        r.utime = timeval_of(u.cpu_ns - u.sys_ns);
        r.stime = timeval_of(u.sys_ns);
        r.minflt = i64(u.minflt);
        r.nvcsw = i64(u.nvcsw);
        r.nivcsw = i64(u.nivcsw);
        // The peak of memory in use in KiB, the process's for both (as Linux's
        // mm-wide high-water mark); the VM's, which is the program's and the
        // kernel's for it.
        r.maxrss = i64(mm::phys_peak_used_pages() * PAGE_SIZE / 1024);
    } else if (who != RUSAGE_CHILDREN) {
        return Errno::EINVAL;
    }
    // RUSAGE_CHILDREN: there are no child processes (no fork), so all zero, as
    // Linux reports for a process that never waited for one.
    TRY(mm::copy_to_user(a[1], &r, sizeof r));
    return 0;
}

Ret sys_times(const Args& a)
{
    if (a[0]) {
        auto u = core::sched::process_usage();
        KTms t { i64((u.cpu_ns - u.sys_ns) / NS_PER_USER_TICK), i64(u.sys_ns / NS_PER_USER_TICK), 0, 0 };
        TRY(mm::copy_to_user(a[0], &t, sizeof t));
    }
    // Clock ticks since boot; programs use differences only.
    return i64((core::time::monotonic_ns() - core::time::boot_ns()) / NS_PER_USER_TICK);
}

} // namespace sys
