// Kernel panics: the message, registers, a symbolised backtrace and the
// faulting instruction disassembled with Zydis; then power off with the panic
// status. The same text goes to the console and the status channel.
#include <cstdarg>
#include <Zydis/Zydis.h>
#include "core/panic.h"
#include "core/format.h"
#include "core/klog.h"
#include "core/ksyms.h"
#include "core/power.h"
#include "core/verify.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/serial.h"

namespace core {

namespace {
bool g_in_panic;

void both(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void both(const char* fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= sizeof buf) n = sizeof buf - 1;
    serial::write_err(buf, n);
    serial::debugcon_write(buf, n);
}

bool kernel_readable(u64 a, size_t n)
{
    // Kernel image, physmap and heap only; never chase a pointer into the program.
    return a >= 0xffff800000000000ull && a + n > a;
}

void print_symbol(u64 addr)
{
    u64 off = 0;
    const char* name = symbolize(addr, &off);
    if (name) both("  %016lx  %s+0x%lx\n", addr, name, off);
    else both("  %016lx  ?\n", addr);
}

void disassemble(u64 rip)
{
    if (!kernel_readable(rip, 16)) return;
    ZydisDisassembledInstruction insn;
    if (ZYAN_SUCCESS(ZydisDisassembleIntel(ZYDIS_MACHINE_MODE_LONG_64, rip,
                                           reinterpret_cast<const void*>(rip), 15, &insn)))
        both("faulting instruction: %016lx  %s\n", rip, insn.text);
}

void backtrace(u64 rbp)
{
    both("backtrace:\n");
    for (int depth = 0; depth < 32 && rbp && kernel_readable(rbp, 16) && !(rbp & 7); depth++) {
        u64 ret = reinterpret_cast<u64*>(rbp)[1];
        if (ret < 0xffffffff80000000ull) break;
        print_symbol(ret - 1);
        rbp = reinterpret_cast<u64*>(rbp)[0];
    }
}

[[noreturn]] void finish()
{
    power_off(PANIC_EXIT_STATUS);
}

void begin()
{
    x86::cli();
    if (g_in_panic) {
        both("elfin: panic while panicking\n");
        finish();
    }
    g_in_panic = true;
    klog::status("elfin-status panic");
}
} // namespace

void panic_at(const char* file, int line, const char* fmt, ...)
{
    begin();
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    both("elfin: KERNEL PANIC: %s\n  at %s:%d\n", msg, file, line);
    backtrace(reinterpret_cast<u64>(__builtin_frame_address(0)));
    finish();
}

void panic_with_frame(const x86::TrapFrame& f, const char* what)
{
    begin();
    both("elfin: KERNEL PANIC: %s (vector %lu, error %#lx)\n", what, f.vector, f.error);
    both("rip %016lx  rsp %016lx  rflags %016lx  cs %lx ss %lx\n", f.rip, f.rsp, f.rflags, f.cs, f.ss);
    both("rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
    both("rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", f.rsi, f.rdi, f.rbp, f.r8);
    both("r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", f.r9, f.r10, f.r11, f.r12);
    both("r13 %016lx  r14 %016lx  r15 %016lx  cr2 %016lx\n", f.r13, f.r14, f.r15, x86::read_cr2());
    both("cr0 %016lx  cr3 %016lx  cr4 %016lx\n", x86::read_cr0(), x86::read_cr3(), x86::read_cr4());
    disassemble(f.rip);
    both("at:\n");
    print_symbol(f.rip);
    backtrace(f.rbp);
    finish();
}

} // namespace core
