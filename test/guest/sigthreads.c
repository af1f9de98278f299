// Signals and threads: pthread_kill reaches the thread it names (woken from
// sigsuspend), a process-directed signal goes to a thread that does not block
// it (the main thread first when it takes it), sigwait in one thread takes a
// signal another sends, masks and alternate stacks are per thread.
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/time.h>

static _Atomic int g_handled_tid, g_handled_count;
static _Atomic int g_ready;

static void on_usr(int sig)
{
    (void)sig;
    g_handled_tid = gettid();
    g_handled_count++;
}

static void *suspender(void *arg)
{
    (void)arg;
    sigset_t empty;
    sigemptyset(&empty);
    g_ready = gettid();
    while (g_handled_count == 0)
        sigsuspend(&empty);                 // SIGUSR1 is blocked here otherwise
    return (void *)(long)gettid();
}

static void test_pthread_kill(void)
{
    signal(SIGUSR1, on_usr);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);   // inherited by the thread
    g_ready = 0;
    g_handled_count = 0;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, suspender, NULL), 0);
    while (!g_ready) sched_yield();
    int tid = g_ready;
    CHECK_EQ(pthread_kill(t, SIGUSR1), 0);
    void *ret;
    pthread_join(t, &ret);
    CHECK_EQ(g_handled_count, 1);
    CHECK_EQ(g_handled_tid, tid);           // ran in the thread it was sent to
    CHECK_EQ((long)ret, tid);
    sigset_t pend;
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    signal(SIGUSR1, SIG_DFL);
}


static void *unblocked_worker(void *arg)
{
    (void)arg;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    g_ready = gettid();
    sigset_t empty;
    sigemptyset(&empty);
    while (!g_handled_count) sigsuspend(&empty);
    return NULL;
}

static void test_process_directed(void)
{
    signal(SIGUSR2, on_usr);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);   // the main thread will not take it
    g_ready = 0;
    g_handled_count = 0;
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, unblocked_worker, NULL), 0);
    while (!g_ready) sched_yield();
    int tid = g_ready;
    CHECK_EQ(kill(getpid(), SIGUSR2), 0);
    pthread_join(t, NULL);
    CHECK_EQ(g_handled_count, 1);
    CHECK_EQ(g_handled_tid, tid);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    signal(SIGUSR2, SIG_DFL);
}

static pthread_mutex_t g_idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_idle_cond = PTHREAD_COND_INITIALIZER;
static int g_idle_stop, g_idle_waiting;

static void *idle_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_idle_lock);
    g_idle_waiting++;
    while (!g_idle_stop)
        pthread_cond_wait(&g_idle_cond, &g_idle_lock);
    pthread_mutex_unlock(&g_idle_lock);
    return NULL;
}

static void *kill_process(void *arg)
{
    (void)arg;
    struct timespec d = { 0, 20 * 1000 * 1000 };
    nanosleep(&d, NULL);
    kill(getpid(), SIGUSR1); // the sender does not take it: it was not chosen
    return NULL;
}

// A process-directed signal goes to the main thread when it does not block
// it (Linux's complete_signal tries the thread the pid names first), even
// while other threads that do not block it either sleep in futex waits: the
// main thread's sleep ends with EINTR and the handler runs there. Python
// relies on this for signal.alarm with threads alive.
static void test_main_thread_first(void)
{
    signal(SIGALRM, on_usr);
    signal(SIGUSR1, on_usr);
    pthread_t idle[3];
    for (int i = 0; i < 3; i++)
        CHECK_EQ(pthread_create(&idle[i], NULL, idle_waiter, NULL), 0);
    for (;;) {
        pthread_mutex_lock(&g_idle_lock);
        int n = g_idle_waiting;
        pthread_mutex_unlock(&g_idle_lock);
        if (n == 3)
            break;
        sched_yield();
    }
    struct timespec ten_s = { 10, 0 };
    for (int round = 0; round < 2; round++) {
        check_context = round == 0 ? "ITIMER_REAL" : "kill from another thread";
        g_handled_tid = 0;
        g_handled_count = 0;
        pthread_t killer;
        if (round == 0) {
            struct itimerval it = { { 0, 0 }, { 0, 30 * 1000 } };
            CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
        } else {
            CHECK_EQ(pthread_create(&killer, NULL, kill_process, NULL), 0);
        }
        CHECK_ERR(nanosleep(&ten_s, NULL), EINTR);
        CHECK_EQ(g_handled_count, 1);
        CHECK_EQ(g_handled_tid, gettid());
        if (round == 1)
            pthread_join(killer, NULL);
    }
    check_context = NULL;
    pthread_mutex_lock(&g_idle_lock);
    g_idle_stop = 1;
    pthread_cond_broadcast(&g_idle_cond);
    pthread_mutex_unlock(&g_idle_lock);
    for (int i = 0; i < 3; i++)
        pthread_join(idle[i], NULL);
    signal(SIGALRM, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

static pthread_t g_main;
static void *sender(void *arg)
{
    (void)arg;
    union sigval v = {.sival_int = 99};
    pthread_sigqueue(g_main, SIGRTMIN + 4, v);
    return NULL;
}

static void test_sigwait_across_threads(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN + 4);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    g_main = pthread_self();
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, sender, NULL), 0);
    siginfo_t si;
    CHECK_EQ(sigwaitinfo(&s, &si), SIGRTMIN + 4);
    CHECK_EQ(si.si_code, SI_QUEUE);
    CHECK_EQ(si.si_value.sival_int, 99);
    CHECK_EQ(si.si_pid, getpid());
    pthread_join(t, NULL);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

static void *mask_reader(void *arg)
{
    (void)arg;
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    stack_t ss;
    sigaltstack(NULL, &ss);
    long r = (sigismember(&cur, SIGHUP) ? 1 : 0) | (sigismember(&cur, SIGINT) ? 2 : 0) |
             ((ss.ss_flags & SS_DISABLE) ? 4 : 0);
    // Changing our mask leaves the creator's alone.
    sigset_t more;
    sigemptyset(&more);
    sigaddset(&more, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &more, NULL);
    return (void *)r;
}

static char g_alt[65536];

static void test_per_thread_state(void)
{
    sigset_t s, cur;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    stack_t ss = {.ss_sp = g_alt, .ss_size = sizeof g_alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    pthread_t t;
    void *r;
    CHECK_EQ(pthread_create(&t, NULL, mask_reader, NULL), 0);
    pthread_join(t, &r);
    CHECK_EQ((long)r, 1 | 4);          // the mask is inherited, the alternate stack is not
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    CHECK_EQ(sigismember(&cur, SIGQUIT), 0);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
}

int main(void)
{
    test_pthread_kill();
    test_process_directed();
    test_sigwait_across_threads();
    test_main_thread_first();
    test_per_thread_state();
    return check_report("sigthreads");
}
