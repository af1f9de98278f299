#pragma once
// PCI configuration space through the legacy ports 0xcf8/0xcfc (q35 has
// them; microvm has no PCI, and every read there answers 0xffffffff).
#include "core/types.h"

namespace drivers::pci {

struct Address {
    u8 bus, device, function;
};

u32 read32(Address a, u8 offset);
u16 read16(Address a, u8 offset);
u8 read8(Address a, u8 offset);
void write32(Address a, u8 offset, u32 value);
void write16(Address a, u8 offset, u16 value);

// The physical address a memory BAR holds (64-bit BARs take two slots).
u64 bar_address(Address a, u8 bar);

// Calls found(address, vendor, device) for every function on bus 0, the
// root bus where q35 puts devices given without a bus.
void scan(void (*found)(Address a, u16 vendor, u16 device));

} // namespace drivers::pci
