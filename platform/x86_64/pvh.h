#pragma once
// The Xen PVH start info (xen/include/public/arch-x86/hvm/start_info.h).
#include "core/types.h"

namespace pvh {
constexpr u32 START_MAGIC = 0x336ec578;
struct StartInfo {
    u32 magic, version, flags, nr_modules;
    u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    u32 memmap_entries, reserved;
};
struct Module { u64 paddr, size, cmdline_paddr, reserved; };
struct MemmapEntry { u64 addr, size; u32 type, reserved; };
constexpr u32 MEMMAP_RAM = 1;
} // namespace pvh
