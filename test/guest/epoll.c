// epoll: ADD/MOD/DEL and their errors, level- and edge-triggered reports,
// EPOLLONESHOT, EPOLLEXCLUSIVE, data returned verbatim, epoll inside epoll
// (and ELOOP), closing the last reference removes an entry, eventfd and
// signalfd readiness, timeouts, EINTR, epoll_pwait's mask, epoll_pwait2, and a
// thread that writes to a pipe while the main thread sleeps in epoll_wait.
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t g_signals;
static void on_signal(int sig) { (void)sig; g_signals++; }

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void test_ctl_errors(void)
{
    CHECK_ERR(epoll_create(0), EINVAL);
    CHECK_ERR(epoll_create1(1), EINVAL);
    int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
    int p[2];
    CHECK_OK(pipe(p));
    struct epoll_event ev = { .events = EPOLLIN };
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    CHECK_OK(add(ep, p[0], EPOLLIN, 1));
    CHECK_ERR(add(ep, p[0], EPOLLIN, 1), EEXIST);
    CHECK_ERR(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
    CHECK_ERR(add(ep, ep, EPOLLIN, 0), EINVAL);       // itself
    CHECK_ERR(add(p[0], p[1], EPOLLIN, 0), EINVAL);   // not an epoll
    CHECK_ERR(add(ep, 999, EPOLLIN, 0), EBADF);
    CHECK_ERR(add(999, p[0], EPOLLIN, 0), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], (struct epoll_event *)8), EFAULT);
    int f = CHECK_OK(open("/proc/self/exe", O_RDONLY));
    CHECK_ERR(add(ep, f, EPOLLIN, 0), EPERM);         // a regular file has no poll
    close(f);
    // EPOLLEXCLUSIVE: ADD only, and only with the bits Linux allows.
    CHECK_ERR(add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 0), EINVAL);
    CHECK_OK(add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 2));
    ev.events = EPOLLOUT;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));

    struct epoll_event out[4];
    CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
    volatile int negative = -1;
    CHECK_ERR(epoll_wait(ep, out, negative, 0), EINVAL);
    CHECK_ERR(epoll_wait(p[0], out, 4, 0), EINVAL);
    CHECK_ERR(epoll_wait(999, out, 4, 0), EBADF);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
    CHECK_EQ(epoll_wait(ep, out, 4, 3), 0);            // times out
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_level_and_edge(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    int lt[2], et[2];
    CHECK_OK(pipe2(lt, O_NONBLOCK));
    CHECK_OK(pipe2(et, O_NONBLOCK));
    CHECK_OK(add(ep, lt[0], EPOLLIN, 0x1122334455667788ull));
    CHECK_OK(add(ep, et[0], EPOLLIN | EPOLLET, 42));
    struct epoll_event out[4];
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);
    CHECK_EQ(write(lt[1], "ab", 2), 2);
    CHECK_EQ(write(et[1], "ab", 2), 2);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 2);
    // Level-triggered: reported again while data is there; edge: not without a new event.
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(out[0].data.u64, 0x1122334455667788ull);  // data verbatim
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ(write(et[1], "c", 1), 1);                  // a new event
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 2);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ(out[0].data.u64, 0x1122334455667788ull);
    char buf[8];
    CHECK_EQ(read(lt[0], buf, sizeof buf), 2);
    CHECK_EQ(read(et[0], buf, sizeof buf), 3);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 0);

    // maxevents smaller than the ready set: the entries take turns.
    CHECK_EQ(write(lt[1], "x", 1), 1);
    int e2 = CHECK_OK(eventfd(1, 0));
    CHECK_OK(add(ep, e2, EPOLLIN, 7));
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 1);
    uint64_t first = out[0].data.u64;
    CHECK_EQ(epoll_wait(ep, out, 1, 0), 1);
    CHECK(out[0].data.u64 != first);

    // Hang-up: reported unasked.
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, e2, NULL));
    close(lt[1]);
    CHECK_EQ(epoll_wait(ep, out, 4, 0), 1);
    CHECK_EQ(out[0].events, EPOLLIN | EPOLLHUP);
    close(lt[0]);
    close(e2);
    close(et[0]);
    close(et[1]);
    close(ep);
}

static void test_oneshot_and_close(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    int e = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    CHECK_OK(add(ep, e, EPOLLIN | EPOLLONESHOT, 5));
    struct epoll_event out[2];
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    uint64_t one = 1;
    CHECK_EQ(write(e, &one, 8), 8);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
    CHECK_EQ(out[0].data.u64, 5);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);             // disarmed
    CHECK_EQ(write(e, &one, 8), 8);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    CHECK_ERR(add(ep, e, EPOLLIN, 0), EEXIST);          // still in the list
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 6 };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));     // re-armed
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
    CHECK_EQ(out[0].data.u64, 6);

    // Closing a duplicate keeps the entry; closing the last reference drops it.
    ev.events = EPOLLIN;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));
    int d = dup(e);
    close(e);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);             // still watched through the description
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL), EBADF);
    close(d);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    int again = CHECK_OK(eventfd(1, 0));                // may reuse e's number
    CHECK_OK(add(ep, again, EPOLLIN, 9));
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1);
    CHECK_EQ(out[0].data.u64, 9);
    close(again);
    close(ep);
}

static void test_nested_and_signals(void)
{
    int outer = CHECK_OK(epoll_create1(0));
    int inner = CHECK_OK(epoll_create1(0));
    int e = CHECK_OK(eventfd(0, 0));
    CHECK_OK(add(inner, e, EPOLLIN, 1));
    CHECK_OK(add(outer, inner, EPOLLIN, 2));
    CHECK_ERR(add(inner, outer, EPOLLIN, 3), ELOOP);
    struct epoll_event out[2];
    CHECK_EQ(epoll_wait(outer, out, 2, 0), 0);
    uint64_t one = 1;
    CHECK_EQ(write(e, &one, 8), 8);
    CHECK_EQ(epoll_wait(outer, out, 2, 0), 1);
    CHECK_EQ(out[0].data.u64, 2);
    CHECK_EQ(out[0].events, EPOLLIN);
    CHECK_EQ(epoll_wait(inner, out, 2, 0), 1);
    CHECK_EQ(out[0].data.u64, 1);

    // signalfd: readable while a signal in its mask is pending.
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int sfd = CHECK_OK(signalfd(-1, &s, SFD_NONBLOCK));
    CHECK_OK(add(outer, sfd, EPOLLIN, 4));
    CHECK_OK(epoll_ctl(outer, EPOLL_CTL_DEL, inner, NULL));
    CHECK_EQ(epoll_wait(outer, out, 2, 0), 0);
    raise(SIGUSR2);
    CHECK_EQ(epoll_wait(outer, out, 2, -1), 1);
    CHECK_EQ(out[0].data.u64, 4);
    struct signalfd_siginfo si;
    CHECK_EQ(read(sfd, &si, sizeof si), (long)sizeof si);
    CHECK_EQ(si.ssi_signo, SIGUSR2);
    CHECK_EQ(epoll_wait(outer, out, 2, 0), 0);

    // A handled signal ends a wait with EINTR.
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;                            // epoll_wait is never restarted
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    g_signals = 0;
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_ERR(epoll_wait(outer, out, 2, -1), EINTR);
    CHECK_EQ(g_signals, 1);

    // epoll_pwait: the mask lets a pending SIGUSR1 in for the wait only.
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1, none, now;
    sigemptyset(&usr1);
    sigemptyset(&none);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    raise(SIGUSR1);
    g_signals = 0;
    CHECK_ERR(epoll_pwait(outer, out, 2, -1, &none), EINTR);
    CHECK_EQ(g_signals, 1);
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);

    // epoll_pwait2: a timespec timeout.
    struct timespec ts = { 0, 1000000 };
    CHECK_EQ(syscall(SYS_epoll_pwait2, outer, out, 2, &ts, NULL, 8), 0);
    ts.tv_nsec = -1;
    CHECK_ERR(syscall(SYS_epoll_pwait2, outer, out, 2, &ts, NULL, 8), EINVAL);
    close(sfd);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    close(e);
    close(inner);
    close(outer);
}

static void *writer(void *arg)
{
    int fd = *(int *)arg;
    write(fd, "t", 1);
    return NULL;
}

static void test_thread(void)
{
    int ep = CHECK_OK(epoll_create1(0));
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(add(ep, p[0], EPOLLIN | EPOLLET, 77));
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, writer, &p[1]), 0);
    struct epoll_event out[2];
    CHECK_EQ(epoll_wait(ep, out, 2, -1), 1);
    CHECK_EQ(out[0].data.u64, 77);
    CHECK_EQ(out[0].events, EPOLLIN);
    pthread_join(t, NULL);
    close(p[0]);
    close(p[1]);
    close(ep);
}

int main(void)
{
    test_ctl_errors();
    test_level_and_edge();
    test_oneshot_and_close();
    test_nested_and_signals();
    test_thread();
    return check_report("epoll");
}
