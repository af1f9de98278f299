// Delivery: the default action, or Linux's x86-64 rt_sigframe on the user
// stack and a jump to the handler; rt_sigreturn undoes it. The layout is the
// kernel's (arch/x86/include/uapi/asm/sigcontext.h, asm/sigframe.h), since
// libc, libgcc's unwinder, debuggers and JVMs read it directly:
//
//   [sp]      pretcode (sa_restorer: the handler's return address)
//   [sp+8]    struct ucontext: flags, link, stack_t, sigcontext, sigmask
//   [sp+312]  siginfo
//   ...       (64-byte aligned) the XSAVE area uc_mcontext.fpstate points at:
//             the legacy 512 bytes whose sw_reserved carries FP_XSTATE_MAGIC1
//             and the sizes, the extended state, then FP_XSTATE_MAGIC2.
//
// The kernel itself never touches FPU/SSE registers (-mgeneral-regs-only), so
// the registers hold the program's state whenever we are here.
#include "core/signal_internal.h"
#include "core/errno.h"
#include "core/klog.h"
#include "core/string.h"
#include "mm/user_ptr.h"
#include "platform/x86_64/cpu.h"

namespace core::signal {

namespace {

struct SigContext {
    u64 r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    u16 cs, gs, fs, ss;
    u64 err, trapno, oldmask, cr2;
    u64 fpstate;
    u64 reserved1[8];
};
static_assert(sizeof(SigContext) == 256);

struct StackT { u64 sp; i32 flags; i32 pad; u64 size; };

struct UContext {
    u64 flags;
    u64 link;
    StackT stack;
    SigContext mcontext;
    u64 sigmask;
};
static_assert(sizeof(UContext) == 304);

struct RtSigframe {
    u64 pretcode;
    UContext uc;
    SigInfo info;
};
static_assert(sizeof(RtSigframe) == 440);

constexpr u64 UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
constexpr u32 FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845;
constexpr u64 RFLAGS_TF = 1 << 8, RFLAGS_DF = 1 << 10, RFLAGS_RF = 1 << 16;
// What a handler may change in rflags (Linux's FIX_EFLAGS): the arithmetic
// flags, TF, DF, AC, RF; never IF or IOPL.
constexpr u64 FIX_EFLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | RFLAGS_TF | RFLAGS_DF | 0x800 | RFLAGS_RF | (1 << 18);

// struct _fpx_sw_bytes, at offset 464 of the legacy area.
struct SwBytes { u32 magic1, extended_size; u64 xfeatures; u32 xstate_size; u32 padding[7]; };
static_assert(sizeof(SwBytes) == 48);
constexpr size_t SW_OFFSET = 464, MXCSR_OFFSET = 24, MXCSR_MASK_OFFSET = 28, HEADER_OFFSET = 512;

alignas(64) u8 g_fpu[8192];

bool has_xsave() { return x86::g_features.xsave && x86::g_features.xsave_size + 4 <= sizeof g_fpu; }
u32 xstate_size() { return has_xsave() ? x86::g_features.xsave_size : 512; }

u64 xcr0()
{
    u32 lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (u64(hi) << 32) | lo;
}

void fpu_save(u8* buf)
{
    memset(buf, 0, xstate_size() + 4);
    if (has_xsave()) asm volatile("xsave64 (%0)" ::"r"(buf), "a"(~0u), "d"(~0u) : "memory");
    else asm volatile("fxsave64 (%0)" ::"r"(buf) : "memory");
}

// XRSTOR/FXRSTOR of an image the program gave us: a #GP inside is caught by
// the exception table (core/trap.cpp) and reported as false. XRSTOR restores
// the features EDX:EAX asks for (all of them); FXRSTOR ignores EDX:EAX.
bool fpu_load(const u8* buf)
{
    u32 failed;
    asm volatile("1: test %[xsave], %[xsave]\n"
                 "   jz 5f\n"
                 "   xrstor64 (%[buf])\n"
                 "   jmp 2f\n"
                 "5: fxrstor64 (%[buf])\n"
                 "2: xor %[failed], %[failed]\n"
                 "   jmp 4f\n"
                 "3: mov $1, %[failed]\n"
                 "4:\n"
                 ".pushsection __ex_table, \"a\"\n"
                 ".quad 1b, 2b, 3b\n"
                 ".popsection\n"
                 : [failed] "=r"(failed)
                 : [buf] "r"(buf), [xsave] "r"(u32(has_xsave())), "a"(~0u), "d"(~0u)
                 : "memory", "cc");
    return !failed;
}

u32 mxcsr_mask()
{
    static u32 mask;
    if (!mask) {
        alignas(16) u8 fx[512];
        memset(fx, 0, sizeof fx);
        asm volatile("fxsave64 (%0)" ::"r"(fx) : "memory");
        memcpy(&mask, fx + MXCSR_MASK_OFFSET, 4);
        if (!mask) mask = 0xffbf;
    }
    return mask;
}

// The state a handler starts with, as Linux gives it: x87, SSE and AVX in
// their initial configuration, MXCSR = 0x1f80.
void fpu_init()
{
    memset(g_fpu, 0, xstate_size() + 4);
    u32 mxcsr = 0x1f80;
    memcpy(g_fpu + MXCSR_OFFSET, &mxcsr, 4);
    if (has_xsave()) {
        (void)fpu_load(g_fpu); // XSTATE_BV = 0: every component initialised
    } else {
        u16 fcw = 0x37f;
        memcpy(g_fpu, &fcw, 2);
        (void)fpu_load(g_fpu);
    }
}

// Writes the FPU state to the program's stack at `at` (Linux's copy_fpstate_to_sigframe).
ErrorOr save_fpu_to(u64 at)
{
    fpu_save(g_fpu);
    size_t n = 512;
    if (has_xsave()) {
        SwBytes sw {};
        sw.magic1 = FP_XSTATE_MAGIC1;
        sw.xstate_size = xstate_size();
        sw.extended_size = sw.xstate_size + 4;
        sw.xfeatures = xcr0();
        memcpy(g_fpu + SW_OFFSET, &sw, sizeof sw);
        u32 magic2 = FP_XSTATE_MAGIC2;
        memcpy(g_fpu + sw.xstate_size, &magic2, 4);
        n = sw.extended_size;
    }
    return mm::copy_to_user(at, g_fpu, n);
}

// Loads the FPU state from the program's frame (Linux's fpu__restore_sig):
// the legacy area always, the extended state when both magics vouch for it.
// False when the image is unreadable or one XRSTOR refuses.
bool restore_fpu_from(u64 fpstate)
{
    if (!fpstate) {
        fpu_init();
        return true;
    }
    memset(g_fpu, 0, xstate_size() + 4);
    if (mm::copy_from_user(g_fpu, fpstate, 512).is_error()) return false;
    u32 mxcsr;
    memcpy(&mxcsr, g_fpu + MXCSR_OFFSET, 4);
    mxcsr &= mxcsr_mask();
    memcpy(g_fpu + MXCSR_OFFSET, &mxcsr, 4);
    if (!has_xsave()) return fpu_load(g_fpu);

    SwBytes sw;
    memcpy(&sw, g_fpu + SW_OFFSET, sizeof sw);
    u64 features = 0x3; // x87 and SSE: the legacy area
    bool extended = false;
    if (sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size >= HEADER_OFFSET + 64 &&
        sw.xstate_size <= xstate_size() && sw.extended_size == sw.xstate_size + 4) {
        u32 magic2 = 0;
        if (!mm::copy_from_user(&magic2, fpstate + sw.xstate_size, 4).is_error() && magic2 == FP_XSTATE_MAGIC2)
            extended = true;
    }
    if (extended) {
        if (mm::copy_from_user(g_fpu + 512, fpstate + 512, sw.xstate_size - 512).is_error()) return false;
        features = sw.xfeatures;
        memcpy(g_fpu + MXCSR_OFFSET, &mxcsr, 4);
    } else {
        memset(g_fpu + 512, 0, xstate_size() - 512);
    }
    // The header: XSTATE_BV limited to what we have, XCOMP_BV (compacted
    // form) refused, the reserved bytes zero; components left out of XSTATE_BV
    // are initialised by XRSTOR.
    u64 bv, comp;
    memcpy(&bv, g_fpu + HEADER_OFFSET, 8);
    memcpy(&comp, g_fpu + HEADER_OFFSET + 8, 8);
    if (!extended) bv = 0x3;
    if (comp) return false;
    bv &= features & xcr0();
    memset(g_fpu + HEADER_OFFSET, 0, 64);
    memcpy(g_fpu + HEADER_OFFSET, &bv, 8);
    memset(g_fpu + SW_OFFSET, 0, sizeof sw);
    return fpu_load(g_fpu);
}

bool canonical(u64 a) { return u64(i64(a << 16) >> 16) == a; }

// Builds the frame and points the registers at the handler. False when the
// frame cannot be written (a bad stack): the caller ends the program with
// SIGSEGV, as Linux's force_sigsegv would.
bool setup_frame(x86::TrapFrame& f, int sig, const SigInfo& info, const SigAction& act, u64 oldmask)
{
    auto& st = current_signal_state();
    if (!(act.flags & SA_RESTORER) || !act.restorer) return false; // x86-64 has no kernel trampoline
    u64 sp = f.rsp;
    bool was_on = on_altstack(sp);
    bool onstack = was_on;
    if ((act.flags & SA_ONSTACK) && st.altstack_size && !was_on) {
        sp = st.altstack_sp + st.altstack_size;
        onstack = true;
    } else {
        sp -= 128; // the red zone
    }
    u32 fsize = has_xsave() ? xstate_size() + 4 : 512;
    u64 fpstate = (sp - fsize) & ~u64(63);
    sp = ((fpstate - sizeof(RtSigframe)) & ~u64(15)) - 8;
    if (onstack && !on_altstack(sp + 1)) return false; // the alternate stack overflowed

    if (save_fpu_to(fpstate).is_error()) return false;

    RtSigframe fr;
    memset(&fr, 0, sizeof fr);
    fr.pretcode = act.restorer;
    fr.uc.flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (has_xsave() ? UC_FP_XSTATE : 0);
    fr.uc.stack = { st.altstack_sp, i32(st.altstack_flags), 0, st.altstack_size };
    auto& m = fr.uc.mcontext;
    m.r8 = f.r8, m.r9 = f.r9, m.r10 = f.r10, m.r11 = f.r11, m.r12 = f.r12, m.r13 = f.r13;
    m.r14 = f.r14, m.r15 = f.r15, m.rdi = f.rdi, m.rsi = f.rsi, m.rbp = f.rbp, m.rbx = f.rbx;
    m.rdx = f.rdx, m.rax = f.rax, m.rcx = f.rcx, m.rsp = f.rsp, m.rip = f.rip, m.eflags = f.rflags;
    m.cs = u16(f.cs), m.ss = u16(f.ss);
    bool fault = info.code > 0 && info.code < SI_KERNEL &&
                 (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP);
    if (fault) m.trapno = st.fault_trapno, m.err = st.fault_err, m.cr2 = st.fault_cr2;
    m.oldmask = oldmask;
    m.fpstate = fpstate;
    fr.uc.sigmask = oldmask;
    fr.info = info;
    if (mm::copy_to_user(sp, &fr, sizeof fr).is_error()) return false;

    if (st.altstack_flags & SS_AUTODISARM) {
        st.altstack_sp = st.altstack_size = 0;
        st.altstack_flags = SS_DISABLE;
    }
    f.rdi = u64(sig);
    f.rsi = sp + __builtin_offsetof(RtSigframe, info);
    f.rdx = sp + __builtin_offsetof(RtSigframe, uc);
    f.rax = 0;
    f.rsp = sp;
    f.rip = act.handler;
    f.rflags &= ~(RFLAGS_TF | RFLAGS_DF | RFLAGS_RF);
    f.cs = x86::USER_CS;
    f.ss = x86::USER_DS;
    fpu_init();
    return true;
}

constexpr i64 ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516;

} // namespace

void deliver(x86::TrapFrame& f, i64 nr, i64 ret)
{
    auto& st = current_signal_state();
    bool restart = nr >= 0 && (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
                               ret == -ERESTART_RESTARTBLOCK);
    for (;;) {
        SigInfo info;
        int sig = dequeue_to_deliver(~st.blocked, info);
        if (!sig) break;
        SigAction act = action(sig);
        if (act.handler == SIG_IGN_) continue;
        if (act.handler == SIG_DFL_) {
            if (default_action(sig) == DefaultAction::Ignore) continue;
            die(sig, &f, &info);
        }
        if (restart) {
            restart = false;
            if (ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK ||
                (ret == -ERESTARTSYS && !(act.flags & SA_RESTART))) {
                f.rax = u64(-i64(Errno::EINTR));
            } else {
                f.rax = u64(nr);
                f.rip -= 2; // the syscall instruction, run again after the handler
            }
        }
        u64 oldmask = st.restore_saved_mask ? st.saved_mask : st.blocked;
        st.restore_saved_mask = false;
        if (!setup_frame(f, sig, info, act, oldmask)) {
            klog::info("signal %d: cannot write its frame below %#lx", sig, f.rsp);
            die(SIGSEGV, &f);
        }
        u64 blocked = st.blocked | act.mask;
        if (!(act.flags & SA_NODEFER)) blocked |= bit(sig);
        set_blocked(blocked);
        if (act.flags & SA_RESETHAND) {
            SigAction reset = act;
            reset.handler = SIG_DFL_;
            set_action(sig, reset);
        }
    }
    if (restart) {
        f.rax = u64(nr);
        f.rip -= 2;
    }
    if (st.restore_saved_mask) {
        st.restore_saved_mask = false;
        set_blocked(st.saved_mask);
    }
}

Result<i64> sigreturn(x86::TrapFrame& f)
{
    // The handler's `ret` popped pretcode: the ucontext is at the stack pointer.
    UContext uc;
    if (mm::copy_from_user(&uc, f.rsp, sizeof uc).is_error()) die(SIGSEGV, &f);
    const auto& m = uc.mcontext;
    if (!canonical(m.rip)) die(SIGSEGV, &f); // IRET would fault in the kernel
    set_blocked(uc.sigmask);
    f.r8 = m.r8, f.r9 = m.r9, f.r10 = m.r10, f.r11 = m.r11, f.r12 = m.r12, f.r13 = m.r13;
    f.r14 = m.r14, f.r15 = m.r15, f.rdi = m.rdi, f.rsi = m.rsi, f.rbp = m.rbp, f.rbx = m.rbx;
    f.rdx = m.rdx, f.rax = m.rax, f.rcx = m.rcx, f.rsp = m.rsp, f.rip = m.rip;
    f.rflags = (f.rflags & ~FIX_EFLAGS) | (m.eflags & FIX_EFLAGS);
    f.cs = x86::USER_CS;
    f.ss = x86::USER_DS;
    if (!restore_fpu_from(m.fpstate)) {
        fpu_init();
        die(SIGSEGV, &f);
    }
    // Puts back an alternate stack SS_AUTODISARM took away (refused, as
    // Linux does, while still running on it).
    (void)set_altstack({ uc.stack.sp, u32(uc.stack.flags), uc.stack.size }, f.rsp);
    return i64(f.rax);
}

} // namespace core::signal
