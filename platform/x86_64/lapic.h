#pragma once
// The local APIC's registers (xAPIC, memory-mapped at LAPIC_VA on every CPU:
// each CPU's accesses reach its own APIC). core/time.cpp maps the page and
// runs the timer; this is what SMP needs besides: ids, EOI and IPIs.
#include "core/types.h"

namespace x86::lapic {

constexpr u64 VA = 0xffffffffff000000ull;
constexpr u32 REG_ID = 0x20, REG_EOI = 0xb0, REG_ICR_LO = 0x300, REG_ICR_HI = 0x310;
constexpr u32 ICR_PENDING = 1 << 12;
constexpr u32 ICR_INIT = 0x4500, ICR_STARTUP = 0x4600, ICR_FIXED = 0x4000, ICR_NMI = 0x4400;

inline void write(u32 reg, u32 v) { reinterpret_cast<volatile u32*>(VA)[reg / 4] = v; }
inline u32 read(u32 reg) { return reinterpret_cast<volatile u32*>(VA)[reg / 4]; }
inline u32 id() { return read(REG_ID) >> 24; }
inline void eoi() { write(REG_EOI, 0); }

// Sends `icr` (delivery mode and vector) to the APIC `apic_id` and waits
// until the APIC has taken it (with interrupts off meanwhile, so no handler
// on this CPU writes the ICR in between).
void send_ipi(u32 apic_id, u32 icr);

} // namespace x86::lapic
