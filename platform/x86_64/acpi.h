#pragma once
// The ACPI tables the CPUs are found in: the RSDP (given by the boot protocol
// or found by scanning the BIOS area), the RSDT/XSDT it points to, and the
// MADT's local APIC entries. Pure code over bytes: the kernel reads physical
// memory through its physmap, the unit tests through a buffer.
#include "core/types.h"

namespace acpi {

// Physical memory as the parser sees it: `len` bytes at `pa`, or nullptr
// when they are not readable.
struct PhysReader {
    const u8* (*read)(void* ctx, u64 pa, u64 len);
    void* ctx;
    const u8* operator()(u64 pa, u64 len) const { return read(ctx, pa, len); }
};

// The physical address of a valid RSDP ("RSD PTR ", checksummed) in
// [base, base + len) on a 16-byte boundary, or 0.
u64 scan_rsdp(const PhysReader& mem, u64 base, u64 len);
// The table with signature `sig` (e.g. "APIC") listed by the RSDP at
// rsdp_pa, checksum verified; nullptr if absent. *len_out is its length.
const u8* find_table(const PhysReader& mem, u64 rsdp_pa, const char* sig, u32* len_out);
// The local APIC ids of the enabled processors in a MADT (types 0 and 9), in
// table order; returns how many were found (at most max are stored).
int madt_apic_ids(const u8* madt, u32 len, u32* ids, int max);

} // namespace acpi
