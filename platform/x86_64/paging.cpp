#include "platform/x86_64/paging.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/smp.h"
#include "mm/phys.h"
#include "core/string.h"
#include "core/verify.h"

extern "C" char __kernel_text_start[], __kernel_text_end[], __kernel_rodata_end[], __kernel_end[];

namespace paging {

namespace {
u64 g_pml4_pa;

u64* table(u64 pa) { return static_cast<u64*>(mm::phys_to_virt(pa)); }

Result<u64*> walk(u64 va, bool create, u64 leaf_level_flags_user)
{
    u64* t = table(g_pml4_pa);
    for (int shift = 39; shift > 12; shift -= 9) {
        u64& e = t[(va >> shift) & 511];
        if (!(e & P)) {
            if (!create) return Errno::ENOENT;
            u64 pa = TRY(mm::alloc_page());
            e = pa | P | W | leaf_level_flags_user;
        } else if (leaf_level_flags_user && !(e & U)) {
            e |= U;
        }
        VERIFY(!(e & PS));
        t = table(e & ADDR_MASK);
    }
    return &t[(va >> 12) & 511];
}
} // namespace

void init_kernel_tables(u64 max_phys)
{
    g_pml4_pa = MUST(mm::alloc_page());
    u64* pml4 = table(g_pml4_pa);
    bool gb_pages = x86::g_features.pdpe1gb;
    // Physmap: all RAM, read/write, no execute, global.
    u64 end = (max_phys + (1ull << 30) - 1) & ~((1ull << 30) - 1);
    for (u64 pa = 0; pa < end; pa += 1ull << 30) {
        u64 va = mm::PHYSMAP_BASE + pa;
        u64& l4 = pml4[(va >> 39) & 511];
        if (!(l4 & P)) l4 = MUST(mm::alloc_page()) | P | W;
        u64* pdpt = table(l4 & ADDR_MASK);
        if (gb_pages) {
            pdpt[(va >> 30) & 511] = pa | P | W | PS | G | NX;
            continue;
        }
        u64 pd_pa = MUST(mm::alloc_page());
        pdpt[(va >> 30) & 511] = pd_pa | P | W;
        u64* pd = table(pd_pa);
        for (int i = 0; i < 512; i++) pd[i] = (pa + (u64(i) << 21)) | P | W | PS | G | NX;
    }
    // The kernel image in 4 KiB pages: text RX, rodata R, data/bss RW+NX.
    u64 start = reinterpret_cast<u64>(__kernel_text_start);
    u64 kend = page_round_up(reinterpret_cast<u64>(__kernel_end));
    for (u64 va = start; va < kend; va += PAGE_SIZE) {
        u64 flags = P | G;
        if (va >= reinterpret_cast<u64>(__kernel_text_end)) flags |= NX;
        if (va >= reinterpret_cast<u64>(__kernel_rodata_end)) flags |= W;
        u64* pte = MUST(walk(va, true, 0));
        *pte = (va - mm::KERNEL_VMA) | flags;
    }
    x86::write_cr3(g_pml4_pa);
    mm::g_phys_window = mm::PHYSMAP_BASE;
}

ErrorOr map(u64 va, u64 pa, u64 flags)
{
    u64* pte = TRY(walk(va, true, flags & U));
    VERIFY(!(*pte & P));
    *pte = pa | flags | P;
    return {};
}

u64 unmap(u64 va)
{
    u64* pte = lookup(va);
    if (!pte || !(*pte & P)) return 0;
    u64 pa = *pte & ADDR_MASK;
    *pte = 0;
    flush(va);
    return pa;
}

u64* lookup(u64 va)
{
    auto r = walk(va, false, 0);
    return r.is_error() ? nullptr : r.value();
}

void set_flags(u64 va, u64 flags)
{
    u64* pte = lookup(va);
    if (!pte || !(*pte & P)) return;
    *pte = (*pte & ADDR_MASK) | flags | P;
    flush(va);
}

void flush(u64 va) { x86::invlpg(va); }
void flush_all() { x86::write_cr3(x86::read_cr3()); }
void flush_other_cpus() { x86::smp::tlb_shootdown(); }

ErrorOr map_mmio(u64 va, u64 pa)
{
    return map(va, pa, W | PCD | PWT | NX | G);
}

} // namespace paging
