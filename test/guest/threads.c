// Threads: clone through pthread_create/join, per-thread TLS and FPU state,
// preemption, futex (wait/wake/requeue/wake_op/bitset, timeouts), robust
// mutexes whose owner died, 64 threads contending on a mutex, a condvar and a
// barrier with checked results, detached threads, one thread exiting while
// others run, sched_* and priorities, and pthread_exit from main last: the
// report comes from the thread that outlives it.
//
// check.h's counters are not thread-safe: only the main thread (and, at the
// end, the last thread) runs CHECKs; workers record what they saw.
#include "check.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

static long futex(atomic_int *uaddr, int op, int val, const struct timespec *ts, atomic_int *uaddr2, int val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

// ---------------------------------------------------------------- create/join, TLS

static __thread int tls_value = 7;
static __thread char tls_buf[64];

struct basic { int index; pid_t tid; int tls_before; int tls_ok; };

static void *basic_thread(void *arg)
{
    struct basic *b = arg;
    b->tid = (pid_t)syscall(SYS_gettid);
    b->tls_before = tls_value;      // each thread starts from the initial image
    tls_value = 1000 + b->index;
    snprintf(tls_buf, sizeof tls_buf, "thread %d", b->index);
    sched_yield();
    char want[64];
    snprintf(want, sizeof want, "thread %d", b->index);
    b->tls_ok = tls_value == 1000 + b->index && strcmp(tls_buf, want) == 0;
    return (void *)(long)(b->index * 3);
}

static void test_create_join(void)
{
    enum { N = 8 };
    pthread_t th[N];
    struct basic b[N];
    tls_value = 99;
    for (int i = 0; i < N; i++) {
        b[i] = (struct basic){ .index = i };
        CHECK_EQ(pthread_create(&th[i], NULL, basic_thread, &b[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        void *ret;
        CHECK_EQ(pthread_join(th[i], &ret), 0);
        CHECK_EQ((long)ret, i * 3);
        CHECK_EQ(b[i].tls_before, 7);
        CHECK(b[i].tls_ok);
        CHECK(b[i].tid > 0);
        CHECK(b[i].tid != getpid());
        for (int j = 0; j < i; j++) CHECK(b[i].tid != b[j].tid);
    }
    CHECK_EQ(tls_value, 99);
    CHECK_EQ(syscall(SYS_gettid), getpid()); // main is still the leader
}

// ---------------------------------------------------------------- contention: mutex, condvar, barrier

enum { NTHREADS = 64, ROUNDS = 200 };

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;            // guarded by counter_lock
static long unguarded_check;    // changed only with counter_lock held: a torn update shows

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_nonempty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t queue_nonfull = PTHREAD_COND_INITIALIZER;
static long queue[16];
static int queue_head, queue_len;
static long consumed_sum;
static int consumed_count;

static pthread_barrier_t barrier;
static atomic_int phase_arrivals[8];
static atomic_int barrier_errors;

static void *contend_thread(void *arg)
{
    long id = (long)arg;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_mutex_lock(&counter_lock);
        long seen = unguarded_check;
        counter += id + 1;
        if (r % 16 == 0) sched_yield(); // hold the lock across a switch now and then
        unguarded_check = seen + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    // Producer/consumer: even ids produce, odd ids consume the same amount.
    for (int r = 0; r < 20; r++) {
        pthread_mutex_lock(&queue_lock);
        if (id % 2 == 0) {
            while (queue_len == 16) pthread_cond_wait(&queue_nonfull, &queue_lock);
            queue[(queue_head + queue_len) % 16] = id * 100 + r;
            queue_len++;
            pthread_cond_signal(&queue_nonempty);
        } else {
            while (queue_len == 0) pthread_cond_wait(&queue_nonempty, &queue_lock);
            consumed_sum += queue[queue_head];
            consumed_count++;
            queue_head = (queue_head + 1) % 16;
            queue_len--;
            pthread_cond_signal(&queue_nonfull);
        }
        pthread_mutex_unlock(&queue_lock);
    }
    // Barrier phases: nobody may see the next phase before everyone arrived.
    for (int p = 0; p < 8; p++) {
        atomic_fetch_add(&phase_arrivals[p], 1);
        int r = pthread_barrier_wait(&barrier);
        if (r != 0 && r != PTHREAD_BARRIER_SERIAL_THREAD) atomic_fetch_add(&barrier_errors, 1);
        if (atomic_load(&phase_arrivals[p]) != NTHREADS) atomic_fetch_add(&barrier_errors, 1);
    }
    return NULL;
}

static void test_contention(void)
{
    pthread_t th[NTHREADS];
    CHECK_EQ(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
    for (long i = 0; i < NTHREADS; i++) CHECK_EQ(pthread_create(&th[i], NULL, contend_thread, (void *)i), 0);
    for (int i = 0; i < NTHREADS; i++) CHECK_EQ(pthread_join(th[i], NULL), 0);
    long want = 0, want_sum = 0;
    for (long i = 0; i < NTHREADS; i++) want += (i + 1) * ROUNDS;
    for (long i = 0; i < NTHREADS; i += 2)
        for (int r = 0; r < 20; r++) want_sum += i * 100 + r;
    CHECK_EQ(counter, want);
    CHECK_EQ(unguarded_check, (long)NTHREADS * ROUNDS);
    CHECK_EQ(consumed_count, NTHREADS / 2 * 20);
    CHECK_EQ(consumed_sum, want_sum);
    CHECK_EQ(queue_len, 0);
    CHECK_EQ(atomic_load(&barrier_errors), 0);
    for (int p = 0; p < 8; p++) CHECK_EQ(atomic_load(&phase_arrivals[p]), NTHREADS);
    CHECK_EQ(pthread_barrier_destroy(&barrier), 0);
}

// ---------------------------------------------------------------- futex

static atomic_int fword, fword2, fwoken, fready;

static void *futex_waiter(void *arg)
{
    (void)arg;
    atomic_fetch_add(&fready, 1);
    // Waits while the word is 0; the test wakes or requeues it.
    while (atomic_load(&fword) == 0) futex(&fword, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    atomic_fetch_add(&fwoken, 1);
    return NULL;
}

static void *futex_bitset_waiter(void *arg)
{
    (void)arg;
    while (atomic_load(&fword) == 0) futex(&fword, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 1);
    atomic_fetch_add(&fwoken, 1);
    return NULL;
}

// How many threads sleep on w: requeue them all (waking none) to a private
// word, which returns the count, then requeue them back.
static int waiters_on(atomic_int *w)
{
    static atomic_int probe;
    int n = (int)futex(w, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)0x7fffffffL, &probe, atomic_load(w));
    // Put them back where they were.
    if (n > 0) futex(&probe, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(long)n, w, atomic_load(&probe));
    return n;
}

static void wait_for_waiters(atomic_int *w, int n)
{
    while (waiters_on(w) < n) sched_yield();
}

static void test_futex(void)
{
    atomic_int word = 5;
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 6, &ts, NULL, 0), EAGAIN);
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), ETIMEDOUT);
    CHECK_ERR(futex(&word, FUTEX_WAIT, 5, &ts, NULL, 0), ETIMEDOUT);
    // Absolute deadlines already past, on both clocks.
    struct timespec past = { 1, 0 };
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &past, NULL,
                    FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_nsec += 10 * 1000 * 1000;
    if (now.tv_nsec >= 1000000000) { now.tv_sec++; now.tv_nsec -= 1000000000; }
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &now, NULL,
                    FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &ts, NULL, 0), EINVAL);
    struct timespec bad = { 0, 1000000000 };
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0), EINVAL);
    CHECK_ERR(futex((atomic_int *)((char *)&word + 1), FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), EINVAL);
    CHECK_ERR(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0); // nobody waits

    // Four waiters: wake one, requeue two to fword2, wake the rest there.
    enum { W = 4 };
    pthread_t th[W];
    atomic_store(&fword, 0);
    for (int i = 0; i < W; i++) CHECK_EQ(pthread_create(&th[i], NULL, futex_waiter, NULL), 0);
    wait_for_waiters(&fword, W);
    CHECK_ERR(futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2L, &fword2, 1), EAGAIN);
    atomic_store(&fword, 1);
    CHECK_EQ(futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2L, &fword2, 1), 3);
    while (atomic_load(&fwoken) < 1) sched_yield();
    CHECK_EQ(waiters_on(&fword2), 2);
    CHECK_EQ(waiters_on(&fword), 1);
    // WAKE_OP: fword2 += 1 (old 0 == 0 is true), wake 1 on fword and 2 on fword2.
    int op = FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0);
    CHECK_EQ(futex(&fword, FUTEX_WAKE_OP_PRIVATE, 1, (void *)2L, &fword2, op), 3);
    CHECK_EQ(atomic_load(&fword2), 1);
    for (int i = 0; i < W; i++) CHECK_EQ(pthread_join(th[i], NULL), 0);
    CHECK_EQ(atomic_load(&fwoken), W);

    // Bitsets: a waiter on bit 1 is not woken by bit 2.
    atomic_store(&fword, 0);
    atomic_store(&fwoken, 0);
    CHECK_EQ(pthread_create(&th[0], NULL, futex_bitset_waiter, NULL), 0);
    wait_for_waiters(&fword, 1);
    CHECK_EQ(futex(&fword, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 2), 0);
    CHECK_ERR(futex(&fword, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    atomic_store(&fword, 1);
    CHECK_EQ(futex(&fword, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, ~0), 1);
    CHECK_EQ(pthread_join(th[0], NULL), 0);
    CHECK_EQ(atomic_load(&fwoken), 1);
}

// ---------------------------------------------------------------- timed waits in libc

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static sem_t held_taken, release_held;

static void *holder_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&held);
    sem_post(&held_taken);
    sem_wait(&release_held);
    pthread_mutex_unlock(&held);
    return NULL;
}

static struct timespec in_ms(clockid_t clk, int ms)
{
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_nsec += (long)ms * 1000000;
    while (t.tv_nsec >= 1000000000) { t.tv_sec++; t.tv_nsec -= 1000000000; }
    return t;
}

static int later_or_equal(struct timespec a, struct timespec b)
{
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

static void test_timed(void)
{
    pthread_t th;
    sem_init(&held_taken, 0, 0);
    sem_init(&release_held, 0, 0);
    CHECK_EQ(pthread_create(&th, NULL, holder_thread, NULL), 0);
    sem_wait(&held_taken);
    struct timespec dl = in_ms(CLOCK_REALTIME, 20);
    CHECK_EQ(pthread_mutex_timedlock(&held, &dl), ETIMEDOUT);
    struct timespec after;
    clock_gettime(CLOCK_REALTIME, &after);
    CHECK(later_or_equal(after, dl)); // it waited for the deadline, however long that took
    sem_post(&release_held);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(pthread_mutex_lock(&held), 0); // free again
    pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
    dl = in_ms(CLOCK_REALTIME, 10);
    CHECK_EQ(pthread_cond_timedwait(&cv, &held, &dl), ETIMEDOUT);
    CHECK_EQ(pthread_mutex_unlock(&held), 0);
    dl = in_ms(CLOCK_REALTIME, 10);
    CHECK_ERR(sem_timedwait(&held_taken, &dl), ETIMEDOUT);

    struct timespec t0, t1, req = { 0, 5 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(nanosleep(&req, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    t0.tv_nsec += req.tv_nsec;
    if (t0.tv_nsec >= 1000000000) { t0.tv_sec++; t0.tv_nsec -= 1000000000; }
    CHECK(later_or_equal(t1, t0));
}

// ---------------------------------------------------------------- robust mutexes

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; // ends without unlocking: the kernel releases it through the robust list
}

static void test_robust(void)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    CHECK_EQ(pthread_mutex_init(&robust, &a), 0);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, die_holding, NULL), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(pthread_mutex_lock(&robust), EOWNERDEAD);
    CHECK_EQ(pthread_mutex_consistent(&robust), 0);
    CHECK_EQ(pthread_mutex_unlock(&robust), 0);
    CHECK_EQ(pthread_mutex_lock(&robust), 0);
    CHECK_EQ(pthread_mutex_unlock(&robust), 0);
}

// ---------------------------------------------------------------- preemption and FPU state

// Two threads each fill the SSE registers with their own pattern and spin,
// without any system call, until the other has made progress; then they
// check their registers. On one CPU only preemption lets the other run, and
// only a per-thread FPU save keeps the registers intact.
static atomic_int progress[2];
static atomic_int fpu_bad;

static void *fpu_thread(void *arg)
{
    int me = (int)(long)arg, other = 1 - me;
    for (int round = 0; round < 5; round++) {
        double pattern = me * 1000.0 + round, out[4];
        __asm__ volatile("movsd %0, %%xmm7\n\tmovsd %0, %%xmm15" ::"m"(pattern) : "xmm7", "xmm15");
        int seen = atomic_load(&progress[other]);
        atomic_fetch_add(&progress[me], 1);
        while (atomic_load(&progress[other]) == seen && atomic_load(&progress[other]) < 5) {}
        __asm__ volatile("movsd %%xmm7, %0\n\tmovsd %%xmm15, %1" : "=m"(out[0]), "=m"(out[1]));
        if (out[0] != pattern || out[1] != pattern) atomic_fetch_add(&fpu_bad, 1);
    }
    return NULL;
}

static void test_preemption_fpu(void)
{
    pthread_t th[2];
    for (long i = 0; i < 2; i++) CHECK_EQ(pthread_create(&th[i], NULL, fpu_thread, (void *)i), 0);
    for (int i = 0; i < 2; i++) CHECK_EQ(pthread_join(th[i], NULL), 0);
    CHECK_EQ(atomic_load(&fpu_bad), 0);
    CHECK_EQ(atomic_load(&progress[0]), 5);
    CHECK_EQ(atomic_load(&progress[1]), 5);
}

// ---------------------------------------------------------------- detached threads, early exit

static sem_t detached_done;
static atomic_int detached_count;

static void *detached_thread(void *arg)
{
    (void)arg;
    atomic_fetch_add(&detached_count, 1);
    sem_post(&detached_done);
    return NULL;
}

static atomic_int keep_running, runner_loops;

static void *runner(void *arg)
{
    (void)arg;
    while (atomic_load(&keep_running)) {
        atomic_fetch_add(&runner_loops, 1);
        sched_yield();
    }
    return NULL;
}

static void *exits_early(void *arg)
{
    (void)arg;
    pthread_exit((void *)42L);
    return NULL;
}

static void test_detached_and_exit(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sem_init(&detached_done, 0, 0);
    for (int i = 0; i < 10; i++) {
        pthread_t th;
        CHECK_EQ(pthread_create(&th, &attr, detached_thread, NULL), 0);
    }
    for (int i = 0; i < 10; i++) sem_wait(&detached_done);
    CHECK_EQ(atomic_load(&detached_count), 10);

    // One thread exits while another keeps running.
    pthread_t r, e;
    atomic_store(&keep_running, 1);
    CHECK_EQ(pthread_create(&r, NULL, runner, NULL), 0);
    CHECK_EQ(pthread_create(&e, NULL, exits_early, NULL), 0);
    void *ret;
    CHECK_EQ(pthread_join(e, &ret), 0);
    CHECK_EQ((long)ret, 42);
    // /proc/self/status counts the live threads (main and the runner at least).
    FILE *st = fopen("/proc/self/status", "r");
    int nthreads = 0;
    char line[256];
    while (st && fgets(line, sizeof line, st))
        if (sscanf(line, "Threads: %d", &nthreads) == 1) break;
    if (st) fclose(st);
    CHECK(nthreads >= 2);
    int before = atomic_load(&runner_loops);
    while (atomic_load(&runner_loops) < before + 3) sched_yield(); // still alive after the other's exit
    atomic_store(&keep_running, 0);
    CHECK_EQ(pthread_join(r, NULL), 0);
}

// ---------------------------------------------------------------- blocking pipes and eventfd

enum { PIPE_BYTES = 300000 };
static int pipe_fds[2], efd;

static unsigned char pattern_byte(size_t i) { return (unsigned char)(i * 7 + i / 251); }

static void *pipe_writer(void *arg)
{
    (void)arg;
    static unsigned char buf[PIPE_BYTES];
    for (size_t i = 0; i < PIPE_BYTES; i++) buf[i] = pattern_byte(i);
    // Small writes, then one larger than the pipe: it must all arrive.
    size_t at = 0;
    for (int k = 0; k < 20; k++, at += 1000)
        if (write(pipe_fds[1], buf + at, 1000) != 1000) return (void *)1L;
    if (write(pipe_fds[1], buf + at, PIPE_BYTES - at) != (ssize_t)(PIPE_BYTES - at)) return (void *)2L;
    close(pipe_fds[1]);
    uint64_t one = 5;
    if (write(efd, &one, 8) != 8) return (void *)3L;
    return NULL;
}

static void on_alarm(int sig) { (void)sig; }

static atomic_int alarm_ran;
static int restart_pipe[2];

static void on_alarm_restart(int sig)
{
    (void)sig;
    atomic_store(&alarm_ran, 1);
}

static void *write_after_handler(void *arg)
{
    (void)arg;
    while (!atomic_load(&alarm_ran)) sched_yield();
    (void)!write(restart_pipe[1], "r", 1);
    return NULL;
}

static void test_pipes(void)
{
    // A blocked read ends with EINTR when a handler without SA_RESTART runs.
    {
        int p[2];
        CHECK_OK(pipe(p));
        struct sigaction sa = { .sa_handler = on_alarm };
        CHECK_OK(sigaction(SIGALRM, &sa, NULL));
        struct itimerval it = { { 0, 0 }, { 0, 20000 } };
        CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
        char c;
        CHECK_ERR(read(p[0], &c, 1), EINTR);
        close(p[0]);
        close(p[1]);
    }
    // With SA_RESTART the read goes on after the handler and gets the byte
    // another thread writes once the handler has run.
    {
        CHECK_OK(pipe(restart_pipe));
        struct sigaction sa = { .sa_handler = on_alarm_restart, .sa_flags = SA_RESTART };
        CHECK_OK(sigaction(SIGALRM, &sa, NULL));
        sigset_t alrm;
        sigemptyset(&alrm);
        sigaddset(&alrm, SIGALRM);
        pthread_t w;
        pthread_sigmask(SIG_BLOCK, &alrm, NULL); // the writer inherits the block: main takes SIGALRM
        CHECK_EQ(pthread_create(&w, NULL, write_after_handler, NULL), 0);
        pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
        struct itimerval it = { { 0, 0 }, { 0, 20000 } };
        CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
        char c = 0;
        CHECK_EQ(read(restart_pipe[0], &c, 1), 1);
        CHECK_EQ(c, 'r');
        CHECK_EQ(atomic_load(&alarm_ran), 1);
        CHECK_EQ(pthread_join(w, NULL), 0);
        close(restart_pipe[0]);
        close(restart_pipe[1]);
    }

    CHECK_OK(pipe(pipe_fds));
    efd = CHECK_OK(eventfd(0, 0));
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, pipe_writer, NULL), 0);
    static unsigned char got[PIPE_BYTES];
    size_t total = 0;
    for (;;) {
        ssize_t n = read(pipe_fds[0], got + total, total + 7000 <= PIPE_BYTES ? 7000 : PIPE_BYTES - total + 1);
        if (n <= 0) {
            CHECK_EQ(n, 0); // end of file once the writer closed
            break;
        }
        total += (size_t)n;
    }
    CHECK_EQ(total, PIPE_BYTES);
    size_t bad = 0;
    for (size_t i = 0; i < total; i++) bad += got[i] != pattern_byte(i);
    CHECK_EQ(bad, 0);
    uint64_t v = 0;
    CHECK_EQ(read(efd, &v, 8), 8); // waits for the writer's eventfd write if it has not come yet
    CHECK_EQ(v, 5);
    void *ret;
    CHECK_EQ(pthread_join(th, &ret), 0);
    CHECK_EQ((long)ret, 0);
    close(pipe_fds[0]);
    close(efd);
}

// ---------------------------------------------------------------- sched_*, priorities, clone errors

static int nice_seen;

static void *nice_thread(void *arg)
{
    (void)arg;
    int base = getpriority(PRIO_PROCESS, 0);
    if (setpriority(PRIO_PROCESS, 0, base + 3) == 0) nice_seen = getpriority(PRIO_PROCESS, 0) - base;
    return NULL;
}

static void test_sched(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    CHECK(CPU_COUNT(&set) >= 1);
    int cpu = sched_getcpu();
    CHECK(cpu >= 0);
    CHECK(CPU_ISSET(cpu, &set));
    unsigned c = 999, node = 999;
    CHECK_EQ(syscall(SYS_getcpu, &c, &node, NULL), 0);
    CHECK(c < CPU_SETSIZE);
    CHECK_EQ(node, 0);
    CHECK_EQ(sched_setaffinity(0, sizeof set, &set), 0);
    cpu_set_t none;
    CPU_ZERO(&none);
    CHECK_ERR(sched_setaffinity(0, sizeof none, &none), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 3, &set), EINVAL);
    CHECK_EQ(sched_yield(), 0);
    CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
    struct sched_param sp = { .sched_priority = 5 };
    CHECK_EQ(sched_getparam(0, &sp), 0);
    CHECK_EQ(sp.sched_priority, 0);
    CHECK_ERR(sched_getscheduler(-1), EINVAL);
    CHECK_ERR(sched_getparam(0x3fffffff, &sp), ESRCH);
    CHECK_EQ(sched_get_priority_max(SCHED_FIFO), 99);
    CHECK_EQ(sched_get_priority_min(SCHED_RR), 1);
    CHECK_EQ(sched_get_priority_max(SCHED_OTHER), 0);
    CHECK_ERR(sched_get_priority_max(42), EINVAL);
    struct timespec q;
    CHECK_EQ(sched_rr_get_interval(0, &q), 0);

    int base = getpriority(PRIO_PROCESS, 0);
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, nice_thread, NULL), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(nice_seen, 3);                       // nice is per thread...
    CHECK_EQ(getpriority(PRIO_PROCESS, 0), base); // ...so main's is unchanged
    CHECK_ERR(getpriority(42, 0), EINVAL);

    // membarrier: the private barrier needs registering first.
    long mask = syscall(SYS_membarrier, 0 /* QUERY */, 0, 0);
    CHECK_EQ(mask & 0x1fe, 0x1fe); // all but GLOBAL (which nohz_full hosts lack)
    CHECK_ERR(syscall(SYS_membarrier, 8 /* PRIVATE_EXPEDITED */, 0, 0), EPERM);
    CHECK_ERR(syscall(SYS_membarrier, 32 /* PRIVATE_EXPEDITED_SYNC_CORE */, 0, 0), EPERM);
    CHECK_EQ(syscall(SYS_membarrier, 16 /* REGISTER_PRIVATE_EXPEDITED */, 0, 0), 0);
    CHECK_EQ(syscall(SYS_membarrier, 8, 0, 0), 0);
    CHECK_ERR(syscall(SYS_membarrier, 32, 0, 0), EPERM); // registered for the other flavour only
    CHECK_EQ(syscall(SYS_membarrier, 2 /* GLOBAL_EXPEDITED */, 0, 0), 0);
    CHECK_ERR(syscall(SYS_membarrier, 0, 1, 0), EINVAL);  // flags with a command that has none
    CHECK_ERR(syscall(SYS_membarrier, 3, 0, 0), EINVAL);  // not a command
    CHECK_ERR(syscall(SYS_membarrier, -1, 0, 0), EINVAL);

    // clone's flag rules (nothing is created).
    CHECK_ERR(syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0), EINVAL);
}

// ---------------------------------------------------------------- pthread_exit from main

static pthread_t main_thread;

static void *outlive_main(void *arg)
{
    (void)arg;
    // Joining the initial thread: returns once the kernel cleared its tid.
    CHECK_EQ(pthread_join(main_thread, NULL), 0);
    exit(check_report("threads"));
}

int main(void)
{
    test_create_join();
    test_contention();
    test_futex();
    test_timed();
    test_robust();
    test_preemption_fpu();
    test_detached_and_exit();
    test_pipes();
    test_sched();

    main_thread = pthread_self();
    pthread_t last;
    CHECK_EQ(pthread_create(&last, NULL, outlive_main, NULL), 0);
    pthread_exit(NULL);
}
