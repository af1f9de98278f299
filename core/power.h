#pragma once
#include "core/types.h"

namespace core {
// Leaves the VM through QEMU's isa-debug-exit with the given status, after the
// status line has been written (docs/boot-protocol.md §4).
[[noreturn]] void power_off(u32 status);
// The program ended: exit(status) or killed by a signal.
[[noreturn]] void program_exited(int status);
// Runs first when the program ends (not on a panic), from any context, the
// scheduler's lock possibly held: it must not sleep. The network sends what
// its connections still hold (net/stack.cpp).
void set_exit_hook(void (*hook)());
[[noreturn]] void program_killed(int signal, bool core_dump);
constexpr u32 PANIC_EXIT_STATUS = 255;
} // namespace core
