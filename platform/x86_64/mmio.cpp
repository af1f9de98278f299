#include "platform/x86_64/mmio.h"
#include "platform/x86_64/paging.h"

namespace x86 {

namespace {
// 0xffffffffff000000 is the local APIC's page (core/time.cpp); the window
// starts 1 MiB above and has room for 255 MiB of registers.
constexpr u64 MMIO_WINDOW = 0xffffffffff100000ull, MMIO_WINDOW_END = 0xfffffffffff00000ull;
u64 g_next = MMIO_WINDOW;
} // namespace

Result<u8*> map_mmio_range(u64 pa, size_t size)
{
    u64 first = pa & ~0xfffull, last = (pa + size + 0xfff) & ~0xfffull;
    if (g_next + (last - first) > MMIO_WINDOW_END) return Errno::ENOMEM;
    u64 va = g_next;
    for (u64 p = first; p < last; p += 0x1000) TRY(paging::map_mmio(va + (p - first), p));
    g_next += last - first;
    return reinterpret_cast<u8*>(va + (pa - first));
}

} // namespace x86
