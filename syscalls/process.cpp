// exit, identity, limits, uname/sysinfo, arch_prctl, set_tid_address.
// Thread creation and sched_*: syscalls/clone.cpp, syscalls/sched.cpp.
#include "syscalls/syscall.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/thread.h"
#include "syscalls/thread.h"
#include "core/power.h"
#include "core/string.h"
#include "core/time.h"
#include "mm/phys.h"
#include "mm/address_space.h"
#include "platform/x86_64/cpu.h"

namespace sys {

namespace {
constexpr u64 NO_CHANGE = 0xffffffffull; // (uid_t)-1
core::Process& P() { return core::process(); }

Ret set_ids(u64 r, u64 e, u64 s, u32& pr, u32& pe, u32& ps)
{
    // One user (root, or whoever the program became): any id may be taken.
    if (r != NO_CHANGE) pr = u32(r);
    if (e != NO_CHANGE) pe = u32(e);
    if (s != NO_CHANGE) ps = u32(s);
    return 0;
}

// setuid/setgid: root sets the real, effective and saved ids; another user
// only the effective one, to its real or saved id.
Ret set_id(u64 id, u32& real, u32& effective, u32& saved)
{
    if (i32(id) < 0) return Errno::EINVAL;
    bool root = P().euid == 0;
    if (!root && id != real && id != saved) return Errno::EPERM;
    if (root) real = saved = u32(id);
    effective = u32(id);
    return 0;
}

Ret get_ids(const Args& a, u32 r, u32 e, u32 s)
{
    TRY(mm::copy_to_user(a[0], &r, 4));
    TRY(mm::copy_to_user(a[1], &e, 4));
    TRY(mm::copy_to_user(a[2], &s, 4));
    return 0;
}
} // namespace

Ret sys_exit(const Args& a)
{
    // One thread ends; the program ends with its last thread.
    core::Thread* t = core::current();
    thread_exit_cleanup(t);
    // Linux's exit_signals: a process-directed signal chosen for this thread
    // and not yet taken goes to another thread (blocking hands it over).
    core::signal::set_blocked(~0ull);
    core::sched::exit_current(int(a[0]) & 0xff);
}
Ret sys_exit_group(const Args& a) { core::program_exited(int(a[0])); }

Ret sys_getpid(const Args&) { return P().pid; }
Ret sys_gettid(const Args&) { return core::current()->tid; }
Ret sys_getppid(const Args&) { return P().ppid; }
Ret sys_getpgrp(const Args&) { return P().pgid; }
Ret sys_getuid(const Args&) { return P().uid; }
Ret sys_geteuid(const Args&) { return P().euid; }
Ret sys_getgid(const Args&) { return P().gid; }
Ret sys_getegid(const Args&) { return P().egid; }

Ret sys_getpgid(const Args& a)
{
    int pid = int(a[0]);
    if (pid != 0 && pid != P().pid) return Errno::ESRCH;
    return P().pgid;
}
Ret sys_getsid(const Args& a)
{
    int pid = int(a[0]);
    if (pid != 0 && pid != P().pid) return Errno::ESRCH;
    return P().sid;
}
Ret sys_setpgid(const Args& a)
{
    int pid = int(a[0]), pgid = int(a[1]);
    if (pgid < 0) return Errno::EINVAL;
    if (pid != 0 && pid != P().pid) return Errno::ESRCH;
    if (pgid != 0 && pgid != P().pid) return Errno::EPERM; // no other process groups exist
    P().pgid = P().pid;
    return 0;
}
Ret sys_setsid(const Args&)
{
    if (P().pgid == P().pid) return Errno::EPERM; // already a group leader, as Linux says
    P().sid = P().pgid = P().pid;
    return P().sid;
}

Ret sys_setuid(const Args& a) { return set_id(a[0], P().uid, P().euid, P().suid); }
Ret sys_setgid(const Args& a) { return set_id(a[0], P().gid, P().egid, P().sgid); }
Ret sys_setreuid(const Args& a) { u32 dummy = P().suid; return set_ids(a[0], a[1], NO_CHANGE, P().uid, P().euid, dummy); }
Ret sys_setregid(const Args& a) { u32 dummy = P().sgid; return set_ids(a[0], a[1], NO_CHANGE, P().gid, P().egid, dummy); }
Ret sys_setresuid(const Args& a) { return set_ids(a[0], a[1], a[2], P().uid, P().euid, P().suid); }
Ret sys_setresgid(const Args& a) { return set_ids(a[0], a[1], a[2], P().gid, P().egid, P().sgid); }
Ret sys_getresuid(const Args& a) { return get_ids(a, P().uid, P().euid, P().suid); }
Ret sys_getresgid(const Args& a) { return get_ids(a, P().gid, P().egid, P().sgid); }

Ret sys_getgroups(const Args& a)
{
    int size = int(a[0]);
    if (size < 0) return Errno::EINVAL;
    if (size == 0) return P().ngroups;
    if (size < P().ngroups) return Errno::EINVAL;
    TRY(mm::copy_to_user(a[1], P().groups, sizeof(u32) * P().ngroups));
    return P().ngroups;
}
Ret sys_setgroups(const Args& a)
{
    u64 n = a[0];
    if (n > 32) return Errno::EINVAL; // our NGROUPS_MAX; Linux allows 65536
    u32 tmp[32];
    TRY(mm::copy_from_user(tmp, a[1], n * 4));
    memcpy(P().groups, tmp, n * 4);
    P().ngroups = int(n);
    return 0;
}

namespace {
struct Utsname { char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65]; };
void put(char* dst, const char* s) { size_t n = strlen(s); memcpy(dst, s, n); dst[n] = 0; }
} // namespace

// capget: the sets follow the effective uid, as Linux's for a program that
// never called capset: root holds every capability up to CAP_LAST_CAP (40,
// /proc/sys/kernel/cap_last_cap), others none; nothing is inheritable
// (/proc/self/status says the same).
Ret sys_capget(const Args& a)
{
    constexpr u32 VERSION_1 = 0x19980330, VERSION_2 = 0x20071026, VERSION_3 = 0x20080522;
    constexpr u64 CAP_FULL = (1ull << 41) - 1;
    struct Header { u32 version; i32 pid; } h;
    struct Data { u32 effective, permitted, inheritable; };
    TRY(mm::copy_from_user(&h.version, a[0], 4));
    u32 words;
    if (h.version == VERSION_1) words = 1;
    else if (h.version == VERSION_2 || h.version == VERSION_3) words = 2;
    else {
        // An unknown version learns the kernel's; a probe (no data pointer) succeeds.
        TRY(mm::copy_to_user(a[0], &VERSION_3, 4));
        if (!a[1]) return 0;
        return Errno::EINVAL;
    }
    if (!a[1]) return 0;
    TRY(mm::copy_from_user(&h.pid, a[0] + 4, 4));
    if (h.pid < 0) return Errno::EINVAL;
    if (h.pid != 0 && !core::find_thread(h.pid)) return Errno::ESRCH;
    u64 held = P().euid == 0 ? CAP_FULL : 0;
    Data d[2] = { { u32(held), u32(held), 0 }, { u32(held >> 32), u32(held >> 32), 0 } };
    TRY(mm::copy_to_user(a[1], d, words * sizeof(Data)));
    return 0;
}

Ret sys_uname(const Args& a)
{
    Utsname u {};
    put(u.sysname, "Linux");
    put(u.nodename, "elfin");
    // A release glibc accepts (it checks the kernel version against its minimum).
    put(u.release, "6.1.0-elfin");
    put(u.version, "#1 SMP Elfin unikernel");
    put(u.machine, "x86_64");
    put(u.domainname, "(none)");
    TRY(mm::copy_to_user(a[0], &u, sizeof u));
    return 0;
}

Ret sys_sysinfo(const Args& a)
{
    struct {
        i64 uptime;
        u64 loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        u16 procs, pad;
        u32 pad2;
        u64 totalhigh, freehigh;
        u32 mem_unit;
        char reserved[4];
    } si {};
    si.uptime = i64(core::time::monotonic_ns() / 1000000000ull);
    si.totalram = mm::phys_total_pages() * PAGE_SIZE;
    si.freeram = mm::phys_free_pages() * PAGE_SIZE;
    si.procs = 1;
    si.mem_unit = 1;
    TRY(mm::copy_to_user(a[0], &si, sizeof si));
    return 0;
}

namespace {
Ret do_prlimit(int resource, u64 new_ptr, u64 old_ptr)
{
    if (resource < 0 || resource >= core::RLIM_NLIMITS) return Errno::EINVAL;
    core::Rlimit nl {};
    if (new_ptr) {
        TRY(mm::copy_from_user(&nl, new_ptr, sizeof nl));
        if (nl.cur > nl.max) return Errno::EINVAL;
        auto& cur = P().rlimits[resource];
        if (nl.max > cur.max && P().euid != 0) return Errno::EPERM;
        if (resource == 7 && nl.max > 1024 * 1024) return Errno::EPERM; // nr_open
    }
    if (old_ptr) TRY(mm::copy_to_user(old_ptr, &P().rlimits[resource], sizeof(core::Rlimit)));
    if (new_ptr) P().rlimits[resource] = nl;
    return 0;
}
} // namespace

Ret sys_getrlimit(const Args& a) { return do_prlimit(int(a[0]), 0, a[1] ? a[1] : 1); }
Ret sys_setrlimit(const Args& a) { return do_prlimit(int(a[0]), a[1] ? a[1] : 1, 0); }
Ret sys_prlimit64(const Args& a)
{
    int pid = int(a[0]);
    if (pid != 0 && pid != P().pid) return Errno::ESRCH;
    return do_prlimit(int(a[1]), a[2], a[3]);
}

Ret sys_arch_prctl(const Args& a)
{
    constexpr u64 SET_GS = 0x1001, SET_FS = 0x1002, GET_FS = 0x1003, GET_GS = 0x1004;
    constexpr u64 CET_STATUS = 0x3001;
    switch (a[0]) {
    case SET_FS:
        if (a[1] >= mm::USER_TOP) return Errno::EPERM;
        core::current()->fs_base = a[1];
        x86::wrmsr(x86::MSR_FS_BASE, a[1]);
        return 0;
    case GET_FS: TRY(mm::copy_to_user(a[1], &core::current()->fs_base, 8)); return 0;
    case SET_GS:
        if (a[1] >= mm::USER_TOP) return Errno::EPERM;
        core::current()->gs_base = a[1];
        x86::wrmsr(x86::MSR_KERNEL_GS_BASE, a[1]); // the user's GS while we run on ours
        return 0;
    case GET_GS: TRY(mm::copy_to_user(a[1], &core::current()->gs_base, 8)); return 0;
    case CET_STATUS: return Errno::EINVAL;
    default: return Errno::EINVAL;
    }
}

Ret sys_set_tid_address(const Args& a)
{
    core::current()->clear_child_tid = a[0];
    return core::current()->tid;
}

} // namespace sys
