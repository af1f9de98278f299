// Signal state, sending and waiting: rt_sigaction and rt_sigprocmask round
// trips and their EINVAL edges (through the raw kernel interface), kill/tgkill
// edges, rt_sigqueueinfo, rt_sigpending, rt_sigsuspend and pause woken by an
// interval timer, rt_sigtimedwait, signalfd, setitimer/getitimer/alarm,
// SIGALRM delivered while the program computes, ITIMER_PROF and ITIMER_VIRTUAL,
// EINTR or a restart (SA_RESTART) for a pipe read, nanosleep's EINTR, SIGPIPE.
// (sigframe.c covers delivery.)
#include "check.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

// The kernel's struct sigaction on x86-64 (not libc's, which is larger).
struct ksigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};

#define SA_RESTORER_ 0x04000000UL
#define BIT(sig) (1UL << ((sig) - 1))

static void handler_a(int sig) { (void)sig; }
static void restorer_a(void) {}

static long sigaction_raw(long sig, const struct ksigaction *act, struct ksigaction *old, long size)
{
    return syscall(SYS_rt_sigaction, sig, act, old, size);
}

static long sigprocmask_raw(long how, const unsigned long *set, unsigned long *old, long size)
{
    return syscall(SYS_rt_sigprocmask, how, set, old, size);
}

static void test_sigaction(void)
{
    struct ksigaction act = {handler_a, SA_SIGINFO | SA_RESTART | SA_RESTORER_, restorer_a,
                             BIT(SIGUSR2) | BIT(SIGTERM) | BIT(SIGKILL) | BIT(SIGSTOP)};
    struct ksigaction old, got;
    memset(&old, 0x5a, sizeof old);
    CHECK_EQ(sigaction_raw(SIGUSR1, &act, &old, 8), 0);
    CHECK(old.handler == SIG_DFL);                    // the initial disposition
    CHECK_EQ(old.mask, 0);
    memset(&got, 0x5a, sizeof got);
    CHECK_EQ(sigaction_raw(SIGUSR1, NULL, &got, 8), 0);
    CHECK(got.handler == handler_a);
    CHECK_EQ(got.flags, act.flags);
    CHECK(got.restorer == restorer_a);
    CHECK_EQ(got.mask, BIT(SIGUSR2) | BIT(SIGTERM));  // SIGKILL and SIGSTOP cannot be blocked

    // Setting returns the previous action.
    struct ksigaction ign = {SIG_IGN, SA_RESTORER_, restorer_a, 0};
    CHECK_EQ(sigaction_raw(SIGUSR1, &ign, &old, 8), 0);
    CHECK(old.handler == handler_a);
    CHECK_EQ(old.mask, BIT(SIGUSR2) | BIT(SIGTERM));
    CHECK_EQ(sigaction_raw(SIGUSR1, NULL, &got, 8), 0);
    CHECK(got.handler == SIG_IGN);

    // Real-time signals up to 64 are valid; other signals are independent.
    CHECK_EQ(sigaction_raw(64, &act, NULL, 8), 0);
    CHECK_EQ(sigaction_raw(64, NULL, &got, 8), 0);
    CHECK(got.handler == handler_a);
    CHECK_EQ(sigaction_raw(SIGUSR2, NULL, &got, 8), 0);
    CHECK(got.handler == SIG_DFL);
    CHECK_EQ(sigaction_raw(SIGUSR2, NULL, NULL, 8), 0);

    // SIGKILL and SIGSTOP may be read but not changed.
    CHECK_EQ(sigaction_raw(SIGKILL, NULL, &got, 8), 0);
    CHECK(got.handler == SIG_DFL);
    CHECK_ERR(sigaction_raw(SIGKILL, &act, NULL, 8), EINVAL);
    CHECK_ERR(sigaction_raw(SIGSTOP, &act, NULL, 8), EINVAL);
    CHECK_ERR(sigaction_raw(SIGKILL, &ign, NULL, 8), EINVAL);
    CHECK_ERR(sigaction_raw(0, &act, NULL, 8), EINVAL);
    CHECK_ERR(sigaction_raw(65, &act, NULL, 8), EINVAL);
    CHECK_ERR(sigaction_raw(-1, NULL, &got, 8), EINVAL);
    CHECK_ERR(sigaction_raw(SIGUSR1, &act, NULL, 4), EINVAL);   // bad sigsetsize
    CHECK_ERR(sigaction_raw(SIGUSR1, &act, NULL, 16), EINVAL);
    CHECK_EQ(sigaction_raw(SIGUSR1, NULL, &got, 8), 0);
    CHECK(got.handler == SIG_IGN);                    // failed calls changed nothing
    CHECK_ERR(sigaction_raw(SIGUSR1, (void *)1, NULL, 8), EFAULT);
    CHECK_ERR(sigaction_raw(SIGUSR1, NULL, (void *)1, 8), EFAULT);

    // libc's sigaction agrees with the kernel's view.
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler_a;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGHUP);
    CHECK_EQ(sigaction(SIGALRM, &sa, NULL), 0);
    CHECK_EQ(sigaction_raw(SIGALRM, NULL, &got, 8), 0);
    CHECK(got.handler == handler_a);
    CHECK_EQ(got.mask, BIT(SIGHUP));
    CHECK(got.flags & SA_RESTORER_);                  // libc installs its own restorer
}

static void test_sigprocmask(void)
{
    unsigned long set, old = 0x5a5a, cur;
    CHECK_EQ(sigprocmask_raw(SIG_SETMASK, NULL, &old, 8), 0);
    CHECK_EQ(old, 0);                                 // nothing blocked at start

    set = BIT(SIGUSR1) | BIT(SIGINT);
    CHECK_EQ(sigprocmask_raw(SIG_BLOCK, &set, &old, 8), 0);
    CHECK_EQ(old, 0);
    set = BIT(SIGUSR2);
    CHECK_EQ(sigprocmask_raw(SIG_BLOCK, &set, &old, 8), 0);
    CHECK_EQ(old, BIT(SIGUSR1) | BIT(SIGINT));
    CHECK_EQ(sigprocmask_raw(SIG_BLOCK, NULL, &cur, 8), 0);        // NULL set: a query
    CHECK_EQ(cur, BIT(SIGUSR1) | BIT(SIGINT) | BIT(SIGUSR2));

    set = BIT(SIGINT);
    CHECK_EQ(sigprocmask_raw(SIG_UNBLOCK, &set, NULL, 8), 0);
    CHECK_EQ(sigprocmask_raw(SIG_SETMASK, NULL, &cur, 8), 0);
    CHECK_EQ(cur, BIT(SIGUSR1) | BIT(SIGUSR2));

    set = BIT(SIGTERM) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(40);
    CHECK_EQ(sigprocmask_raw(SIG_SETMASK, &set, &old, 8), 0);
    CHECK_EQ(old, BIT(SIGUSR1) | BIT(SIGUSR2));
    CHECK_EQ(sigprocmask_raw(SIG_SETMASK, NULL, &cur, 8), 0);
    CHECK_EQ(cur, BIT(SIGTERM) | BIT(40));            // SIGKILL and SIGSTOP are silently dropped

    CHECK_ERR(sigprocmask_raw(99, &set, NULL, 8), EINVAL);
    CHECK_ERR(sigprocmask_raw(SIG_BLOCK, &set, NULL, 4), EINVAL);
    CHECK_ERR(sigprocmask_raw(SIG_BLOCK, &set, NULL, 16), EINVAL);
    CHECK_ERR(sigprocmask_raw(SIG_BLOCK, (void *)1, NULL, 8), EFAULT);
    CHECK_EQ(sigprocmask_raw(SIG_SETMASK, NULL, &cur, 8), 0);
    CHECK_EQ(cur, BIT(SIGTERM) | BIT(40));            // failed calls changed nothing

    set = 0;
    CHECK_EQ(sigprocmask_raw(SIG_SETMASK, &set, NULL, 8), 0);
    sigset_t ls;
    CHECK_EQ(sigprocmask(SIG_BLOCK, NULL, &ls), 0);
    CHECK_EQ(sigismember(&ls, SIGTERM), 0);
}

static volatile int g_alarms;
static volatile int g_alarm_code;
static void on_alarm(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    g_alarms++;
    g_alarm_code = si->si_code;
}

static void set_alarm_handler(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alarm;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
}

static void arm(long usec, long interval_usec)
{
    struct itimerval it = {{interval_usec / 1000000, interval_usec % 1000000}, {usec / 1000000, usec % 1000000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void test_sending(void)
{
    CHECK_ERR(kill(getpid(), 65), EINVAL);
    CHECK_ERR(kill(getpid(), -1), EINVAL);
    CHECK_EQ(kill(getpid(), 0), 0);
    CHECK_EQ(kill(0, 0), 0);
    CHECK_ERR(kill(0x3fffffff, 0), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), 0x3fffffff, 0), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, 0, getpid(), 0), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), getpid(), 99), EINVAL);
    CHECK_EQ(syscall(SYS_tgkill, getpid(), getpid(), 0), 0);
    CHECK_ERR(syscall(SYS_tkill, -5, 0), EINVAL);

    // Pending while blocked; rt_sigpending reports only blocked ones.
    sigset_t s, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 77;
    CHECK_EQ(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 2, &si), 0);
    si.si_value.sival_int = 78;
    CHECK_EQ(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 2, &si), 0);
    CHECK_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 2, (void *)8), EFAULT);
    si.si_code = SI_USER; // may not pretend to be kill() to another process
    CHECK_ERR(syscall(SYS_rt_sigqueueinfo, 1, SIGUSR1, &si), EPERM);
    kill(getpid(), SIGUSR1);
    CHECK_EQ(sigpending(&pend), 0);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
    CHECK_EQ(sigismember(&pend, SIGRTMIN + 2), 1);
    CHECK_EQ(sigismember(&pend, SIGUSR2), 0);

    // rt_sigtimedwait takes them: the lowest number first, queued ones in order.
    struct timespec zero = {0, 0};
    siginfo_t got;
    CHECK_EQ(sigtimedwait(&s, &got, &zero), SIGUSR1);
    CHECK_EQ(got.si_code, SI_USER);
    CHECK_EQ(got.si_pid, getpid());
    CHECK_EQ(sigtimedwait(&s, &got, &zero), SIGRTMIN + 2);
    CHECK_EQ(got.si_code, SI_QUEUE);
    CHECK_EQ(got.si_value.sival_int, 77);
    CHECK_EQ(sigwaitinfo(&s, &got), SIGRTMIN + 2);
    CHECK_EQ(got.si_value.sival_int, 78);
    CHECK_ERR(sigtimedwait(&s, &got, &zero), EAGAIN);
    struct timespec short_wait = {0, 20 * 1000 * 1000};
    CHECK_ERR(sigtimedwait(&s, &got, &short_wait), EAGAIN);   // times out
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(sigtimedwait(&s, &got, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &s, &got, &zero, 4), EINVAL);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static void test_timers(void)
{
    struct itimerval it, old;
    CHECK_EQ(getitimer(ITIMER_REAL, &it), 0);
    CHECK_EQ(it.it_value.tv_sec + it.it_value.tv_usec, 0);
    CHECK_ERR(getitimer(7, &it), EINVAL);
    CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);

    // Armed far away: getitimer counts down from it; alarm() reports and replaces it.
    struct itimerval far = {{3, 0}, {10, 0}};
    CHECK_EQ(setitimer(ITIMER_REAL, &far, &old), 0);
    CHECK_EQ(old.it_value.tv_sec + old.it_value.tv_usec, 0);
    CHECK_EQ(getitimer(ITIMER_REAL, &it), 0);
    CHECK(it.it_value.tv_sec >= 9 && it.it_value.tv_sec <= 10);
    CHECK_EQ(it.it_interval.tv_sec, 3);
    CHECK_EQ(alarm(20), 10);
    CHECK_EQ(alarm(0), 20);
    CHECK_EQ(getitimer(ITIMER_REAL, &it), 0);
    CHECK_EQ(it.it_value.tv_sec + it.it_value.tv_usec, 0);

    // pause() and rt_sigsuspend() end when the timer's SIGALRM is handled.
    set_alarm_handler(0);
    g_alarms = 0;
    arm(20000, 0);
    CHECK_ERR(pause(), EINTR);
    CHECK_EQ(g_alarms, 1);
    CHECK_EQ(g_alarm_code, SI_KERNEL);

    sigset_t alrm, empty, cur;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    arm(20000, 0);
    CHECK_ERR(sigsuspend(&empty), EINTR);
    CHECK_EQ(g_alarms, 2);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK_EQ(sigismember(&cur, SIGALRM), 1);          // the mask is back

    // Periodic: five deliveries, then disarmed.
    g_alarms = 0;
    arm(10000, 10000);
    while (g_alarms < 5)
        sigsuspend(&empty);
    arm(0, 0);
    CHECK_EQ(g_alarms, 5);
    CHECK_EQ(getitimer(ITIMER_REAL, &it), 0);
    CHECK_EQ(it.it_value.tv_sec + it.it_value.tv_usec + it.it_interval.tv_usec, 0);

    // rt_sigtimedwait picks up the timer's signal while it stays blocked.
    siginfo_t got;
    arm(20000, 0);
    CHECK_EQ(sigwaitinfo(&alrm, &got), SIGALRM);
    CHECK_EQ(got.si_code, SI_KERNEL);
    CHECK_EQ(g_alarms, 5);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);

    // The same with SIGALRM's default action (which would end the program
    // were it not blocked): the timer strikes while the CPU idles.
    signal(SIGALRM, SIG_DFL);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    arm(20000, 0);
    CHECK_EQ(sigwaitinfo(&alrm, &got), SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);
    set_alarm_handler(0);

    // A handled signal ends rt_sigtimedwait for others with EINTR.
    sigset_t usr;
    sigemptyset(&usr);
    sigaddset(&usr, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr, NULL);
    arm(20000, 0);
    struct timespec long_wait = {30, 0};
    CHECK_ERR(sigtimedwait(&usr, &got, &long_wait), EINTR);
    CHECK_EQ(g_alarms, 6);
    sigprocmask(SIG_UNBLOCK, &usr, NULL);

    // nanosleep interrupted by a handled signal: EINTR and the time left.
    g_alarms = 0;
    arm(20000, 0);
    struct timespec req = {10, 0}, rem = {0, 0};
    CHECK_ERR(nanosleep(&req, &rem), EINTR);
    CHECK_EQ(g_alarms, 1);
    CHECK(rem.tv_sec >= 8 && rem.tv_sec <= 9);

    // Delivered while the program computes (from the timer interrupt).
    g_alarms = 0;
    arm(20000, 0);
    while (!g_alarms) {}
    CHECK_EQ(g_alarms, 1);
    signal(SIGALRM, SIG_DFL);
}

// A read from an empty pipe interrupted by a handled signal: EINTR without
// SA_RESTART; restarted with it, until the second SIGALRM's handler writes.
static int g_pipe[2];
static volatile int g_restart_alarms;
static void on_alarm_write(int sig)
{
    (void)sig;
    if (++g_restart_alarms == 2) {
        char c = 'x';
        if (write(g_pipe[1], &c, 1) != 1) abort();
    }
}

static void test_restart(void)
{
    CHECK_EQ(pipe(g_pipe), 0);
    char c = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm_write;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    g_restart_alarms = 0;
    arm(20000, 0);
    CHECK_ERR(read(g_pipe[0], &c, 1), EINTR);
    CHECK_EQ(g_restart_alarms, 1);

    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    g_restart_alarms = 0;
    arm(10000, 10000);
    CHECK_EQ(read(g_pipe[0], &c, 1), 1);
    arm(0, 0);
    CHECK_EQ(c, 'x');
    CHECK_EQ(g_restart_alarms, 2);
    close(g_pipe[0]);
    close(g_pipe[1]);
    signal(SIGALRM, SIG_DFL);
}

// Writing to a pipe nobody reads: EPIPE, and SIGPIPE to the writer.
static volatile int g_sigpipes, g_sigpipe_code, g_sigpipe_pid;
static void on_sigpipe(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    g_sigpipes++;
    g_sigpipe_code = si->si_code;
    g_sigpipe_pid = si->si_pid;
}

static void test_sigpipe(void)
{
    int p[2];
    CHECK_EQ(pipe(p), 0);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigpipe;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    g_sigpipes = 0;
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_EQ(g_sigpipes, 1);
    CHECK_EQ(g_sigpipe_code, SI_USER);
    CHECK_EQ(g_sigpipe_pid, getpid());
    struct iovec iov = {"yz", 2};
    CHECK_ERR(writev(p[1], &iov, 1), EPIPE);
    CHECK_EQ(g_sigpipes, 2);
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
}

static volatile int g_prof, g_virt;
static void on_cpu_timer(int sig)
{
    if (sig == SIGPROF) g_prof++;
    else g_virt++;
}

// CPU-time timers: they fire while the program computes.
static void test_cpu_timers(void)
{
    struct itimerval it = {{0, 0}, {10, 0}}, got;
    CHECK_EQ(setitimer(ITIMER_PROF, &it, NULL), 0);
    CHECK_EQ(getitimer(ITIMER_PROF, &got), 0);
    CHECK(got.it_value.tv_sec >= 9 && got.it_value.tv_sec <= 10);
    it.it_value.tv_sec = 0;
    CHECK_EQ(setitimer(ITIMER_PROF, &it, &got), 0);
    CHECK(got.it_value.tv_sec >= 9);
    CHECK_EQ(getitimer(ITIMER_PROF, &got), 0);
    CHECK_EQ(got.it_value.tv_sec + got.it_value.tv_usec, 0);

    signal(SIGPROF, on_cpu_timer);
    signal(SIGVTALRM, on_cpu_timer);
    g_prof = g_virt = 0;
    struct itimerval prof = {{0, 5000}, {0, 5000}};
    CHECK_EQ(setitimer(ITIMER_PROF, &prof, NULL), 0);
    while (g_prof < 3) {}
    prof.it_value.tv_usec = 0;
    setitimer(ITIMER_PROF, &prof, NULL);
    CHECK(g_prof >= 3);
    struct itimerval virt = {{0, 0}, {0, 10000}};
    CHECK_EQ(setitimer(ITIMER_VIRTUAL, &virt, NULL), 0);
    while (!g_virt) {}
    CHECK_EQ(g_virt, 1);
    CHECK_EQ(getitimer(ITIMER_VIRTUAL, &got), 0);
    CHECK_EQ(got.it_value.tv_sec + got.it_value.tv_usec, 0);   // a one-shot is spent
    signal(SIGPROF, SIG_DFL);
    signal(SIGVTALRM, SIG_DFL);
}

static void test_signalfd(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK(fd >= 0);
    struct signalfd_siginfo ssi[2];
    CHECK_ERR(read(fd, ssi, sizeof ssi), EAGAIN);
    CHECK_ERR(read(fd, ssi, 100), EINVAL);
    kill(getpid(), SIGUSR2);
    struct pollfd p = {fd, POLLIN, 0};
    (void)p;
    CHECK_EQ(read(fd, ssi, sizeof ssi), sizeof ssi[0]);
    CHECK_EQ(ssi[0].ssi_signo, SIGUSR2);
    CHECK_EQ(ssi[0].ssi_code, SI_USER);
    CHECK_EQ(ssi[0].ssi_pid, (unsigned)getpid());
    sigset_t pend;
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR2), 0);          // taken by the read

    // A queued value comes through; the mask can be changed on the same fd.
    sigaddset(&s, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &s, NULL);
    CHECK_EQ(signalfd(fd, &s, 0), fd);
    union sigval v = {.sival_int = 31337};
    sigqueue(getpid(), SIGRTMIN + 3, v);
    kill(getpid(), SIGUSR2);
    CHECK_EQ(read(fd, ssi, sizeof ssi), 2 * sizeof ssi[0]);
    CHECK_EQ(ssi[0].ssi_signo, SIGUSR2);
    CHECK_EQ(ssi[1].ssi_signo, SIGRTMIN + 3);
    CHECK_EQ(ssi[1].ssi_code, SI_QUEUE);
    CHECK_EQ(ssi[1].ssi_int, 31337);
    CHECK_ERR(signalfd(0, &s, 0), EINVAL);              // not a signalfd
    CHECK_ERR(signalfd(-1, &s, 0x40), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, -1, &s, 4, 0), EINVAL);

    // A blocking read waits for the signal (here the interval timer's).
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    int afd = signalfd(-1, &alrm, 0);
    arm(20000, 0);
    CHECK_EQ(read(afd, ssi, sizeof ssi), sizeof ssi[0]);
    CHECK_EQ(ssi[0].ssi_signo, SIGALRM);
    CHECK_EQ(ssi[0].ssi_code, SI_KERNEL);
    close(afd);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);

    // Blocking read with a signal already pending returns at once.
    int bfd = signalfd(-1, &s, 0);
    kill(getpid(), SIGUSR2);
    CHECK_EQ(read(bfd, ssi, sizeof ssi[0]), sizeof ssi[0]);
    CHECK_EQ(ssi[0].ssi_signo, SIGUSR2);
    close(bfd);
    close(fd);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int main(void)
{
    test_sigaction();
    test_sigprocmask();
    test_sending();
    test_timers();
    test_cpu_timers();
    test_restart();
    test_sigpipe();
    test_signalfd();
    return check_report("signals");
}
