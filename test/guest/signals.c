// Signal state (no delivery): rt_sigaction and rt_sigprocmask round trips and
// their EINVAL edges, through the raw kernel interface.
#include "check.h"

#include <signal.h>

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

int main(void)
{
    test_sigaction();
    test_sigprocmask();
    return check_report("signals");
}
