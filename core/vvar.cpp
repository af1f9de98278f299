#include "core/vvar.h"
#include "core/time.h"
#include "platform/x86_64/cpu.h"

namespace core::vvar {

namespace {
// Page-aligned and alone in its page: the whole page is shown to programs.
struct alignas(PAGE_SIZE) Page {
    Data data;
};
Page g_page;
} // namespace

const void* page() { return &g_page; }

void publish()
{
    Data& d = g_page.data;
    volatile u32& seq = d.seq;
    seq = seq + 1; // odd: readers wait
    asm volatile("" ::: "memory");
    u32 features = 0;
    if (x86::g_features.rdtscp) features |= VVAR_RDTSCP;
    if (x86::g_features.rdpid) features |= VVAR_RDPID;
    if (time::tsc_hz()) features |= VVAR_CLOCK;
    d.features = features;
    d.tsc_boot = time::tsc_at_boot();
    d.tsc_hz = time::tsc_hz();
    d.realtime_offset_ns = time::realtime_offset_ns();
    d.tai_offset_ns = 37000000000ull; // as syscalls/time.cpp: TAI - UTC since 2017
    d.coarse_res_ns = 4000000;        // as syscalls/time.cpp's clock_getres
    asm volatile("" ::: "memory");
    seq = seq + 1;
}

} // namespace core::vvar
