#pragma once
// The I/O APIC: routes a global system interrupt (GSI: a pin) to a vector on
// the boot CPU. microvm and q35 both have one at 0xfec00000 with ISA IRQs on
// pins 0-15 and, on microvm, the virtio-mmio slots on pins 5-12 (with
// ioapic2=off, as elfin starts it); q35's PCI devices use MSI-X instead.
#include "core/types.h"
#include "core/result.h"

namespace x86 {

constexpr u64 IOAPIC_DEFAULT_PA = 0xfec00000;

// Maps the I/O APIC and masks every pin; idempotent.
ErrorOr ioapic_init();
// Unmasks `gsi`, delivering `vector` to the boot CPU's local APIC.
// Level-triggered pins stay asserted until the device is acknowledged.
ErrorOr ioapic_route(u32 gsi, u8 vector, bool level_triggered, bool active_low);

} // namespace x86
