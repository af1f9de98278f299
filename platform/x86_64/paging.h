#pragma once
// x86-64 4-level page tables. One PML4 for the whole machine: the kernel half
// (physmap, heap, image) and the single program's lower half.
#include "core/types.h"
#include "core/result.h"

namespace paging {

constexpr u64 P = 1, W = 2, U = 4, PWT = 8, PCD = 16, A = 32, D = 64, PS = 128, G = 256;
constexpr u64 NX = 1ull << 63;
constexpr u64 ADDR_MASK = 0x000ffffffffff000ull;

// Builds the final kernel tables (physmap of all RAM, the image with per-section
// permissions, NX on data) and switches to them.
void init_kernel_tables(u64 max_phys);

ErrorOr map(u64 va, u64 pa, u64 flags);        // 4 KiB page; replaces nothing
u64 unmap(u64 va);                             // returns the old physical address or 0
u64* lookup(u64 va);                           // the PTE, or nullptr if no table
void set_flags(u64 va, u64 flags);             // keeps the address
void flush(u64 va);      // this CPU's TLB entry for va
void flush_all();
// Every other CPU drops its TLB entries for user pages, before this returns:
// after user entries were removed or lost permissions (flush() did this
// CPU's), and before the frames they named are reused.
void flush_other_cpus();
ErrorOr map_mmio(u64 va, u64 pa);              // uncached, kernel-only

} // namespace paging
