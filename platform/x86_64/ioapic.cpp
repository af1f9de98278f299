#include "platform/x86_64/ioapic.h"
#include "platform/x86_64/mmio.h"

namespace x86 {

namespace {
volatile u8* g_ioapic;
u32 g_pins;

// IOREGSEL at 0, IOWIN at 0x10.
u32 read_reg(u32 reg)
{
    mmio_write32(g_ioapic, 0, reg);
    return mmio_read32(g_ioapic, 0x10);
}
void write_reg(u32 reg, u32 v)
{
    mmio_write32(g_ioapic, 0, reg);
    mmio_write32(g_ioapic, 0x10, v);
}
} // namespace

ErrorOr ioapic_init()
{
    if (g_ioapic) return {};
    g_ioapic = TRY(map_mmio_range(IOAPIC_DEFAULT_PA, 0x20));
    g_pins = ((read_reg(1) >> 16) & 0xff) + 1; // IOAPICVER: maximum redirection entry
    for (u32 pin = 0; pin < g_pins; pin++) {
        write_reg(0x10 + 2 * pin, 1u << 16); // masked
        write_reg(0x11 + 2 * pin, 0);
    }
    return {};
}

ErrorOr ioapic_route(u32 gsi, u8 vector, bool level_triggered, bool active_low)
{
    TRY(ioapic_init());
    if (gsi >= g_pins) return Errno::EINVAL;
    // Fixed delivery, physical destination: APIC id 0, the boot CPU.
    write_reg(0x11 + 2 * gsi, 0);
    write_reg(0x10 + 2 * gsi, u32(vector) | (active_low ? 1u << 13 : 0) | (level_triggered ? 1u << 15 : 0));

    return {};
}

} // namespace x86
