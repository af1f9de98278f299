#pragma once
// The giant lock: one lock around all kernel code, so that the kernel —
// written for one CPU and never preempted inside a syscall — stays correct
// while user code runs on every CPU at once (Linux 2.0's big kernel lock,
// FreeBSD 5's Giant). Finer-grained locks would let syscalls run in parallel
// too; none exist yet.
//
// Taken on every entry from user mode (syscall_entry before it enables
// interrupts, x86::handle_trap for exceptions and interrupts) and by an
// interrupt that finds its CPU idle; released on the way back to ring 3
// (kernel_exit_to_user, enter_user) and around the idle loop's HLT. A context
// switch inside the kernel keeps it: the CPU owns it, and the thread switched
// to resumes at the depth it had (an interrupt inside a syscall nests).
//
// Always taken with interrupts off: it is a ticket lock (fair, so no CPU
// starves under QEMU's TCG), and an interrupt taking a second ticket on the
// same CPU would deadlock. While spinning a CPU still answers TLB shootdowns
// (x86::smp::tlb_service), so the holder may wait for every CPU to flush.
// The shootdown and reschedule IPIs run without it.
#include "core/types.h"

namespace core::giant {

void enter();
void leave();
// Whether this CPU holds it, and how deep (for the scheduler's switches).
bool held();
u32 depth();
void set_depth(u32 depth);

} // namespace core::giant

// entry.S: syscall_entry and enter_user.
extern "C" void giant_enter();
extern "C" void giant_leave_to_user();
