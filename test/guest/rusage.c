// getrusage, times and /proc/self/stat's CPU fields: user time grows with
// work done in user mode, system time with work done in the kernel, both
// together never exceed the process's CPU clock; page faults, context
// switches and the peak of memory in use count what happened. No wall-clock
// thresholds: each check compares the figures with each other and with the
// CPU-time clocks, natively and in the VM alike.
#include "check.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>

static long long ns_of(const struct timeval *tv) { return tv->tv_sec * 1000000000LL + tv->tv_usec * 1000LL; }

static long long cpu_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile unsigned long long sink;

// About `ns` of CPU time in user mode.
static void burn_user(long long ns)
{
    long long end = cpu_clock(CLOCK_THREAD_CPUTIME_ID) + ns;
    while (cpu_clock(CLOCK_THREAD_CPUTIME_ID) < end)
        for (unsigned long long i = 0; i < 200000; i++) sink = sink * 6364136223846793005ull + i;
}

// About `ns` of CPU time in the kernel: reading /dev/zero is a kernel memset.
static void burn_kernel(long long ns)
{
    static char buf[1 << 20];
    int fd = open("/dev/zero", O_RDONLY);
    CHECK(fd >= 0);
    long long end = cpu_clock(CLOCK_THREAD_CPUTIME_ID) + ns;
    long short_reads = 0;
    while (cpu_clock(CLOCK_THREAD_CPUTIME_ID) < end)
        for (int i = 0; i < 8; i++) short_reads += read(fd, buf, sizeof buf) != (ssize_t)sizeof buf;
    CHECK_EQ(short_reads, 0L);
    close(fd);
}

static void test_cpu_split(void)
{
    struct rusage a, b, c;
    CHECK_OK(getrusage(RUSAGE_SELF, &a));
    burn_user(300000000);
    CHECK_OK(getrusage(RUSAGE_SELF, &b));
    burn_kernel(300000000);
    CHECK_OK(getrusage(RUSAGE_SELF, &c));
    long long cpu = cpu_clock(CLOCK_PROCESS_CPUTIME_ID);

    long long user1 = ns_of(&b.ru_utime) - ns_of(&a.ru_utime), sys1 = ns_of(&b.ru_stime) - ns_of(&a.ru_stime);
    long long user2 = ns_of(&c.ru_utime) - ns_of(&b.ru_utime), sys2 = ns_of(&c.ru_stime) - ns_of(&b.ru_stime);
    // The user-mode loop is mostly user time, the /dev/zero loop mostly system time.
    CHECK(user1 >= 150000000);
    CHECK(user1 > 2 * sys1);
    CHECK(sys2 >= 150000000);
    CHECK(sys2 > 2 * user2);
    // Together never more than the CPU clock (read after), and not far below it.
    long long total = ns_of(&c.ru_utime) + ns_of(&c.ru_stime);
    CHECK(total <= cpu + 10000000);       // Linux rounds to its tick
    CHECK(total >= 600000000 - 20000000);
    CHECK(c.ru_utime.tv_usec >= 0 && c.ru_utime.tv_usec < 1000000);
    CHECK(c.ru_stime.tv_usec >= 0 && c.ru_stime.tv_usec < 1000000);

    // times(): the same split in clock ticks; its return value moves forward.
    struct tms t;
    long hz = sysconf(_SC_CLK_TCK);
    CHECK_EQ(hz, 100L);
    clock_t t0 = times(&t);
    CHECK(t0 != (clock_t)-1);
    CHECK(t.tms_utime >= 15 && t.tms_stime >= 15);
    CHECK((t.tms_utime + t.tms_stime) * (1000000000LL / hz) <= cpu_clock(CLOCK_PROCESS_CPUTIME_ID) + 20000000);
    CHECK_EQ((long)t.tms_cutime, 0L);
    CHECK_EQ((long)t.tms_cstime, 0L);
    struct timespec ms = { 0, 30000000 };
    nanosleep(&ms, NULL);
    CHECK(times(NULL) > t0);

    // /proc/self/stat fields 14 and 15: utime and stime in ticks.
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY);
    CHECK(fd >= 0);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    CHECK(n > 0);
    buf[n > 0 ? n : 0] = 0;
    char *p = strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    CHECK(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2);
    CHECK(utime >= 15 && stime >= 15);
}

static void *thread_work(void *arg)
{
    struct rusage self, thread;
    burn_user(50000000);
    CHECK_OK(getrusage(RUSAGE_THREAD, &thread));
    CHECK_OK(getrusage(RUSAGE_SELF, &self));
    // This thread's share, and the process's with the main thread's 600 ms.
    CHECK(ns_of(&thread.ru_utime) >= 25000000);
    CHECK(ns_of(&thread.ru_utime) + ns_of(&thread.ru_stime) <= cpu_clock(CLOCK_THREAD_CPUTIME_ID) + 10000000);
    CHECK(ns_of(&self.ru_utime) + ns_of(&self.ru_stime) > ns_of(&thread.ru_utime) + ns_of(&thread.ru_stime) + 300000000);
    return arg;
}

static void test_threads(void)
{
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, thread_work, NULL), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
    // The thread's time stays in the process's after it ended.
    struct rusage r;
    CHECK_OK(getrusage(RUSAGE_SELF, &r));
    CHECK(ns_of(&r.ru_utime) + ns_of(&r.ru_stime) >= 600000000);
}

static void test_counters(void)
{
    struct rusage a, b;
    CHECK_OK(getrusage(RUSAGE_SELF, &a));
    // Touching 8 MiB of new memory: page faults, and the peak of memory in use grows.
    size_t len = 8 << 20;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    for (size_t i = 0; i < len; i += 4096) m[i] = 1;
    // A sleep gives up the CPU: a voluntary context switch.
    struct timespec ms = { 0, 5000000 };
    nanosleep(&ms, NULL);
    CHECK_OK(getrusage(RUSAGE_SELF, &b));
    CHECK(b.ru_minflt >= a.ru_minflt + 2000);   // at least one fault per page (THP may map more at once)
    CHECK(b.ru_nvcsw > a.ru_nvcsw);
    CHECK(b.ru_maxrss >= a.ru_maxrss);
    CHECK(b.ru_maxrss >= 8 * 1024);             // KiB: at least the 8 MiB touched
    munmap(m, len);
    // The peak stays after the memory is gone.
    struct rusage c;
    CHECK_OK(getrusage(RUSAGE_SELF, &c));
    CHECK(c.ru_maxrss >= b.ru_maxrss);
}

static volatile sig_atomic_t vtalrm;
static void on_vtalrm(int sig) { (void)sig; vtalrm++; }

// ITIMER_VIRTUAL counts user time only: time in the kernel does not bring it on.
static void test_itimer_virtual(void)
{
    signal(SIGVTALRM, on_vtalrm);
    struct itimerval it = { { 0, 0 }, { 0, 150000 } };
    CHECK_OK(setitimer(ITIMER_VIRTUAL, &it, NULL));
    burn_kernel(300000000);
    CHECK_EQ((int)vtalrm, 0);
    struct itimerval left;
    CHECK_OK(getitimer(ITIMER_VIRTUAL, &left));
    CHECK(left.it_value.tv_sec > 0 || left.it_value.tv_usec > 50000);
    burn_user(300000000);
    CHECK_EQ((int)vtalrm, 1);
    signal(SIGVTALRM, SIG_DFL);
}

static void test_errors(void)
{
    struct rusage r;
    memset(&r, 0xff, sizeof r);
    // No child processes: all zero.
    CHECK_OK(getrusage(RUSAGE_CHILDREN, &r));
    CHECK_EQ((long)r.ru_utime.tv_sec + r.ru_utime.tv_usec + r.ru_stime.tv_sec + r.ru_stime.tv_usec, 0L);
    CHECK_EQ(r.ru_maxrss, 0L);
    CHECK_ERR(syscall(SYS_getrusage, 7L, &r), EINVAL);
    CHECK_ERR(syscall(SYS_getrusage, -2L, &r), EINVAL);
    CHECK_ERR(syscall(SYS_getrusage, (long)RUSAGE_SELF, (void *)8), EFAULT);
    CHECK_ERR(syscall(SYS_times, (void *)8), EFAULT);
    CHECK(syscall(SYS_times, NULL) > 0);
}

int main(void)
{
    test_cpu_split();
    test_threads();
    test_counters();
    test_itimer_virtual();
    test_errors();
    return check_report("rusage");
}
