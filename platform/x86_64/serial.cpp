// The console: COM1, a 16550 UART, polled; COM2 carries the program's stderr
// and the kernel's messages when the host asked for them apart. QEMU's emulated UART needs no
// baud-rate programming, but real ones (and Firecracker) want 8N1 set up.
#include "platform/x86_64/serial.h"
#include "platform/x86_64/cpu.h"

namespace serial {

namespace {
constexpr u16 COM1 = 0x3f8, COM2 = 0x2f8;
bool g_present, g_err_present;

bool init_port(u16 port)
{
    x86::outb(port + 1, 0x00); // no interrupts (yet)
    x86::outb(port + 3, 0x80); // DLAB
    x86::outb(port + 0, 0x01); // 115200
    x86::outb(port + 1, 0x00);
    x86::outb(port + 3, 0x03); // 8N1
    x86::outb(port + 2, 0x07); // FIFO on, cleared
    x86::outb(port + 4, 0x03); // DTR, RTS
    return x86::inb(port + 5) != 0xff;
}

void put(u16 port, const char* s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        // QEMU's UART is always ready; a real one may make us wait.
        while (!(x86::inb(port + 5) & 0x20)) x86::pause();
        x86::outb(port, static_cast<u8>(s[i]));
    }
}
} // namespace

void init() { g_present = init_port(COM1); }

void init_err_port() { g_err_present = init_port(COM2); }

void write(const char* s, size_t n)
{
    if (g_present) put(COM1, s, n);
}

void write_err(const char* s, size_t n)
{
    if (g_err_present) put(COM2, s, n);
    else write(s, n);
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
