#include "core/power.h"
#include "core/klog.h"
#include "platform/x86_64/cpu.h"

namespace core {

void power_off(u32 status)
{
    x86::cli();
    x86::outl(0xf4, status);
    // Not under QEMU (or no isa-debug-exit): try the ACPI-less ways, then halt.
    x86::outb(0x64, 0xfe);
    for (;;) x86::hlt();
}

namespace {
void (*g_exit_hook)();
}

void set_exit_hook(void (*hook)()) { g_exit_hook = hook; }

void program_exited(int status)
{
    if (g_exit_hook) g_exit_hook();
    klog::status("elfin-status exit %d", status & 0xff);
    power_off(status & 0xff);
}

void program_killed(int signal, bool core_dump)
{
    if (g_exit_hook) g_exit_hook();
    klog::status("elfin-status signal %d%s", signal, core_dump ? " core" : "");
    power_off(128 + signal);
}

} // namespace core
