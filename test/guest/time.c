// Time syscalls: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
// clock_nanosleep. Raw syscalls are used next to the libc calls, because libc
// may answer from the vDSO without entering the kernel.
#include "check.h"

#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static struct timespec raw_now(clockid_t clock)
{
    struct timespec t = {-1, -1};
    CHECK_EQ(syscall(SYS_clock_gettime, (long)clock, &t), 0);
    return t;
}

static void test_clocks(void)
{
    static const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME,
                                       CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE,
                                       CLOCK_REALTIME_COARSE};
    for (unsigned c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
        struct timespec t = raw_now(clocks[c]);
        CHECK(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
        struct timespec r = {-1, -1};
        CHECK_EQ(syscall(SYS_clock_getres, (long)clocks[c], &r), 0);
        CHECK_EQ(r.tv_sec, 0);
        CHECK(r.tv_nsec > 0 && r.tv_nsec <= 10000000);           // at most 10 ms
    }
    CHECK_EQ(syscall(SYS_clock_getres, (long)CLOCK_MONOTONIC, NULL), 0);

    // Monotonic time never goes back, through the kernel or through libc.
    long long prev = ns(raw_now(CLOCK_MONOTONIC));
    int backwards = 0;
    for (int i = 0; i < 2000; i++) {
        struct timespec t;
        long long now;
        if (i % 2) {
            t = raw_now(CLOCK_MONOTONIC);
        } else {
            CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &t), 0);
        }
        now = ns(t);
        if (now < prev)
            backwards++;
        prev = now;
    }
    CHECK_EQ(backwards, 0);

    // Realtime is wall-clock time: after 2020, and it does not go back either.
    struct timespec rt = raw_now(CLOCK_REALTIME);
    CHECK(rt.tv_sec > 1577836800);                   // 2020-01-01
    CHECK(ns(raw_now(CLOCK_REALTIME)) >= ns(rt));

    // gettimeofday and time agree with CLOCK_REALTIME.
    struct timeval tv = {-1, -1};
    CHECK_EQ(syscall(SYS_gettimeofday, &tv, NULL), 0);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    long long diff = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL - ns(rt);
    CHECK(diff >= -1000000LL && diff < 60 * 1000000000LL);
    time_t t1 = 0;
    time_t t0 = syscall(SYS_time, &t1);
    CHECK_EQ(t0, t1);
    CHECK(t0 >= rt.tv_sec && t0 < rt.tv_sec + 60);
    CHECK_EQ(syscall(SYS_time, NULL) >= t0, 1);
    CHECK(time(NULL) >= t0);

    CHECK_ERR(syscall(SYS_clock_gettime, 12345L, &rt), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, -100L, &rt), EINVAL);
    CHECK_ERR(syscall(SYS_clock_getres, 12345L, &rt), EINVAL);
}

static void test_sleep(void)
{
    // nanosleep of 10 ms lets at least 10 ms of monotonic time pass.
    struct timespec before = raw_now(CLOCK_MONOTONIC);
    struct timespec req = {0, 10000000}, rem = {-1, -1};
    CHECK_EQ(syscall(SYS_nanosleep, &req, &rem), 0);
    struct timespec after = raw_now(CLOCK_MONOTONIC);
    CHECK(ns(after) - ns(before) >= 10000000);

    // clock_nanosleep, relative and absolute.
    before = raw_now(CLOCK_MONOTONIC);
    CHECK_EQ(syscall(SYS_clock_nanosleep, (long)CLOCK_MONOTONIC, 0L, &req, NULL), 0);
    after = raw_now(CLOCK_MONOTONIC);
    CHECK(ns(after) - ns(before) >= 10000000);

    struct timespec target = raw_now(CLOCK_MONOTONIC);
    target.tv_nsec += 20000000;
    if (target.tv_nsec >= 1000000000) {
        target.tv_sec++;
        target.tv_nsec -= 1000000000;
    }
    CHECK_EQ(syscall(SYS_clock_nanosleep, (long)CLOCK_MONOTONIC, (long)TIMER_ABSTIME, &target, NULL), 0);
    CHECK(ns(raw_now(CLOCK_MONOTONIC)) >= ns(target));
    // An absolute time in the past returns at once.
    CHECK_EQ(syscall(SYS_clock_nanosleep, (long)CLOCK_MONOTONIC, (long)TIMER_ABSTIME, &before, NULL), 0);

    struct timespec rt_target = raw_now(CLOCK_REALTIME);
    rt_target.tv_nsec = 0;
    rt_target.tv_sec += 1;                            // the next whole second
    CHECK_EQ(syscall(SYS_clock_nanosleep, (long)CLOCK_REALTIME, (long)TIMER_ABSTIME, &rt_target, NULL), 0);
    CHECK(ns(raw_now(CLOCK_REALTIME)) >= ns(rt_target));

    // A zero sleep is fine; libc's wrappers work too.
    struct timespec zero = {0, 0};
    CHECK_EQ(syscall(SYS_nanosleep, &zero, NULL), 0);
    before = raw_now(CLOCK_MONOTONIC);
    CHECK_EQ(usleep(5000), 0);
    CHECK(ns(raw_now(CLOCK_MONOTONIC)) - ns(before) >= 5000000);

    // Bad arguments.
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    bad.tv_nsec = -1;
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(syscall(SYS_nanosleep, &bad, NULL), EINVAL);
    bad.tv_sec = 0;
    bad.tv_nsec = 1000000000;
    // clock_nanosleep returns the error number instead of setting errno.
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, (long)CLOCK_MONOTONIC, 0L, &bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, 12345L, 0L, &req, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, (long)CLOCK_MONOTONIC, 0L, NULL, NULL), EFAULT);
}

int main(void)
{
    test_clocks();
    test_sleep();
    return check_report("time");
}
