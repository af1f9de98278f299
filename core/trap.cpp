// What happens on an exception or interrupt: user faults become signals (no
// handler yet: the program ends as Linux would end it), demand paging is
// resolved, and kernel faults outside the user-copy fixups are panics.
#include "platform/x86_64/trap.h"
#include "platform/x86_64/cpu.h"
#include "mm/address_space.h"
#include "core/panic.h"
#include "core/power.h"
#include "core/time.h"
#include "core/klog.h"

extern "C" const u64 __ex_table_start[], __ex_table_end[];

namespace {

constexpr int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;

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

[[noreturn]] void user_signal(int sig)
{
    core::program_killed(sig, false);
}

void page_fault(x86::TrapFrame* f)
{
    u64 addr = x86::read_cr2();
    bool write = f->error & 2, exec = f->error & 16, user = f->error & 4;
    auto r = addr < mm::USER_TOP ? mm::address_space().handle_fault(addr, write, exec) : mm::FaultResult::MapErr;
    if (r == mm::FaultResult::Handled) return;
    if (user) {
        klog::info("SIGSEGV: %s access to %#lx at rip %#lx (%s)", exec ? "exec" : write ? "write" : "read",
                   addr, f->rip, r == mm::FaultResult::AccErr ? "SEGV_ACCERR" : "SEGV_MAPERR");
        user_signal(r == mm::FaultResult::OutOfMemory || r == mm::FaultResult::Bus ? SIGBUS : SIGSEGV);
    }
    if (apply_fixup(f)) return;
    core::panic_with_frame(*f, "page fault in the kernel");
}

} // namespace

namespace x86 {

void handle_trap(TrapFrame* f)
{
    switch (f->vector) {
    case 14: page_fault(f); return;
    case core::time::TIMER_VECTOR: core::time::timer_interrupt(); return;
    case core::time::SPURIOUS_VECTOR: return;
    default: break;
    }
    if (f->vector >= 32) return; // stray interrupt
    if (f->from_user()) {
        switch (f->vector) {
        case 0: user_signal(SIGFPE);    // #DE
        case 16: case 19: user_signal(SIGFPE); // x87 / SIMD FP
        case 1: case 3: user_signal(SIGTRAP);
        case 6: user_signal(SIGILL);    // #UD
        case 17: user_signal(SIGBUS);   // #AC
        default: user_signal(SIGSEGV);  // #GP, #SS, #NP, bound…
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

} // namespace x86
