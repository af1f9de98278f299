// Process and identity syscalls: getpid/gettid/getppid, the uid/gid family,
// uname, sysinfo, getrlimit/setrlimit/prlimit64, set_tid_address, arch_prctl,
// sched_getaffinity, sched_yield, getrandom, capget.
#include "check.h"

#include <asm/prctl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

// A system call made without touching errno or anything else in TLS: the
// arch_prctl checks change %fs, and errno lives behind %fs.
static long raw2(long nr, long a, long b)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

static void test_ids(void)
{
    pid_t pid = getpid();
    CHECK(pid > 0);
    CHECK_EQ(syscall(SYS_getpid), pid);
    CHECK_EQ(syscall(SYS_gettid), pid);               // the only thread is the leader
    CHECK(getppid() >= 0);
    CHECK(getpgrp() >= 0);
    CHECK_EQ(getpgid(0), getpgrp());
    CHECK(getsid(0) >= 0);

    uid_t r, e, s;
    gid_t gr, ge, gs;
    CHECK_EQ(getresuid(&r, &e, &s), 0);
    CHECK_EQ(r, getuid());
    CHECK_EQ(e, geteuid());
    CHECK_EQ(getresgid(&gr, &ge, &gs), 0);
    CHECK_EQ(gr, getgid());
    CHECK_EQ(ge, getegid());
    int n = CHECK_OK(syscall(SYS_getgroups, 0L, NULL));
    if (n >= 2) {
        gid_t groups[2];
        CHECK_ERR(syscall(SYS_getgroups, 1L, groups), EINVAL);   // too small for the list
    }
    CHECK_ERR(syscall(SYS_getgroups, -1L, NULL), EINVAL);

    // setuid/setgid to one's own real id: anyone may; the effective id is it.
    CHECK_OK(syscall(SYS_setuid, (long)r));
    CHECK_EQ(getuid(), r);
    CHECK_EQ(geteuid(), r);
    CHECK_OK(syscall(SYS_setgid, (long)gr));
    CHECK_EQ(getgid(), gr);
    CHECK_EQ(getegid(), gr);
    CHECK_ERR(syscall(SYS_setuid, -1L), EINVAL);
    CHECK_ERR(syscall(SYS_setgid, -1L), EINVAL);
}

static void test_uname(void)
{
    struct utsname u;
    memset(&u, 0, sizeof u);
    CHECK_EQ(uname(&u), 0);
    CHECK_STR(u.sysname, "Linux");
    CHECK_STR(u.machine, "x86_64");
    CHECK(u.release[0] >= '3' && u.release[0] <= '9');          // glibc rejects old kernels
    CHECK(u.version[0] != 0);
    CHECK(u.nodename[0] != 0);
}

static void test_sysinfo(void)
{
    struct sysinfo si;
    memset(&si, 0xff, sizeof si);
    CHECK_EQ(sysinfo(&si), 0);
    CHECK(si.mem_unit >= 1);
    CHECK(si.totalram > 0);
    CHECK(si.freeram <= si.totalram);
    CHECK(si.uptime >= 0);
    CHECK(si.procs >= 1);
}

static void test_rlimits(void)
{
    struct rlimit rl, old;
    CHECK_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
    CHECK(rl.rlim_cur <= rl.rlim_max);
    CHECK(rl.rlim_cur >= 64 * 1024);

    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    CHECK(old.rlim_cur >= 64);
    CHECK(old.rlim_cur <= old.rlim_max);
    rl.rlim_cur = 64;
    rl.rlim_max = old.rlim_max;
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    CHECK_EQ(rl.rlim_cur, 64);
    CHECK_EQ(rl.rlim_max, old.rlim_max);

    // prlimit64 sets and returns the old value in one call.
    struct rlimit nl = {.rlim_cur = 128, .rlim_max = old.rlim_max}, prev;
    CHECK_EQ(syscall(SYS_prlimit64, 0L, (long)RLIMIT_NOFILE, &nl, &prev), 0);
    CHECK_EQ(prev.rlim_cur, 64);
    CHECK_EQ(syscall(SYS_prlimit64, 0L, (long)RLIMIT_NOFILE, NULL, &prev), 0);
    CHECK_EQ(prev.rlim_cur, 128);
    CHECK_EQ(syscall(SYS_prlimit64, (long)getpid(), (long)RLIMIT_NOFILE, NULL, &prev), 0);
    CHECK_EQ(prev.rlim_cur, 128);

    rl.rlim_cur = old.rlim_max == RLIM_INFINITY ? RLIM_INFINITY : old.rlim_max + 1;
    rl.rlim_max = 10;
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);           // soft above hard
    CHECK_ERR(syscall(SYS_getrlimit, 999L, &rl), EINVAL);
    CHECK_ERR(syscall(SYS_prlimit64, 0L, 999L, NULL, &prev), EINVAL);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    CHECK_EQ(rl.rlim_cur, old.rlim_cur);
}

static void test_arch_prctl(void)
{
    unsigned long fs = 0;
    CHECK_EQ(syscall(SYS_arch_prctl, (long)ARCH_GET_FS, &fs), 0);
    CHECK(fs != 0);                                   // libc set up TLS before main
    unsigned long self;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(self));  // x86-64 TLS: the TCB points to itself
    CHECK_EQ(self, fs);

    // Point %fs elsewhere and back, with no libc call (and so no errno) between.
    static unsigned long other_tcb[8];
    other_tcb[0] = 0x1234abcd;
    unsigned long got = 0, seen = 0;
    long set = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)other_tcb);
    long get = raw2(SYS_arch_prctl, ARCH_GET_FS, (long)&got);
    __asm__ volatile("mov %%fs:0, %0" : "=r"(seen));
    long back = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)fs);
    CHECK_EQ(set, 0);
    CHECK_EQ(get, 0);
    CHECK_EQ(back, 0);
    CHECK_EQ(got, (unsigned long)other_tcb);
    CHECK_EQ(seen, 0x1234abcd);                       // the hardware really uses the new base
    CHECK_EQ(syscall(SYS_arch_prctl, (long)ARCH_GET_FS, &got), 0);
    CHECK_EQ(got, fs);

    CHECK_EQ(raw2(SYS_arch_prctl, ARCH_SET_FS, (long)0x800000000000UL), -EPERM);  // not a user address
    CHECK_ERR(syscall(SYS_arch_prctl, 0x9999L, &got), EINVAL);
    unsigned long gs = 1;
    CHECK_EQ(syscall(SYS_arch_prctl, (long)ARCH_GET_GS, &gs), 0);
}

static void test_tid_sched(void)
{
    static int clear_me;
    CHECK_EQ(syscall(SYS_set_tid_address, &clear_me), getpid());
    CHECK_EQ(sched_yield(), 0);

    unsigned long mask[16];
    memset(mask, 0, sizeof mask);
    long n = CHECK_OK(syscall(SYS_sched_getaffinity, 0L, sizeof mask, mask));
    CHECK(n >= 8 && n <= (long)sizeof mask && n % 8 == 0);    // bytes written
    int cpus = 0;
    for (unsigned i = 0; i < sizeof mask / sizeof mask[0]; i++)
        cpus += __builtin_popcountl(mask[i]);
    CHECK(cpus >= 1);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0L, 0L, mask), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0L, 4L, mask), EINVAL);   // not a multiple of long
    cpu_set_t set;
    CHECK_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    CHECK_EQ(CPU_COUNT(&set), cpus);
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_getrandom(void)
{
    unsigned char a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_EQ(syscall(SYS_getrandom, a, sizeof a, 0L), sizeof a);
    CHECK_EQ(syscall(SYS_getrandom, b, sizeof b, (long)GRND_NONBLOCK), sizeof b);
    CHECK(!all_zero(a, sizeof a));
    CHECK(!all_zero(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_EQ(syscall(SYS_getrandom, a, 0L, 0L), 0);
    static unsigned char big[100000];
    long n = CHECK_OK(syscall(SYS_getrandom, big, sizeof big, 0L));
    CHECK(n > 256);                                   // large requests may be short, not tiny
    CHECK(!all_zero(big + n - 32, 32));
    CHECK_ERR(syscall(SYS_getrandom, a, sizeof a, 0x100L), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, a, sizeof a, (long)(GRND_RANDOM | GRND_INSECURE)), EINVAL);
}

// The 64-bit hex value of a "Name:\t..." line of /proc/self/status.
static unsigned long long status_hex(const char *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long v = ~0ull;
    size_t n = strlen(name);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, name, n) && line[n] == ':')
            v = strtoull(line + n + 1, NULL, 16);
    if (f)
        fclose(f);
    return v;
}

static void test_capget(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0xff, sizeof d);
    CHECK_EQ(syscall(SYS_capget, &h, d), 0);
    // The same sets as /proc/self/status shows.
    CHECK_EQ(d[0].effective | (unsigned long long)d[1].effective << 32, status_hex("CapEff"));
    CHECK_EQ(d[0].permitted | (unsigned long long)d[1].permitted << 32, status_hex("CapPrm"));
    CHECK_EQ(d[0].inheritable | (unsigned long long)d[1].inheritable << 32, status_hex("CapInh"));
    h.pid = getpid();
    CHECK_EQ(syscall(SYS_capget, &h, d), 0);
    // An unknown version: the kernel's is written back; EINVAL, or 0 for a probe.
    h.version = 0x1234;
    CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
    CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
    h.version = 0x1234;
    CHECK_EQ(syscall(SYS_capget, &h, NULL), 0);
    CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
    h.pid = -1;
    CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
    h.pid = 0x3fffffff;
    CHECK_ERR(syscall(SYS_capget, &h, d), ESRCH);
    CHECK_ERR(syscall(SYS_capget, NULL, d), EFAULT);
}

int main(void)
{
    test_ids();
    test_uname();
    test_sysinfo();
    test_rlimits();
    test_arch_prctl();
    test_tid_sched();
    test_getrandom();
    test_capget();
    return check_report("process");
}
