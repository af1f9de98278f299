// POSIX timers, timerfd and clock_nanosleep. Every check is an ordering or a
// count that follows from the clocks (a timer that fired has its clock past
// its expiry; a periodic timer left unread for 30 ms of sleep has missed at
// least 29 of its 1 ms periods), never a measured duration, so the program
// gives the same answers natively and under a slow emulator.
//
// POSIX timers are made through the raw syscalls (kernel timer ids, as
// si_timerid reports them), except for glibc's SIGEV_THREAD, built by librt on
// SIGEV_THREAD_ID and a helper thread.
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

#define MS 1000000L
#define SIG_A (SIGRTMIN + 1)
#define SIG_B (SIGRTMIN + 2)

// The kernel's struct sigevent, with the thread id Linux reads for SIGEV_THREAD_ID.
struct ksigevent {
    union sigval value;
    int signo, notify, tid;
    int pad[11];
};

static int k_create(clockid_t clock, struct ksigevent *ev, int *id)
{
    return (int)syscall(SYS_timer_create, clock, ev, id);
}
static int k_settime(int id, int flags, const struct itimerspec *v, struct itimerspec *old)
{
    return (int)syscall(SYS_timer_settime, id, flags, v, old);
}
static int k_gettime(int id, struct itimerspec *v) { return (int)syscall(SYS_timer_gettime, id, v); }
static int k_getoverrun(int id) { return (int)syscall(SYS_timer_getoverrun, id); }
static int k_delete(int id) { return (int)syscall(SYS_timer_delete, id); }

static struct itimerspec spec(long value_ns, long interval_ns)
{
    struct itimerspec s = { { interval_ns / 1000000000L, interval_ns % 1000000000L },
                            { value_ns / 1000000000L, value_ns % 1000000000L } };
    return s;
}
static long long ts_ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }
static long long now_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return ts_ns(t);
}
static void sleep_ns(long ns)
{
    struct timespec t = { ns / 1000000000L, ns % 1000000000L };
    while (nanosleep(&t, &t) != 0) {}
}
static void block(int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_BLOCK, &s, NULL);
}
static int is_pending(int sig)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, sig);
}
// Waits (10 s at most, a bound that only a broken timer reaches) for sig.
static int wait_sig(int sig, siginfo_t *info)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    struct timespec limit = { 10, 0 };
    return sigtimedwait(&s, info, &limit);
}

static void test_create_errors(void)
{
    int id;
    struct ksigevent ev = { .value.sival_int = 1, .signo = SIG_A, .notify = SIGEV_SIGNAL };
    CHECK_ERR(k_create(99, &ev, &id), EINVAL);
    CHECK_ERR(k_create(CLOCK_MONOTONIC_RAW, &ev, &id), EOPNOTSUPP); // a clock without timers
    CHECK_ERR(k_create(CLOCK_MONOTONIC_COARSE, &ev, &id), EOPNOTSUPP);
    ev.notify = 3;
    CHECK_ERR(k_create(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev.notify = SIGEV_SIGNAL;
    ev.signo = 0;
    CHECK_ERR(k_create(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev.signo = 65;
    CHECK_ERR(k_create(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev.signo = SIG_A;
    ev.notify = SIGEV_THREAD_ID;
    ev.tid = 0x7ffffff0; // no such thread
    CHECK_ERR(k_create(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev.notify = SIGEV_SIGNAL;
    CHECK_ERR(k_create(CLOCK_MONOTONIC, &ev, (int *)8), EFAULT);
    CHECK_ERR(k_create(CLOCK_MONOTONIC, (struct ksigevent *)8, &id), EFAULT);

    // A live timer and the errors of the other calls.
    CHECK_OK(k_create(CLOCK_MONOTONIC, &ev, &id));
    struct itimerspec v = spec(10 * MS, 0), cur;
    CHECK_ERR(k_settime(12345, 0, &v, NULL), EINVAL);
    CHECK_ERR(k_settime(-1, 0, &v, NULL), EINVAL);
    CHECK_ERR(k_settime(id, 0, NULL, NULL), EINVAL);
    v.it_value.tv_nsec = 1000000000;
    CHECK_ERR(k_settime(id, 0, &v, NULL), EINVAL);
    v = spec(10 * MS, 0);
    v.it_interval.tv_sec = -1;
    CHECK_ERR(k_settime(id, 0, &v, NULL), EINVAL);
    CHECK_ERR(k_gettime(12345, &cur), EINVAL);
    CHECK_ERR(k_gettime(id, (struct itimerspec *)8), EFAULT);
    CHECK_ERR(k_getoverrun(12345), EINVAL);
    CHECK_EQ(k_getoverrun(id), 0);
    // Never armed: zero.
    CHECK_OK(k_gettime(id, &cur));
    CHECK_EQ(ts_ns(cur.it_value), 0);
    CHECK_EQ(ts_ns(cur.it_interval), 0);
    CHECK_OK(k_delete(id));
    CHECK_ERR(k_delete(id), EINVAL);
    CHECK_ERR(k_gettime(id, &cur), EINVAL);
    CHECK_ERR(k_delete(-5), EINVAL);
}

// A periodic timer whose signal stays blocked: one signal queued, the
// expiries missed meanwhile counted as overruns when it is taken, and the
// timer re-armed then.
static void test_overrun(void)
{
    block(SIG_A);
    int id;
    struct ksigevent ev = { .value.sival_int = 42, .signo = SIG_A, .notify = SIGEV_SIGNAL };
    CHECK_OK(k_create(CLOCK_MONOTONIC, &ev, &id));
    struct itimerspec v = spec(1 * MS, 1 * MS), cur;
    CHECK_OK(k_settime(id, 0, &v, NULL));
    sleep_ns(30 * MS);
    CHECK(is_pending(SIG_A));
    // While the signal waits, the timer still reports its next expiry.
    CHECK_OK(k_gettime(id, &cur));
    CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 1 * MS);
    CHECK_EQ(ts_ns(cur.it_interval), 1 * MS);
    siginfo_t si;
    CHECK_EQ(wait_sig(SIG_A, &si), SIG_A);
    CHECK_EQ(si.si_code, SI_TIMER);
    CHECK_EQ(si.si_timerid, id);
    CHECK_EQ(si.si_value.sival_int, 42);
    // First expiry at 1 ms, taken after at least 30 ms: 29 periods missed at least.
    CHECK(si.si_overrun >= 29);
    CHECK_EQ(k_getoverrun(id), si.si_overrun);
    // Re-armed when taken: it fires again.
    CHECK_EQ(wait_sig(SIG_A, &si), SIG_A);
    CHECK_EQ(si.si_timerid, id);
    CHECK(si.si_overrun >= 0);
    // A deleted timer's queued signal stays pending, and is dropped when
    // taken (Linux 6.13 and later).
    sleep_ns(5 * MS);
    CHECK(is_pending(SIG_A));
    CHECK_OK(k_delete(id));
    CHECK(is_pending(SIG_A));
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIG_A);
    struct timespec zero = { 0, 0 };
    CHECK_ERR(sigtimedwait(&s, &si, &zero), EAGAIN);
    CHECK(!is_pending(SIG_A));

    // A signal queued for an earlier setting is dropped too.
    CHECK_OK(k_create(CLOCK_MONOTONIC, &ev, &id));
    v = spec(1 * MS, 0);
    CHECK_OK(k_settime(id, 0, &v, NULL));
    sleep_ns(5 * MS);
    CHECK(is_pending(SIG_A));
    v = spec(100000 * MS, 0);
    CHECK_OK(k_settime(id, 0, &v, NULL));
    CHECK_ERR(sigtimedwait(&s, &si, &zero), EAGAIN);
    CHECK_OK(k_delete(id));
}

static volatile sig_atomic_t g_handled;
static volatile int g_handled_code, g_handled_timerid;
static void *volatile g_handled_ptr;
static void on_timer(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    g_handled_code = si->si_code;
    g_handled_timerid = si->si_timerid;
    g_handled_ptr = si->si_value.sival_ptr;
    g_handled++;
}

// A one-shot timer on each clock that has timers, absolute and relative,
// delivered to a handler; old values; a past absolute time fires at once.
static void test_oneshot_clocks(void)
{
    struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO };
    sigaction(SIG_B, &sa, NULL);
    static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME };
    static const char *names[] = { "REALTIME", "MONOTONIC", "BOOTTIME" };
    sigset_t none, with_b;
    sigemptyset(&none);
    sigemptyset(&with_b);
    sigaddset(&with_b, SIG_B);
    for (int i = 0; i < 3; i++) {
        for (int absolute = 0; absolute < 2; absolute++) {
            check_context = absolute ? "absolute" : "relative";
            int id;
            struct ksigevent ev = { .value.sival_ptr = (void *)&g_handled, .signo = SIG_B, .notify = SIGEV_SIGNAL };
            CHECK_OK(k_create(clocks[i], &ev, &id));
            sigprocmask(SIG_BLOCK, &with_b, NULL);
            g_handled = 0;
            long long start = now_ns(clocks[i]);
            long long target = start + 3 * MS;
            struct itimerspec v = spec(absolute ? target : 3 * MS, 0), old;
            CHECK_OK(k_settime(id, absolute ? TIMER_ABSTIME : 0, &v, &old));
            CHECK_EQ(ts_ns(old.it_value), 0);
            while (!g_handled) sigsuspend(&none);
            sigprocmask(SIG_UNBLOCK, &with_b, NULL);
            // The timer's clock had reached its expiry.
            CHECK(now_ns(clocks[i]) >= target);
            CHECK_EQ(g_handled, 1);
            CHECK_EQ(g_handled_code, SI_TIMER);
            CHECK_EQ(g_handled_timerid, id);
            CHECK(g_handled_ptr == (void *)&g_handled);
            struct itimerspec cur;
            CHECK_OK(k_gettime(id, &cur));
            CHECK_EQ(ts_ns(cur.it_value), 0); // a one-shot timer that fired is disarmed
            CHECK_OK(k_delete(id));
            (void)names;
        }
    }
    check_context = NULL;

    // old_value of an armed timer; disarming with 0.
    int id;
    CHECK_OK(k_create(CLOCK_MONOTONIC, NULL, &id)); // NULL: SIGALRM with the id as value
    struct itimerspec v = spec(10000 * MS, 5 * MS), old, cur;
    CHECK_OK(k_settime(id, 0, &v, NULL));
    v = spec(0, 0);
    CHECK_OK(k_settime(id, 0, &v, &old));
    CHECK(ts_ns(old.it_value) > 0 && ts_ns(old.it_value) <= 10000 * MS);
    CHECK_EQ(ts_ns(old.it_interval), 5 * MS);
    CHECK_OK(k_gettime(id, &cur));
    CHECK_EQ(ts_ns(cur.it_value), 0);
    CHECK_EQ(ts_ns(cur.it_interval), 0);

    // NULL sigevent: SIGALRM, si_value = the timer id. An absolute time in
    // the past fires at once.
    block(SIGALRM);
    v = spec(1, 0);
    CHECK_OK(k_settime(id, TIMER_ABSTIME, &v, NULL));
    siginfo_t si;
    CHECK_EQ(wait_sig(SIGALRM, &si), SIGALRM);
    CHECK_EQ(si.si_code, SI_TIMER);
    CHECK_EQ(si.si_value.sival_int, id);
    CHECK_OK(k_delete(id));
}

// SIGEV_NONE: nothing is sent; timer_gettime follows the clock.
static void test_sigev_none(void)
{
    int periodic, once;
    struct ksigevent ev = { .signo = SIG_A, .notify = SIGEV_NONE };
    CHECK_OK(k_create(CLOCK_MONOTONIC, &ev, &periodic));
    CHECK_OK(k_create(CLOCK_MONOTONIC, &ev, &once));
    struct itimerspec v = spec(1 * MS, 1 * MS), cur;
    CHECK_OK(k_settime(periodic, 0, &v, NULL));
    v = spec(1 * MS, 0);
    CHECK_OK(k_settime(once, 0, &v, NULL));
    sleep_ns(5 * MS);
    CHECK_OK(k_gettime(periodic, &cur));
    CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 1 * MS);
    CHECK_OK(k_gettime(once, &cur));
    CHECK_EQ(ts_ns(cur.it_value), 0); // expired one-shot SIGEV_NONE: 0
    CHECK(!is_pending(SIG_A));
    CHECK_OK(k_delete(periodic));
    CHECK_OK(k_delete(once));
}

// SIGEV_THREAD_ID: the signal goes to that thread.
static int g_worker_tid;
static sem_t g_ready;
static siginfo_t g_worker_si;
static int g_worker_got;
static void *worker(void *arg)
{
    (void)arg;
    g_worker_tid = (int)gettid();
    sem_post(&g_ready);
    g_worker_got = wait_sig(SIG_A, &g_worker_si);
    return NULL;
}

static void test_thread_id(void)
{
    block(SIG_A); // inherited by the worker; both have it blocked
    sem_init(&g_ready, 0, 0);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    sem_wait(&g_ready);
    int id;
    struct ksigevent ev = { .value.sival_int = 7, .signo = SIG_A, .notify = SIGEV_THREAD_ID, .tid = g_worker_tid };
    CHECK_OK(k_create(CLOCK_MONOTONIC, &ev, &id));
    struct itimerspec v = spec(2 * MS, 0);
    CHECK_OK(k_settime(id, 0, &v, NULL));
    pthread_join(th, NULL);
    CHECK_EQ(g_worker_got, SIG_A);
    CHECK_EQ(g_worker_si.si_code, SI_TIMER);
    CHECK_EQ(g_worker_si.si_timerid, id);
    CHECK_EQ(g_worker_si.si_value.sival_int, 7);
    CHECK(!is_pending(SIG_A)); // it was the worker's, not the process's
    CHECK_OK(k_delete(id));
}

// glibc's SIGEV_THREAD: librt's helper thread takes SIGEV_THREAD_ID signals
// and runs the function in a new thread each time.
static sem_t g_thread_calls;
static volatile int g_thread_value, g_thread_tid;
static void notify(union sigval v)
{
    g_thread_value = v.sival_int;
    g_thread_tid = (int)gettid();
    sem_post(&g_thread_calls);
}

static void test_sigev_thread(void)
{
    sem_init(&g_thread_calls, 0, 0);
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = notify;
    sev.sigev_value.sival_int = 99;
    timer_t t;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &sev, &t));
    struct itimerspec v = spec(2 * MS, 2 * MS);
    CHECK_OK(timer_settime(t, 0, &v, NULL));
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += 10;
    CHECK_OK(sem_timedwait(&g_thread_calls, &limit));
    CHECK_OK(sem_timedwait(&g_thread_calls, &limit)); // periodic: a second call
    CHECK_EQ(g_thread_value, 99);
    CHECK(g_thread_tid != (int)gettid());
    CHECK_OK(timer_delete(t));
}

// The CPU-time clocks: the timer fires only once the clock got there.
static void test_cpu_clocks(void)
{
    static const clockid_t clocks[] = { CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
    block(SIG_A);
    for (int i = 0; i < 2; i++) {
        check_context = i ? "thread" : "process";
        int id;
        struct ksigevent ev = { .signo = SIG_A, .notify = SIGEV_SIGNAL };
        CHECK_OK(k_create(clocks[i], &ev, &id));
        long long target = now_ns(clocks[i]) + 5 * MS;
        struct itimerspec v = spec(5 * MS, 0);
        CHECK_OK(k_settime(id, 0, &v, NULL));
        long long wall_limit = now_ns(CLOCK_MONOTONIC) + 20000 * MS;
        while (!is_pending(SIG_A) && now_ns(CLOCK_MONOTONIC) < wall_limit) {}
        CHECK(is_pending(SIG_A));
        CHECK(now_ns(clocks[i]) >= target);
        siginfo_t si;
        CHECK_EQ(wait_sig(SIG_A, &si), SIG_A);
        CHECK_EQ(si.si_timerid, id);
        CHECK_OK(k_delete(id));
    }
    check_context = NULL;
}

// ---- timerfd ----------------------------------------------------------------

static void test_timerfd_errors(void)
{
    CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR(timerfd_create(99, 0), EINVAL);
    CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    struct itimerspec v = spec(1 * MS, 0), cur;
    CHECK_ERR(timerfd_settime(fd, 4, &v, NULL), EINVAL);
    CHECK_ERR(timerfd_settime(fd, 0, NULL, NULL), EFAULT);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(timerfd_settime(p[0], 0, &v, NULL), EINVAL); // not a timerfd
    CHECK_ERR(timerfd_gettime(p[0], &cur), EINVAL);
    CHECK_ERR(timerfd_settime(9999, 0, &v, NULL), EBADF);
    CHECK_ERR(timerfd_gettime(9999, &cur), EBADF);
    v.it_value.tv_nsec = -1;
    CHECK_ERR(timerfd_settime(fd, 0, &v, NULL), EINVAL);
    uint64_t n;
    CHECK_ERR(read(fd, &n, 8), EAGAIN); // disarmed
    CHECK_ERR(read(fd, &n, 4), EINVAL); // short buffer
    CHECK_ERR(write(fd, &n, 8), EINVAL);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK_EQ(ts_ns(cur.it_value), 0);
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void test_timerfd_reads(void)
{
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0));
    // One-shot: a blocking read waits for it and counts 1.
    struct itimerspec v = spec(2 * MS, 0), cur, old;
    long long target = now_ns(CLOCK_MONOTONIC) + 2 * MS;
    CHECK_OK(timerfd_settime(fd, 0, &v, NULL));
    uint64_t n = 0;
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    CHECK_EQ(n, 1);
    CHECK(now_ns(CLOCK_MONOTONIC) >= target);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK_EQ(ts_ns(cur.it_value), 0);

    // Periodic, unread for 20 ms: at least 20 expirations in one read.
    v = spec(1 * MS, 1 * MS);
    CHECK_OK(timerfd_settime(fd, 0, &v, NULL));
    sleep_ns(20 * MS);
    char big[16];
    CHECK_EQ(read(fd, big, sizeof big), 8); // a larger buffer still gets 8 bytes
    memcpy(&n, big, 8);
    CHECK(n >= 20);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 1 * MS);
    CHECK_EQ(ts_ns(cur.it_interval), 1 * MS);
    // Re-set: old value; the count starts again.
    v = spec(10000 * MS, 0);
    CHECK_OK(timerfd_settime(fd, 0, &v, &old));
    CHECK_EQ(ts_ns(old.it_interval), 1 * MS);
    CHECK(ts_ns(old.it_value) <= 1 * MS);
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);

    // Absolute, on each clock; a time in the past counts at once.
    static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME };
    for (int i = 0; i < 3; i++) {
        int t = CHECK_OK(timerfd_create(clocks[i], TFD_NONBLOCK));
        v = spec(now_ns(clocks[i]) - 5 * MS, 0);
        CHECK_OK(timerfd_settime(t, TFD_TIMER_ABSTIME, &v, NULL));
        CHECK_EQ(read(t, &n, sizeof n), 8);
        CHECK_EQ(n, 1);
        // Periodic from 5 ms ago with a 1 ms interval: 6 expirations passed at least.
        v = spec(now_ns(clocks[i]) - 5 * MS, 1 * MS);
        CHECK_OK(timerfd_settime(t, TFD_TIMER_ABSTIME, &v, NULL));
        CHECK_EQ(read(t, &n, sizeof n), 8);
        CHECK(n >= 6);
        close(t);
    }
    // TFD_TIMER_CANCEL_ON_SET is taken with an absolute real-time timer.
    int rt = CHECK_OK(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK));
    v = spec(now_ns(CLOCK_REALTIME) + 10000 * MS, 0);
    CHECK_OK(timerfd_settime(rt, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &v, NULL));
    CHECK_ERR(read(rt, &n, sizeof n), EAGAIN);
    close(rt);
    close(fd);
}

static void test_timerfd_readiness(void)
{
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec v = spec(10000 * MS, 0);
    CHECK_OK(timerfd_settime(fd, 0, &v, NULL));
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    // poll sleeps until the timer's expiry.
    v = spec(2 * MS, 0);
    long long target = now_ns(CLOCK_MONOTONIC) + 2 * MS;
    CHECK_OK(timerfd_settime(fd, 0, &v, NULL));
    CHECK_EQ(poll(&pfd, 1, -1), 1);
    CHECK_EQ(pfd.revents, POLLIN);
    CHECK(now_ns(CLOCK_MONOTONIC) >= target);
    uint64_t n;
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    CHECK_EQ(pfd.revents & POLLOUT, 0);

    // epoll, level-triggered and edge-triggered.
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 77 }, out[2];
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    v = spec(2 * MS, 0);
    CHECK_OK(timerfd_settime(fd, 0, &v, NULL));
    CHECK_EQ(epoll_wait(ep, out, 2, -1), 1);
    CHECK_EQ(out[0].data.u64, 77);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1); // level: still readable
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    ev.events = EPOLLIN | EPOLLET;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));
    v = spec(2 * MS, 0);
    CHECK_OK(timerfd_settime(fd, 0, &v, NULL));
    CHECK_EQ(epoll_wait(ep, out, 2, -1), 1);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0); // edge: reported once
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    CHECK_EQ(n, 1);
    close(ep);
    close(fd);
}

static int g_blocked_fd;
static uint64_t g_blocked_count;

static void *blocked_reader(void *arg)
{
    (void)arg;
    uint64_t n = 0;
    if (read(g_blocked_fd, &n, sizeof n) == 8) g_blocked_count = n;
    return NULL;
}

// A reader blocked on a disarmed timerfd wakes when timerfd_settime sets a
// time already past: it counts at once and leaves no timer to fire. (The
// pause only lets the reader block first; had it not, it reads the same.)
static void test_timerfd_wakes_blocked_reader(void)
{
    g_blocked_fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0));
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, blocked_reader, NULL), 0);
    sleep_ns(20 * MS);
    struct itimerspec v = spec(now_ns(CLOCK_MONOTONIC) - 5 * MS, 0);
    CHECK_OK(timerfd_settime(g_blocked_fd, TFD_TIMER_ABSTIME, &v, NULL));
    pthread_join(th, NULL);
    CHECK_EQ(g_blocked_count, 1);
    close(g_blocked_fd);
}

static void check_link(int fd, const char *want)
{
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(path, buf, sizeof buf - 1);
    CHECK(len > 0);
    buf[len > 0 ? len : 0] = 0;
    CHECK_STR(buf, want);
}

static void test_proc_links(void)
{
    int tfd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0));
    int efd = CHECK_OK(eventfd(0, 0));
    sigset_t s;
    sigemptyset(&s);
    int sfd = CHECK_OK(signalfd(-1, &s, 0));
    int ep = CHECK_OK(epoll_create1(0));
    check_link(tfd, "anon_inode:[timerfd]");
    check_link(efd, "anon_inode:[eventfd]");
    check_link(sfd, "anon_inode:[signalfd]");
    check_link(ep, "anon_inode:[eventpoll]");
    close(tfd), close(efd), close(sfd), close(ep);
}

// ---- clock_nanosleep --------------------------------------------------------

static volatile sig_atomic_t g_alarms;
static void on_alarm(int sig) { (void)sig; g_alarms++; }

static void test_clock_nanosleep(void)
{
    struct timespec t = { 0, 1 * MS }, rem;
    // clock_nanosleep returns the error number.
    CHECK_EQ(clock_nanosleep(99, 0, &t, NULL), EINVAL);
    CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &t, NULL), EINVAL);
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC_RAW, 0, &t, NULL), ENOTSUP);
    struct timespec bad = { 0, 1000000000 };
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    bad.tv_sec = -1, bad.tv_nsec = 0;
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL), EINVAL);

    // Absolute on each clock: it returns once the clock got there; a past
    // time returns at once.
    static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_TAI };
    for (int i = 0; i < 4; i++) {
        long long target = now_ns(clocks[i]) + 3 * MS;
        struct timespec abs = { target / 1000000000LL, target % 1000000000LL };
        CHECK_EQ(clock_nanosleep(clocks[i], TIMER_ABSTIME, &abs, NULL), 0);
        CHECK(now_ns(clocks[i]) >= target);
        abs.tv_sec = 0, abs.tv_nsec = 1;
        CHECK_EQ(clock_nanosleep(clocks[i], TIMER_ABSTIME, &abs, NULL), 0);
    }

    // A handler ends the sleep with EINTR, SA_RESTART or not: relative sleeps
    // give the time left, absolute ones leave rem alone.
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &sa, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 2000 } };
    g_alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec long_sleep = { 100, 0 };
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &long_sleep, &rem), EINTR);
    CHECK_EQ(g_alarms, 1);
    CHECK(ts_ns(rem) > 0 && ts_ns(rem) <= 100000 * MS);
    g_alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    long long target = now_ns(CLOCK_MONOTONIC) + 100000 * MS;
    struct timespec abs = { target / 1000000000LL, target % 1000000000LL };
    rem.tv_sec = 12345, rem.tv_nsec = 0;
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, &rem), EINTR);
    CHECK_EQ(g_alarms, 1);
    CHECK_EQ(rem.tv_sec, 12345);
    // nanosleep too.
    g_alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK_ERR(nanosleep(&long_sleep, &rem), EINTR);
    CHECK(ts_ns(rem) > 0 && ts_ns(rem) <= 100000 * MS);
    signal(SIGALRM, SIG_DFL);
}

// Sleeping on the process's CPU clock needs another thread to use CPU time.
static volatile int g_spin;
static void *spinner(void *arg)
{
    (void)arg;
    while (g_spin) {}
    return NULL;
}

static void test_cpu_sleep(void)
{
    g_spin = 1;
    pthread_t th;
    pthread_create(&th, NULL, spinner, NULL);
    long long target = now_ns(CLOCK_PROCESS_CPUTIME_ID) + 5 * MS;
    struct timespec t = { 0, 5 * MS };
    CHECK_EQ(clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 0, &t, NULL), 0);
    CHECK(now_ns(CLOCK_PROCESS_CPUTIME_ID) >= target);
    g_spin = 0;
    pthread_join(th, NULL);
}

int main(void)
{
    test_create_errors();
    test_overrun();
    test_oneshot_clocks();
    test_sigev_none();
    test_thread_id();
    test_sigev_thread();
    test_cpu_clocks();
    test_timerfd_errors();
    test_timerfd_reads();
    test_timerfd_readiness();
    test_timerfd_wakes_blocked_reader();
    test_proc_links();
    test_clock_nanosleep();
    test_cpu_sleep();
    return check_report("timers");
}
