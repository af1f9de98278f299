// Signal delivery: handlers with SA_SIGINFO, the frame (ucontext, siginfo,
// the XSAVE area and its magics), faults turned into signals with their
// si_code and si_addr, handlers that repair the fault and return, the
// alternate stack, SA_RESETHAND, SA_NODEFER, masks during a handler, pending
// signals delivered on unblock, and FPU/SSE state kept across a handler.
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

#define BIT(sig) (1UL << ((sig) - 1))
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static volatile int g_count;
static volatile int g_signo, g_code, g_pid, g_uid, g_value;
static void *volatile g_addr;
static volatile uintptr_t g_resume; // where a handler sends a faulting program
static volatile unsigned long g_mask_in_handler;

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags, unsigned long mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < 64; s++)
        if (mask & BIT(s)) sigaddset(&sa.sa_mask, s);
    if (sigaction(sig, &sa, NULL) != 0) abort();
}

static unsigned long current_mask(void)
{
    unsigned long m = 0;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    return m;
}

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    g_count++;
    g_signo = si->si_signo;
    g_code = si->si_code;
    g_pid = si->si_pid;
    g_uid = si->si_uid;
    g_value = si->si_value.sival_int;
    g_addr = si->si_addr;
    g_mask_in_handler = current_mask();
    (void)sig;
}

static void test_siginfo(void)
{
    set_handler(SIGUSR1, record, 0, 0);
    g_count = 0;
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK_EQ(g_count, 1);                      // delivered before kill returned
    CHECK_EQ(g_signo, SIGUSR1);
    CHECK_EQ(g_code, SI_USER);
    CHECK_EQ(g_pid, getpid());
    CHECK_EQ(g_uid, getuid());
    CHECK_EQ(g_mask_in_handler & BIT(SIGUSR1), BIT(SIGUSR1)); // blocked while it runs
    CHECK_EQ(current_mask() & BIT(SIGUSR1), 0);                // and unblocked after

    CHECK_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1), 0);
    CHECK_EQ(g_count, 2);
    CHECK_EQ(g_code, SI_TKILL);
    CHECK_EQ(g_pid, getpid());

    union sigval v = {.sival_int = 4242};
    CHECK_EQ(sigqueue(getpid(), SIGUSR1, v), 0);
    CHECK_EQ(g_count, 3);
    CHECK_EQ(g_code, SI_QUEUE);
    CHECK_EQ(g_value, 4242);

    // A real-time signal queued three times while blocked arrives three times.
    set_handler(SIGRTMIN + 1, record, 0, 0);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    g_count = 0;
    for (int i = 0; i < 3; i++) {
        v.sival_int = 10 + i;
        CHECK_EQ(sigqueue(getpid(), SIGRTMIN + 1, v), 0);
    }
    CHECK_EQ(g_count, 0);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    CHECK_EQ(g_count, 3);
    CHECK_EQ(g_value, 12); // the last delivered (the first handler runs last: nested frames)
    signal(SIGRTMIN + 1, SIG_DFL);
}

// ---- faults ------------------------------------------------------------------------

static char *g_page;

static void fix_by_mprotect(int sig, siginfo_t *si, void *uc)
{
    record(sig, si, uc);
    mprotect(g_page, 4096, PROT_READ | PROT_WRITE);
}

static void skip_to_resume(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    record(sig, si, ucv);
    uc->uc_mcontext.gregs[REG_RIP] = (greg_t)g_resume;
}

static void test_segv_mprotect(void)
{
    g_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(g_page != MAP_FAILED);
    set_handler(SIGSEGV, fix_by_mprotect, 0, 0);
    g_count = 0;
    ((volatile char *)g_page)[100] = 7;         // faults once, then completes
    CHECK_EQ(g_count, 1);
    CHECK_EQ(g_signo, SIGSEGV);
    CHECK_EQ(g_code, SEGV_ACCERR);
    CHECK(g_addr == g_page + 100);
    CHECK_EQ(g_page[100], 7);
    munmap(g_page, 4096);
}

static void test_segv_skip(void)
{
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p + 4096, 4096);
    set_handler(SIGSEGV, skip_to_resume, 0, 0);
    g_count = 0;
    long out = 5;
    char *target = p + 4096 + 8;
    asm volatile("lea 1f(%%rip), %%rax\n\t"
                 "mov %%rax, %[resume]\n\t"
                 "movq $99, %[out]\n\t"
                 "movq (%[t]), %%rcx\n\t"          // faults: unmapped
                 "movq %%rcx, %[out]\n\t"          // skipped by the handler
                 "1:\n\t"
                 : [resume] "=m"(g_resume), [out] "+m"(out)
                 : [t] "r"(target)
                 : "rax", "rcx", "memory");
    CHECK_EQ(g_count, 1);
    CHECK_EQ(g_code, SEGV_MAPERR);
    CHECK(g_addr == target);
    CHECK_EQ(out, 99);
    munmap(p, 4096);
    signal(SIGSEGV, SIG_DFL);
}

static void test_fpe_ill_trap(void)
{
    uintptr_t at;
    set_handler(SIGFPE, skip_to_resume, 0, 0);
    g_count = 0;
    asm volatile("lea 1f(%%rip), %%rax\n\t"
                 "mov %%rax, %[resume]\n\t"
                 "lea 2f(%%rip), %[at]\n\t"
                 "xor %%ecx, %%ecx\n\t"
                 "mov $1, %%eax\n\t"
                 "cltd\n\t"
                 "2: idivl %%ecx\n\t"
                 "1:\n\t"
                 : [resume] "=m"(g_resume), [at] "=&r"(at)
                 :
                 : "rax", "rcx", "rdx", "memory");
    CHECK_EQ(g_count, 1);
    CHECK_EQ(g_signo, SIGFPE);
    CHECK_EQ(g_code, FPE_INTDIV);
    CHECK(g_addr == (void *)at);

    set_handler(SIGILL, skip_to_resume, 0, 0);
    g_count = 0;
    asm volatile("lea 1f(%%rip), %%rax\n\t"
                 "mov %%rax, %[resume]\n\t"
                 "lea 2f(%%rip), %[at]\n\t"
                 "2: ud2\n\t"
                 "1:\n\t"
                 : [resume] "=m"(g_resume), [at] "=&r"(at)
                 :
                 : "rax", "memory");
    CHECK_EQ(g_count, 1);
    CHECK_EQ(g_signo, SIGILL);
    CHECK_EQ(g_code, ILL_ILLOPN);
    CHECK(g_addr == (void *)at);

    // int3 reports SI_KERNEL, and the program resumes after it by itself.
    set_handler(SIGTRAP, record, 0, 0);
    g_count = 0;
    asm volatile("int3" ::: "memory");
    CHECK_EQ(g_count, 1);
    CHECK_EQ(g_signo, SIGTRAP);
    CHECK_EQ(g_code, SI_KERNEL);
    signal(SIGFPE, SIG_DFL);
    signal(SIGILL, SIG_DFL);
    signal(SIGTRAP, SIG_DFL);
}

// ---- the alternate stack --------------------------------------------------------------

static char g_altstack[64 * 1024] __attribute__((aligned(16)));
static volatile uintptr_t g_local_addr;
static volatile int g_ss_flags_in_handler;

static void on_alt(int sig, siginfo_t *si, void *uc)
{
    int local;
    record(sig, si, uc);
    g_local_addr = (uintptr_t)&local;
    stack_t cur;
    sigaltstack(NULL, &cur);
    g_ss_flags_in_handler = cur.ss_flags;
}

static void test_altstack(void)
{
    stack_t ss = {.ss_sp = g_altstack, .ss_size = sizeof g_altstack, .ss_flags = 0}, old;
    CHECK_EQ(sigaltstack(&ss, &old), 0);
    CHECK_EQ(old.ss_flags, SS_DISABLE);
    set_handler(SIGUSR2, on_alt, SA_ONSTACK, 0);
    raise(SIGUSR2);
    CHECK_EQ(g_count > 0, 1);
    CHECK(g_local_addr >= (uintptr_t)g_altstack && g_local_addr < (uintptr_t)g_altstack + sizeof g_altstack);
    CHECK_EQ(g_ss_flags_in_handler, SS_ONSTACK);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK_EQ(old.ss_flags, 0);
    CHECK(old.ss_sp == g_altstack);

    // Without SA_ONSTACK the handler stays on the normal stack.
    set_handler(SIGUSR2, on_alt, 0, 0);
    raise(SIGUSR2);
    CHECK(!(g_local_addr >= (uintptr_t)g_altstack && g_local_addr < (uintptr_t)g_altstack + sizeof g_altstack));
    CHECK_EQ(g_ss_flags_in_handler, 0);

    // SS_AUTODISARM: disarmed inside the handler, back afterwards.
    ss.ss_flags = SS_AUTODISARM;
    CHECK_EQ(sigaltstack(&ss, NULL), 0);
    set_handler(SIGUSR2, on_alt, SA_ONSTACK, 0);
    raise(SIGUSR2);
    CHECK(g_local_addr >= (uintptr_t)g_altstack && g_local_addr < (uintptr_t)g_altstack + sizeof g_altstack);
    CHECK_EQ(g_ss_flags_in_handler & SS_DISABLE, SS_DISABLE);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK_EQ((unsigned)old.ss_flags, SS_AUTODISARM);

    ss.ss_flags = SS_DISABLE;
    CHECK_EQ(sigaltstack(&ss, NULL), 0);
    ss.ss_flags = 0;
    ss.ss_size = 100;
    CHECK_ERR(sigaltstack(&ss, NULL), ENOMEM);
    ss.ss_flags = 77;
    CHECK_ERR(sigaltstack(&ss, NULL), EINVAL);
    signal(SIGUSR2, SIG_DFL);
}

// ---- flags and masks -----------------------------------------------------------------

static volatile int g_depth, g_max_depth;

static void reentrant(int sig, siginfo_t *si, void *uc)
{
    record(sig, si, uc);
    g_depth++;
    if (g_depth > g_max_depth) g_max_depth = g_depth;
    if (g_count < 2) raise(sig); // nested at once with SA_NODEFER, after we return without
    g_depth--;
}

static void test_flags(void)
{
    struct sigaction q;
    set_handler(SIGUSR1, record, SA_RESETHAND, BIT(SIGUSR2) | BIT(SIGHUP));
    g_count = 0;
    raise(SIGUSR1);
    CHECK_EQ(g_count, 1);
    CHECK_EQ(g_mask_in_handler & (BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGHUP)),
             BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGHUP)); // sa_mask and the signal itself
    sigaction(SIGUSR1, NULL, &q);
    CHECK(q.sa_handler == SIG_DFL);
    CHECK_EQ(current_mask() & (BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGHUP)), 0);

    set_handler(SIGUSR1, reentrant, 0, 0);
    g_count = g_depth = g_max_depth = 0;
    raise(SIGUSR1);
    CHECK_EQ(g_count, 2);
    CHECK_EQ(g_max_depth, 1);                 // the second ran after the first returned

    set_handler(SIGUSR1, reentrant, SA_NODEFER, 0);
    g_count = g_depth = g_max_depth = 0;
    raise(SIGUSR1);
    CHECK_EQ(g_count, 2);
    CHECK_EQ(g_max_depth, 2);                 // nested inside the first
    CHECK_EQ(g_mask_in_handler & BIT(SIGUSR1), 0);

    // Blocked: pending, then delivered when unblocked, once.
    set_handler(SIGUSR1, record, 0, 0);
    sigset_t s, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    g_count = 0;
    raise(SIGUSR1);
    raise(SIGUSR1);
    CHECK_EQ(g_count, 0);
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    CHECK_EQ(g_count, 1);                     // standard signals do not queue
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 0);

    // Ignoring a pending signal discards it.
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
    set_handler(SIGUSR1, record, 0, 0);
    g_count = 0;
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    CHECK_EQ(g_count, 0);
    signal(SIGUSR1, SIG_DFL);
}

// ---- the frame and the FPU ---------------------------------------------------------------

static volatile unsigned g_mxcsr_in_handler;
static volatile int g_fp_magic1, g_fp_magic2, g_uc_flags_xstate;
static volatile unsigned long g_sigmask_in_uc;

static void clobber(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    record(sig, si, ucv);
    unsigned m;
    asm volatile("stmxcsr %0" : "=m"(m));
    g_mxcsr_in_handler = m;
    g_sigmask_in_uc = *(unsigned long *)&uc->uc_sigmask;
    const unsigned char *fp = (const unsigned char *)uc->uc_mcontext.fpregs;
    unsigned magic1 = 0, xsize = 0, magic2 = 0;
    memcpy(&magic1, fp + 464, 4);
    memcpy(&xsize, fp + 464 + 16, 4);
    if (magic1 == 0x46505853U) memcpy(&magic2, fp + xsize, 4);
    g_fp_magic1 = magic1 == 0x46505853U;
    g_fp_magic2 = magic2 == 0x46505845U;
    g_uc_flags_xstate = uc->uc_flags & 1;
    // Wreck every SSE register and MXCSR; sigreturn must put them back.
    unsigned wild = 0x6000;
    asm volatile("pcmpeqd %%xmm0, %%xmm0\n\tpcmpeqd %%xmm1, %%xmm1\n\tpcmpeqd %%xmm2, %%xmm2\n\t"
                 "pcmpeqd %%xmm3, %%xmm3\n\tpcmpeqd %%xmm4, %%xmm4\n\tpcmpeqd %%xmm5, %%xmm5\n\t"
                 "pcmpeqd %%xmm6, %%xmm6\n\tpcmpeqd %%xmm7, %%xmm7\n\tpcmpeqd %%xmm8, %%xmm8\n\t"
                 "pcmpeqd %%xmm9, %%xmm9\n\tpcmpeqd %%xmm10, %%xmm10\n\tpcmpeqd %%xmm11, %%xmm11\n\t"
                 "pcmpeqd %%xmm12, %%xmm12\n\tpcmpeqd %%xmm13, %%xmm13\n\tpcmpeqd %%xmm14, %%xmm14\n\t"
                 "pcmpeqd %%xmm15, %%xmm15\n\tldmxcsr %0\n\t"
                 :: "m"(wild)
                 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                   "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static int has_osxsave(void)
{
    unsigned a, b, c, d;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    return (c >> 27) & 1;
}

static void test_fpu(void)
{
    set_handler(SIGUSR1, clobber, 0, BIT(SIGHUP));
    unsigned char in[16 * 16] __attribute__((aligned(16))), out[16 * 16] __attribute__((aligned(16)));
    for (unsigned i = 0; i < sizeof in; i++) in[i] = (unsigned char)(i * 7 + 3);
    memset(out, 0, sizeof out);
    unsigned mxcsr_set = 0x7f80, mxcsr_after = 0;   // round toward zero
    unsigned mxcsr_saved;
    g_count = 0;
    asm volatile("stmxcsr %[saved]\n\t"
                 "ldmxcsr %[set]\n\t"
                 "movdqa 0(%[in]), %%xmm0\n\tmovdqa 16(%[in]), %%xmm1\n\tmovdqa 32(%[in]), %%xmm2\n\t"
                 "movdqa 48(%[in]), %%xmm3\n\tmovdqa 64(%[in]), %%xmm4\n\tmovdqa 80(%[in]), %%xmm5\n\t"
                 "movdqa 96(%[in]), %%xmm6\n\tmovdqa 112(%[in]), %%xmm7\n\tmovdqa 128(%[in]), %%xmm8\n\t"
                 "movdqa 144(%[in]), %%xmm9\n\tmovdqa 160(%[in]), %%xmm10\n\tmovdqa 176(%[in]), %%xmm11\n\t"
                 "movdqa 192(%[in]), %%xmm12\n\tmovdqa 208(%[in]), %%xmm13\n\tmovdqa 224(%[in]), %%xmm14\n\t"
                 "movdqa 240(%[in]), %%xmm15\n\t"
                 "mov %[nr], %%eax\n\tmov %[pid], %%edi\n\tmov %[sig], %%esi\n\tsyscall\n\t"
                 "movdqa %%xmm0, 0(%[out])\n\tmovdqa %%xmm1, 16(%[out])\n\tmovdqa %%xmm2, 32(%[out])\n\t"
                 "movdqa %%xmm3, 48(%[out])\n\tmovdqa %%xmm4, 64(%[out])\n\tmovdqa %%xmm5, 80(%[out])\n\t"
                 "movdqa %%xmm6, 96(%[out])\n\tmovdqa %%xmm7, 112(%[out])\n\tmovdqa %%xmm8, 128(%[out])\n\t"
                 "movdqa %%xmm9, 144(%[out])\n\tmovdqa %%xmm10, 160(%[out])\n\tmovdqa %%xmm11, 176(%[out])\n\t"
                 "movdqa %%xmm12, 192(%[out])\n\tmovdqa %%xmm13, 208(%[out])\n\tmovdqa %%xmm14, 224(%[out])\n\t"
                 "movdqa %%xmm15, 240(%[out])\n\t"
                 "stmxcsr %[after]\n\t"
                 "ldmxcsr %[saved]\n\t"
                 : [after] "=m"(mxcsr_after), [saved] "+m"(mxcsr_saved)
                 : [in] "r"(in), [out] "r"(out), [set] "m"(mxcsr_set), [nr] "i"(SYS_kill),
                   [pid] "r"(getpid()), [sig] "i"(SIGUSR1)
                 : "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
                   "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                   "xmm15");
    CHECK_EQ(g_count, 1);
    CHECK_EQ(memcmp(in, out, sizeof in), 0);
    CHECK_EQ(mxcsr_after, 0x7f80);
    CHECK_EQ(g_mxcsr_in_handler & 0xffc0, 0x1f80); // a handler starts with the default MXCSR
    CHECK_EQ(g_sigmask_in_uc, 0);                  // the mask of the interrupted code
    if (has_osxsave()) {
        CHECK_EQ(g_fp_magic1, 1);
        CHECK_EQ(g_fp_magic2, 1);
        CHECK_EQ(g_uc_flags_xstate, 1);
    }
    signal(SIGUSR1, SIG_DFL);
}

// AVX: the upper halves of the ymm registers live only in the XSAVE area.
static int has_avx(void)
{
    unsigned a, b, c, d;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!((c >> 27) & 1) || !((c >> 28) & 1)) return 0;
    unsigned lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6;
}

__attribute__((target("avx"))) static void clobber_ymm(int sig)
{
    (void)sig;
    g_count++;
    asm volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpcmpeqd %%ymm7, %%ymm7, %%ymm7\n\t"
                 "vpcmpeqd %%ymm8, %%ymm8, %%ymm8\n\tvpcmpeqd %%ymm15, %%ymm15, %%ymm15\n\t"
                 ::: "xmm0", "xmm7", "xmm8", "xmm15");
}

__attribute__((target("avx"))) static void test_avx(void)
{
    if (!has_avx()) return;
    signal(SIGUSR1, clobber_ymm);
    unsigned char in[4 * 32] __attribute__((aligned(32))), out[4 * 32] __attribute__((aligned(32)));
    for (unsigned i = 0; i < sizeof in; i++) in[i] = (unsigned char)(i * 13 + 1);
    memset(out, 0, sizeof out);
    g_count = 0;
    asm volatile("vmovdqa 0(%[in]), %%ymm0\n\tvmovdqa 32(%[in]), %%ymm7\n\t"
                 "vmovdqa 64(%[in]), %%ymm8\n\tvmovdqa 96(%[in]), %%ymm15\n\t"
                 "mov %[nr], %%eax\n\tmov %[pid], %%edi\n\tmov %[sig], %%esi\n\tsyscall\n\t"
                 "vmovdqa %%ymm0, 0(%[out])\n\tvmovdqa %%ymm7, 32(%[out])\n\t"
                 "vmovdqa %%ymm8, 64(%[out])\n\tvmovdqa %%ymm15, 96(%[out])\n\t"
                 "vzeroupper\n\t"
                 :
                 : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_kill), [pid] "r"(getpid()), [sig] "i"(SIGUSR1)
                 : "rax", "rdi", "rsi", "rcx", "r11", "memory", "xmm0", "xmm7", "xmm8", "xmm15");
    CHECK_EQ(g_count, 1);
    CHECK_EQ(memcmp(in, out, sizeof in), 0);
    signal(SIGUSR1, SIG_DFL);
}

// A handler that changes a general register in the frame sees it take effect.
static void set_rbx(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    record(sig, si, ucv);
    uc->uc_mcontext.gregs[REG_RBX] = 0x1234567;
}

static void test_register_change(void)
{
    set_handler(SIGUSR2, set_rbx, 0, 0);
    long rbx;
    asm volatile("mov $5, %%rbx\n\t"
                 "mov %[nr], %%eax\n\tmov %[pid], %%edi\n\tmov %[sig], %%esi\n\tsyscall\n\t"
                 "mov %%rbx, %[rbx]\n\t"
                 : [rbx] "=r"(rbx)
                 : [nr] "i"(SYS_kill), [pid] "r"(getpid()), [sig] "i"(SIGUSR2)
                 : "rax", "rbx", "rdi", "rsi", "rcx", "r11", "memory");
    CHECK_EQ(rbx, 0x1234567);
    signal(SIGUSR2, SIG_DFL);
}

int main(void)
{
    test_siginfo();
    test_segv_mprotect();
    test_segv_skip();
    test_fpe_ill_trap();
    test_altstack();
    test_flags();
    test_fpu();
    test_avx();
    test_register_change();
    return check_report("sigframe");
}
