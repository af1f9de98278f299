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

} // namespace x86::smp

// core/main.cpp: where each started CPU goes, on its own stack, %gs not yet set.
extern "C" [[noreturn]] void kmain_ap(x86::PerCpu* cpu, u64 stack_top);
