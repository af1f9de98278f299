// The console: COM1, a 16550 UART, polled. QEMU's emulated UART needs no
// baud-rate programming, but real ones (and Firecracker) want 8N1 set up.
#include "platform/x86_64/serial.h"
#include "platform/x86_64/cpu.h"

namespace serial {

namespace {
constexpr u16 COM1 = 0x3f8;
bool g_present;
} // namespace

void init()
{
    x86::outb(COM1 + 1, 0x00); // no interrupts (yet)
    x86::outb(COM1 + 3, 0x80); // DLAB
    x86::outb(COM1 + 0, 0x01); // 115200
    x86::outb(COM1 + 1, 0x00);
    x86::outb(COM1 + 3, 0x03); // 8N1
    x86::outb(COM1 + 2, 0x07); // FIFO on, cleared
    x86::outb(COM1 + 4, 0x03); // DTR, RTS
    g_present = x86::inb(COM1 + 5) != 0xff;
}

void write(const char* s, size_t n)
{
    if (!g_present) return;
    for (size_t i = 0; i < n; i++) {
        // QEMU's UART is always ready; a real one may make us wait.
        while (!(x86::inb(COM1 + 5) & 0x20)) x86::pause();
        x86::outb(COM1, static_cast<u8>(s[i]));
    }
}

bool has_input() { return g_present && (x86::inb(COM1 + 5) & 1); }

int read_byte()
{
    if (!has_input()) return -1;
    return x86::inb(COM1);
}

void debugcon_write(const char* s, size_t n)
{
    for (size_t i = 0; i < n; i++) x86::outb(0xe9, static_cast<u8>(s[i]));
}

} // namespace serial
