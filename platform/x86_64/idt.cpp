#include "platform/x86_64/trap.h"

extern "C" const u64 isr_table[256];
extern "C" bool g_smap_enabled;
bool g_smap_enabled;

namespace x86 {

namespace {
struct [[gnu::packed]] Gate {
    u16 off_lo, sel;
    u8 ist, type;
    u16 off_mid;
    u32 off_hi, reserved;
};
alignas(16) Gate g_idt[256];
} // namespace

void idt_init()
{
    for (int v = 0; v < 256; v++) {
        u64 a = isr_table[v];
        Gate& g = g_idt[v];
        g.off_lo = a & 0xffff;
        g.sel = KERNEL_CS;
        g.ist = v == 8 ? 1 : v == 2 ? 2 : 0;
        // Present interrupt gates, DPL 0 but for int3 (and into), which ring 3
        // may raise itself: SIGTRAP as on Linux rather than a #GP.
        g.type = v == 3 || v == 4 ? 0xee : 0x8e;
        g.off_mid = (a >> 16) & 0xffff;
        g.off_hi = a >> 32;
        g.reserved = 0;
    }
    idt_load();
}

void idt_load()
{
    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } idtr { sizeof(g_idt) - 1, reinterpret_cast<u64>(g_idt) };
    asm volatile("lidt %0" ::"m"(idtr));
}

} // namespace x86
