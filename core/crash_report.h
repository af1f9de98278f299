#pragma once
// A program killed by a signal whose default action dumps core (SIGSEGV,
// SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGQUIT, SIGSYS, SIGXCPU,
// SIGXFSZ) gets a crash report on its stderr instead of a core file: what
// killed it and why, the thread, where (the mapping, its file and the
// offset in it, the instruction disassembled) and the registers. There is
// nowhere to keep a core file: the VM's filesystem ends with the program.
#include "core/signal.h"
#include "platform/x86_64/trap.h"

namespace core {

// `info` is the signal as it was queued (nullptr when not known: a fatal
// signal sent to the process ends it before any thread dequeues it); `f`
// the thread's user registers (nullptr: none to show).
void crash_report(int sig, const SigInfo* info, const x86::TrapFrame* f);

} // namespace core
