#pragma once
// The register frame saved on every entry into the kernel: interrupts,
// exceptions and syscalls share it (syscalls fill vector = SYSCALL_VECTOR).
#include <atomic>
#include "core/types.h"

namespace x86 {

struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error;
    u64 rip, cs, rflags, rsp, ss; // as pushed by the CPU (or by syscall_entry)
    bool from_user() const { return (cs & 3) == 3; }
};
static_assert(sizeof(TrapFrame) == 22 * 8);

constexpr u64 SYSCALL_VECTOR = 0x100;
constexpr u16 KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_DS = 0x23, USER_CS = 0x2b, TSS_SEL = 0x30;

struct CpuTables; // one CPU's GDT, TSS and IST stacks (gdt.cpp)

// Per-CPU block, reached through %gs in the kernel. Offsets are used by entry.S.
struct PerCpu {
    PerCpu* self;           // 0
    u64 kernel_rsp;         // 8: top of the current thread's kernel stack
    u64 user_rsp_scratch;   // 16
    u64 cpu_id;             // 24: 0 .. count-1, the number Linux's getcpu reports
    void* current_thread;   // 32
    u32 apic_id = 0;        // its local APIC's id (IPIs are addressed by it)
    CpuTables* tables = nullptr;
    std::atomic<bool> flush_pending { false }; // a TLB shootdown waits for this CPU
    // Halted waiting for the giant lock (core/giant.cpp): its ticket + 1, or 0.
    // It is woken by an NMI (interrupts are off while it waits).
    std::atomic<u32> halted_for_ticket { 0 };
};

// Loads this CPU's GDT and TSS (the boot CPU's are static; each other CPU's
// come from alloc_cpu_tables) and points %gs at cpu.
void gdt_init(PerCpu* cpu, u64 kernel_stack_top);
CpuTables* alloc_cpu_tables();
void idt_init(); // fills the IDT (once) and loads it
void idt_load(); // loads the filled IDT on another CPU
void set_kernel_stack(u64 top); // TSS.rsp0 and PerCpu::kernel_rsp
void syscall_init();
PerCpu* this_cpu();

// Enters ring 3 at rip with rsp; never returns.
[[noreturn]] void enter_user(u64 rip, u64 rsp);

// Implemented above platform: called by the entry stubs.
void handle_trap(TrapFrame* f);
} // namespace x86

extern "C" void syscall_dispatch(x86::TrapFrame* f);
