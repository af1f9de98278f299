#pragma once
// Multiprocessor bring-up: the CPUs listed in ACPI's MADT are started with
// INIT-SIPI-SIPI through a real-mode trampoline copied below 1 MiB; each
// enters kmain_ap (core/main.cpp) on its own stack with its own PerCpu.
#include "platform/x86_64/trap.h"

namespace x86::smp {

constexpr int MAX_CPUS = 64;

// Starts every CPU the MADT lists (found from the RSDP at rsdp_pa, or by
// scanning the BIOS area when 0), waiting for each to call ap_online.
// `tsc_hz` times the waits. Returns the number of CPUs online; the boot CPU
// is number 0.
int start_cpus(PerCpu* boot_cpu, u64 rsdp_pa, u64 tsc_hz);
// An application processor's kmain_ap, when it is ready: false if the boot
// CPU gave up waiting for it (it must then stop, interrupts off).
bool ap_online(PerCpu* cpu);

int cpu_count();
PerCpu* cpu(int i);

constexpr u8 RESCHED_VECTOR = 0xf0, FLUSH_VECTOR = 0xf1;
// Interrupts CPU i with RESCHED_VECTOR (wake it from HLT, or bring it into
// the kernel from user mode).
void send_resched(int i);
// An NMI to CPU i: the one way to wake it from HLT with interrupts off.
void send_nmi(int i);
// After user page-table entries were removed or lost permissions: every
// other CPU flushes its TLB (non-global entries) before this returns. The
// caller holds the giant lock, so one shootdown runs at a time; targets
// answer from the FLUSH_VECTOR interrupt or while spinning for the lock.
void tlb_shootdown();
// This CPU's part of a shootdown, if one waits for it.
void tlb_service();

} // namespace x86::smp

// core/main.cpp: where each started CPU goes, on its own stack, %gs not yet set.
extern "C" [[noreturn]] void kmain_ap(x86::PerCpu* cpu, u64 stack_top);
