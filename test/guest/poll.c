// poll, ppoll, select, pselect6 over pipes, eventfd, signalfd and a regular
// file: readiness, hang-ups, bad descriptors, timeouts, EINTR, the temporary
// signal mask, the time left written back, and a thread that makes a pipe
// readable while the main thread sleeps in poll.
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t g_signals;
static void on_signal(int sig) { (void)sig; g_signals++; }

static short revents_of(int fd, short events)
{
    struct pollfd p = { fd, events, 0 };
    if (poll(&p, 1, 0) < 0) return -1;
    return p.revents;
}

static void test_pipe(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(revents_of(p[0], POLLIN), 0);
    CHECK_EQ(revents_of(p[1], POLLOUT), POLLOUT);
    CHECK_EQ(revents_of(p[1], POLLIN), 0);            // only what was asked
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(revents_of(p[0], POLLIN | POLLRDNORM), POLLIN | POLLRDNORM);
    struct pollfd two[3] = { { p[0], POLLIN, 0 }, { -1, POLLIN, 7 }, { p[1], POLLOUT, 0 } };
    CHECK_EQ(poll(two, 3, 0), 2);
    CHECK_EQ(two[0].revents, POLLIN);
    CHECK_EQ(two[1].revents, 0);                      // negative fd: ignored, revents cleared
    CHECK_EQ(two[2].revents, POLLOUT);
    close(p[1]);
    CHECK_EQ(revents_of(p[0], POLLIN), POLLIN | POLLHUP); // data and no writer
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(revents_of(p[0], POLLIN), POLLHUP);      // POLLHUP is reported unasked
    close(p[0]);

    CHECK_OK(pipe(p));
    close(p[0]);
    CHECK_EQ(revents_of(p[1], POLLOUT), POLLOUT | POLLERR);
    close(p[1]);

    // A full pipe is not writable.
    CHECK_OK(pipe2(p, O_NONBLOCK));
    char buf[4096] = { 0 };
    while (write(p[1], buf, sizeof buf) > 0) {}
    CHECK_EQ(revents_of(p[1], POLLOUT), 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), (long)sizeof buf);
    CHECK_EQ(revents_of(p[1], POLLOUT), POLLOUT);
    close(p[0]);
    close(p[1]);
}

static void test_bad_fds(void)
{
    struct pollfd p[2] = { { 999, POLLIN, 0 }, { 0x7fffffff, 0, 0 } };
    CHECK_EQ(poll(p, 2, 0), 2);
    CHECK_EQ(p[0].revents, POLLNVAL);
    CHECK_EQ(p[1].revents, POLLNVAL);                 // even with no events asked
    struct pollfd *volatile unmapped = (struct pollfd *)16;
    CHECK_ERR(poll(unmapped, 1, 0), EFAULT);
    struct rlimit rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
    CHECK_ERR(poll(p, rl.rlim_cur + 1, 0), EINVAL);
    CHECK_EQ(poll(NULL, 0, 0), 0);
}

static void test_other_files(void)
{
    int e = CHECK_OK(eventfd(0, 0));
    CHECK_EQ(revents_of(e, POLLIN | POLLOUT), POLLOUT);
    uint64_t v = 3;
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(revents_of(e, POLLIN | POLLOUT), POLLIN | POLLOUT);
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(revents_of(e, POLLIN), 0);
    close(e);

    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int sfd = CHECK_OK(signalfd(-1, &s, 0));
    CHECK_EQ(revents_of(sfd, POLLIN), 0);
    raise(SIGUSR2);
    CHECK_EQ(revents_of(sfd, POLLIN), POLLIN);
    struct signalfd_siginfo si;
    CHECK_EQ(read(sfd, &si, sizeof si), (long)sizeof si);
    CHECK_EQ(revents_of(sfd, POLLIN), 0);
    close(sfd);
    sigprocmask(SIG_UNBLOCK, &s, NULL);

    // A file without a poll operation is always ready (DEFAULT_POLLMASK).
    int f = CHECK_OK(open("/proc/self/exe", O_RDONLY));
    CHECK_EQ(revents_of(f, POLLIN | POLLOUT | POLLPRI), POLLIN | POLLOUT);
    close(f);
}

static void test_timeouts_and_signals(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd pf = { p[0], POLLIN, 0 };
    CHECK_EQ(poll(&pf, 1, 5), 0);                      // times out
    CHECK_EQ(pf.revents, 0);

    // ppoll writes the time left back: none after a timeout.
    struct timespec ts = { 0, 2000000 };
    CHECK_EQ(syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8), 0);
    CHECK_EQ(ts.tv_sec, 0);
    CHECK_EQ(ts.tv_nsec, 0);
    ts.tv_nsec = 1000000000;
    CHECK_ERR(ppoll(&pf, 1, &ts, NULL), EINVAL);
    sigset_t none;
    sigemptyset(&none);
    ts.tv_nsec = 0;
    CHECK_ERR(syscall(SYS_ppoll, &pf, 1, &ts, &none, 4), EINVAL);

    // A signal ends an endless poll with EINTR (no SA_RESTART; poll is never restarted anyway).
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    g_signals = 0;
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    CHECK_ERR(poll(&pf, 1, -1), EINTR);
    CHECK_EQ(g_signals, 1);

    // ppoll's mask: SIGUSR1 is blocked, pending, and unblocked only for the wait.
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1, old, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    raise(SIGUSR1);
    g_signals = 0;
    CHECK_ERR(ppoll(&pf, 1, NULL, &none), EINTR);
    CHECK_EQ(g_signals, 1);
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1));                // the old mask is back
    // Ready at once: the mask is put back and the pending signal stays pending.
    CHECK_EQ(write(p[1], "y", 1), 1);
    raise(SIGUSR1);
    sigset_t only_usr2;
    sigfillset(&only_usr2);
    sigdelset(&only_usr2, SIGUSR2);
    g_signals = 0;
    CHECK_EQ(ppoll(&pf, 1, NULL, &only_usr2), 1);
    CHECK_EQ(g_signals, 0);
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);              // delivers it now
    CHECK_EQ(g_signals, 1);
    close(p[0]);
    close(p[1]);
}

static void test_select(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = { 0, 0 };
    CHECK_EQ(select(p[1] + 1, &r, &w, NULL, &tv), 1);
    CHECK(!FD_ISSET(p[0], &r));
    CHECK(FD_ISSET(p[1], &w));
    CHECK_EQ(write(p[1], "z", 1), 1);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &r);                                 // a write end is never readable
    FD_SET(p[1], &w);
    CHECK_EQ(select(p[1] + 1, &r, &w, NULL, NULL), 2);
    CHECK(FD_ISSET(p[0], &r));
    CHECK(!FD_ISSET(p[1], &r));
    CHECK(FD_ISSET(p[1], &w));

    // Descriptors at or past nfds are not looked at.
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_usec = 0;
    CHECK_EQ(select(p[0], &r, NULL, NULL, &tv), 0);
    CHECK(!FD_ISSET(p[0], &r));

    // Timeouts: the time left is written back (none after a timeout).
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 0, tv.tv_usec = 3000;
    CHECK_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 0);
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 0);
    tv.tv_usec = -1;
    CHECK_ERR(select(p[0] + 1, &r, NULL, NULL, &tv), EINVAL);
    CHECK_ERR(select(-1, NULL, NULL, NULL, NULL), EINVAL);
    FD_ZERO(&r);
    FD_SET(50, &r);                                   // not open (and below Linux's smallest table)
    CHECK_ERR(select(51, &r, NULL, NULL, NULL), EBADF);

    // pselect6 with a mask that lets a pending signal in.
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1, none, now;
    sigemptyset(&usr1);
    sigemptyset(&none);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    raise(SIGUSR1);
    g_signals = 0;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_ERR(pselect(p[0] + 1, &r, NULL, NULL, NULL, &none), EINTR);
    CHECK_EQ(g_signals, 1);
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    close(p[0]);
    close(p[1]);
}

static void *writer(void *arg)
{
    int fd = *(int *)arg;
    write(fd, "t", 1);
    return NULL;
}

static void test_thread_wakes_poll(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    pthread_t t;
    struct pollfd pf = { p[0], POLLIN, 0 };
    CHECK_EQ(pthread_create(&t, NULL, writer, &p[1]), 0);
    CHECK_EQ(poll(&pf, 1, -1), 1);
    CHECK_EQ(pf.revents, POLLIN);
    pthread_join(t, NULL);

    // And select, woken by the write end closing.
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_EQ(pthread_create(&t, NULL, writer, &p[1]), 0);
    CHECK_EQ(select(p[0] + 1, &r, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(p[0], &r));
    pthread_join(t, NULL);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    test_pipe();
    test_bad_fds();
    test_other_files();
    test_timeouts_and_signals();
    test_select();
    test_thread_wakes_poll();
    return check_report("poll");
}
