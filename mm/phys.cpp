// Page allocator: a bump pointer over the usable ranges (so boot touches no
// memory it does not use — boot speed matters) plus a free list of returned
// pages, linked through the pages themselves.
#include "mm/phys.h"
#include "core/string.h"
#include "core/verify.h"

namespace mm {

u64 g_phys_window = KERNEL_VMA;

namespace {
constexpr int MAX_RANGES = 64;
PhysRange g_ranges[MAX_RANGES];
int g_nranges;
int g_cur;          // range the bump pointer is in
u64 g_bump;
u64 g_free_list;    // physical address of the first free page, 0 = none
u64 g_total, g_used, g_max;
u64 g_peak_used;   // the most pages ever in use (getrusage's ru_maxrss)

void add_range(u64 s, u64 e)
{
    s = page_round_up(s);
    e = page_round_down(e);
    if (s < 0x100000) s = 0x100000; // keep the first MiB (BIOS, PVH structures)
    if (e <= s || g_nranges == MAX_RANGES) return;
    g_ranges[g_nranges++] = { s, e };
    g_total += (e - s) / PAGE_SIZE;
}
} // namespace

u64 virt_to_phys(const void* p)
{
    u64 v = reinterpret_cast<u64>(p);
    if (v >= KERNEL_VMA) return v - KERNEL_VMA;
    VERIFY(v >= PHYSMAP_BASE && v < HEAP_BASE);
    return v - PHYSMAP_BASE;
}

void phys_init(const PhysRange* usable, int nusable, const PhysRange* reserved, int nreserved)
{
    // Subtract reserved ranges from usable ones (a reserved range can split one).
    for (int i = 0; i < nusable; i++) {
        u64 pieces[2 * 16 + 2][2];
        int np = 0;
        pieces[np][0] = usable[i].start;
        pieces[np][1] = usable[i].end;
        np++;
        for (int r = 0; r < nreserved; r++) {
            int n2 = np;
            for (int k = 0; k < np && n2 < 32; k++) {
                u64 s = pieces[k][0], e = pieces[k][1];
                u64 rs = reserved[r].start, re = reserved[r].end;
                if (re <= s || rs >= e) continue;
                pieces[k][1] = rs > s ? rs : s;
                if (re < e) { pieces[n2][0] = re; pieces[n2][1] = e; n2++; }
            }
            np = n2;
        }
        for (int k = 0; k < np; k++) add_range(pieces[k][0], pieces[k][1]);
        if (usable[i].end > g_max) g_max = usable[i].end;
    }
    // Ascending order keeps early allocations in the boot-mapped first GiB.
    for (int i = 1; i < g_nranges; i++)
        for (int j = i; j > 0 && g_ranges[j].start < g_ranges[j - 1].start; j--) {
            PhysRange t = g_ranges[j]; g_ranges[j] = g_ranges[j - 1]; g_ranges[j - 1] = t;
        }
    VERIFY(g_nranges > 0);
    g_cur = 0;
    g_bump = g_ranges[0].start;
}

Result<u64> alloc_page()
{
    u64 pa;
    if (g_free_list) {
        pa = g_free_list;
        g_free_list = *static_cast<u64*>(phys_to_virt(pa));
    } else {
        while (g_cur < g_nranges && g_bump >= g_ranges[g_cur].end) {
            if (++g_cur < g_nranges) g_bump = g_ranges[g_cur].start;
        }
        if (g_cur >= g_nranges) return Errno::ENOMEM;
        pa = g_bump;
        g_bump += PAGE_SIZE;
    }
    if (++g_used > g_peak_used) g_peak_used = g_used;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

void free_page(u64 pa)
{
    VERIFY(pa && (pa & (PAGE_SIZE - 1)) == 0);
    *static_cast<u64*>(phys_to_virt(pa)) = g_free_list;
    g_free_list = pa;
    g_used--;
}

u64 phys_total_pages() { return g_total; }
u64 phys_free_pages() { return g_total - g_used; }
u64 phys_peak_used_pages() { return g_peak_used; }
u64 phys_max_address() { return g_max; }

} // namespace mm
