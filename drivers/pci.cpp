#include "drivers/pci.h"
#include "platform/x86_64/cpu.h"

namespace drivers::pci {

namespace {
void select(Address a, u8 offset)
{
    x86::outl(0xcf8, 0x80000000u | u32(a.bus) << 16 | u32(a.device) << 11 | u32(a.function) << 8 | (offset & 0xfc));
}
} // namespace

u32 read32(Address a, u8 offset)
{
    select(a, offset);
    return x86::inl(0xcfc);
}

u16 read16(Address a, u8 offset) { return u16(read32(a, offset) >> ((offset & 2) * 8)); }

u8 read8(Address a, u8 offset) { return u8(read32(a, offset) >> ((offset & 3) * 8)); }

void write32(Address a, u8 offset, u32 value)
{
    select(a, offset);
    x86::outl(0xcfc, value);
}

void write16(Address a, u8 offset, u16 value)
{
    u32 old = read32(a, offset);
    u32 shift = (offset & 2) * 8;
    write32(a, offset, (old & ~(0xffffu << shift)) | u32(value) << shift);
}

u64 bar_address(Address a, u8 bar)
{
    u32 lo = read32(a, u8(0x10 + 4 * bar));
    if (lo & 1) return 0; // an I/O BAR
    u64 addr = lo & ~0xfu;
    if (((lo >> 1) & 3) == 2) addr |= u64(read32(a, u8(0x14 + 4 * bar))) << 32;
    return addr;
}

void scan(void (*found)(Address a, u16 vendor, u16 device))
{
    for (u8 dev = 0; dev < 32; dev++) {
        for (u8 fn = 0; fn < 8; fn++) {
            Address a { 0, dev, fn };
            u32 id = read32(a, 0);
            if ((id & 0xffff) == 0xffff) {
                if (fn == 0) break;
                continue;
            }
            found(a, u16(id), u16(id >> 16));
            if (fn == 0 && !(read8(a, 0x0e) & 0x80)) break; // not multi-function
        }
    }
}

} // namespace drivers::pci
