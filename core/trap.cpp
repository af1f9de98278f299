// What happens on an exception or interrupt: user faults become signals with
// Linux's si_code and si_addr (delivered, or their default action taken, on
// the way back to user mode), demand paging is resolved, and kernel faults
// outside the exception-table fixups are panics.
#include "platform/x86_64/trap.h"
#include "platform/x86_64/cpu.h"
#include "mm/address_space.h"
#include "platform/x86_64/lapic.h"
#include "platform/x86_64/smp.h"
#include "core/giant.h"
#include "core/panic.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/time.h"
#include "core/irq.h"
#include "core/klog.h"

extern "C" const u64 __ex_table_start[], __ex_table_end[];
extern "C" char giant_halt_begin[], giant_halt_end[]; // platform/x86_64/entry.S

namespace {

using namespace core::signal;

bool apply_fixup(x86::TrapFrame* f)
{
    for (const u64* e = __ex_table_start; e < __ex_table_end; e += 3) {
        if (f->rip >= e[0] && f->rip < e[1]) {
            f->rip = e[2];
            return true;
        }
    }
    return false;
}

void user_signal(x86::TrapFrame* f, int sig, i32 code, u64 addr)
{
    core::signal::force_fault(sig, code, addr, *f);
}

// x87 and SIMD exceptions: the first unmasked exception flag, as Linux's
// fpu__exception_code reports it.
i32 fp_code(bool simd)
{
    u32 status, mask;
    if (simd) {
        u32 mxcsr;
        asm volatile("stmxcsr %0" : "=m"(mxcsr));
        status = mxcsr & 0x3f;
        mask = (mxcsr >> 7) & 0x3f;
    } else {
        u16 sw, cw;
        asm volatile("fnstsw %0; fnstcw %1" : "=m"(sw), "=m"(cw));
        status = sw & 0x3f;
        mask = cw & 0x3f;
    }
    u32 err = status & ~mask;
    if (err & 0x01) return FPE_FLTINV; // invalid operation
    if (err & 0x04) return FPE_FLTDIV; // divide by zero
    if (err & 0x08) return FPE_FLTOVF;
    if (err & 0x12) return FPE_FLTUND; // underflow, denormal
    if (err & 0x20) return FPE_FLTRES; // precision
    return 0;
}

void page_fault(x86::TrapFrame* f)
{
    u64 addr = x86::read_cr2();
    bool write = f->error & 2, exec = f->error & 16, user = f->error & 4;
    auto r = addr < mm::USER_TOP ? mm::address_space().handle_fault(addr, write, exec) : mm::FaultResult::MapErr;
    if (r == mm::FaultResult::Handled) {
        core::current()->minflt++; // (for getrusage: every fault here is served from memory)
        return;
    }
    if (user) {
        klog::info("%s access to %#lx at rip %#lx: %s", exec ? "exec" : write ? "write" : "read", addr, f->rip,
                   r == mm::FaultResult::AccErr ? "SEGV_ACCERR" : r == mm::FaultResult::MapErr ? "SEGV_MAPERR"
                                                                                       : "BUS_ADRERR");
        if (r == mm::FaultResult::OutOfMemory || r == mm::FaultResult::Bus) user_signal(f, SIGBUS, BUS_ADRERR, addr);
        else user_signal(f, SIGSEGV, r == mm::FaultResult::AccErr ? SEGV_ACCERR : SEGV_MAPERR, addr);
        return;
    }
    if (apply_fixup(f)) return;
    core::panic_with_frame(*f, "page fault in the kernel");
}

void dispatch_trap(x86::TrapFrame* f)
{
    switch (f->vector) {
    case 14: page_fault(f); return;
    case core::time::TIMER_VECTOR: core::time::timer_interrupt(); return;
    case core::time::SPURIOUS_VECTOR: return;
    default: break;
    }
    if (f->vector >= 32) {
        core::irq::dispatch(u8(f->vector)); // a device's, or stray
        return;
    }
    if (f->from_user()) {
        // si_code and si_addr as Linux's arch/x86/kernel/traps.c gives them.
        switch (f->vector) {
        case 0: return user_signal(f, SIGFPE, FPE_INTDIV, f->rip);    // #DE (also the quotient overflow)
        case 4: return user_signal(f, SIGSEGV, SI_KERNEL, 0);         // #OF (into is invalid in 64-bit mode)
        case 16: return user_signal(f, SIGFPE, fp_code(false), f->rip);
        case 19: return user_signal(f, SIGFPE, fp_code(true), f->rip);
        case 1: return user_signal(f, SIGTRAP, TRAP_TRACE, f->rip);    // single step
        case 3: return user_signal(f, SIGTRAP, SI_KERNEL, 0);          // int3: rip is past it
        case 6: return user_signal(f, SIGILL, ILL_ILLOPN, f->rip);    // #UD
        case 17: return user_signal(f, SIGBUS, BUS_ADRALN, 0);        // #AC
        case 11: case 12: return user_signal(f, SIGBUS, SI_KERNEL, 0); // #NP, #SS
        default: return user_signal(f, SIGSEGV, SI_KERNEL, 0);        // #GP, #NP, ...
        }
    }
    static const char* const names[32] = { "divide error", "debug", "NMI", "breakpoint", "overflow",
        "bound range", "invalid opcode", "device not available", "double fault", "coprocessor overrun",
        "invalid TSS", "segment not present", "stack fault", "general protection fault", "page fault",
        "reserved", "x87 FP error", "alignment check", "machine check", "SIMD FP error",
        "virtualization", "control protection", "reserved", "reserved", "reserved", "reserved",
        "reserved", "reserved", "hypervisor injection", "VMM communication", "security", "reserved" };
    if (f->vector == 13 && apply_fixup(f)) return;
    core::panic_with_frame(*f, names[f->vector]);
}

} // namespace

namespace x86 {

void handle_trap(TrapFrame* f)
{
    // NMIs only wake CPUs waiting for the giant lock. One may arrive anywhere
    // (late, or as the CPU enters from user mode with the user's GS): this
    // touches nothing but the frame.
    if (f->vector == 2) {
        // In giant_halt's last look or on its HLT: resume past the HLT.
        if (f->rip >= reinterpret_cast<u64>(giant_halt_begin) && f->rip < reinterpret_cast<u64>(giant_halt_end))
            f->rip = reinterpret_cast<u64>(giant_halt_end);
        return;
    }
    // Interprocessor interrupts need no kernel data: no giant lock, unless
    // this one brought the CPU in from user mode (a signal to deliver, a
    // thread to switch to: kernel_exit_to_user takes it if so).
    if (f->vector == smp::FLUSH_VECTOR || f->vector == smp::RESCHED_VECTOR) {
        lapic::eoi();
        if (f->vector == smp::FLUSH_VECTOR) smp::tlb_service();
        else core::sched::resched_ipi();
        return;
    }
    core::giant::enter();
    dispatch_trap(f);
    // Back to user mode: faults just raised, and signals an interrupt (the
    // interval timer) sent, are delivered now. The lock stays held until
    // kernel_exit_to_user has run.
    if (f->from_user()) core::signal::deliver(*f, -1, 0);
    else core::giant::leave();
}

} // namespace x86
