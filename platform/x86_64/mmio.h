#pragma once
// Device registers: physical MMIO ranges mapped uncached into a window of
// kernel addresses (after the local APIC's page), and volatile accessors.
#include "core/types.h"
#include "core/result.h"

namespace x86 {

// Maps [pa, pa + size) (page-rounded) and returns the kernel address of pa.
// Mappings are never undone: devices stay for the life of the VM.
Result<u8*> map_mmio_range(u64 pa, size_t size);

inline u32 mmio_read32(const volatile void* base, u32 off) { return *reinterpret_cast<const volatile u32*>(static_cast<const volatile u8*>(base) + off); }
inline u8 mmio_read8(const volatile void* base, u32 off) { return *(static_cast<const volatile u8*>(base) + off); }
inline void mmio_write32(volatile void* base, u32 off, u32 v) { *reinterpret_cast<volatile u32*>(static_cast<volatile u8*>(base) + off) = v; }

} // namespace x86
