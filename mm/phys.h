#pragma once
// Physical memory: all RAM is mapped at PHYSMAP_BASE once paging is set up
// (before that, the boot map's higher half reaches the first GiB).
#include "core/types.h"
#include "core/result.h"

namespace mm {

constexpr u64 KERNEL_VMA = 0xffffffff80000000ull;
constexpr u64 PHYSMAP_BASE = 0xffff800000000000ull;
constexpr u64 HEAP_BASE = 0xffffc00000000000ull;

extern u64 g_phys_window; // KERNEL_VMA during early boot, PHYSMAP_BASE after

inline void* phys_to_virt(u64 pa) { return reinterpret_cast<void*>(pa + g_phys_window); }
u64 virt_to_phys(const void* p);

struct PhysRange { u64 start, end; };

// `usable` are RAM ranges from the firmware; `reserved` are ranges inside them
// that must never be handed out (kernel image, initramfs, start info).
void phys_init(const PhysRange* usable, int nusable, const PhysRange* reserved, int nreserved);
Result<u64> alloc_page();        // zeroed
void free_page(u64 pa);
u64 phys_total_pages();
u64 phys_free_pages();
u64 phys_peak_used_pages();       // the most pages in use at any time since boot
u64 phys_max_address();          // end of the highest usable range

} // namespace mm
