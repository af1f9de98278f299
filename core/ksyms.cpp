#include "core/ksyms.h"

extern "C" const u8 __ksyms_start[], __ksyms_end[];

namespace core {

namespace {
struct Entry { u64 addr; u32 name; u32 pad; };
}

const char* symbolize(u64 addr, u64* offset)
{
    u64 count = *reinterpret_cast<const u64*>(__ksyms_start);
    if (!count) return nullptr;
    auto* e = reinterpret_cast<const Entry*>(__ksyms_start + 8);
    auto* names = reinterpret_cast<const char*>(e + count);
    if (addr < e[0].addr) return nullptr;
    u64 lo = 0, hi = count; // last entry with e.addr <= addr
    while (hi - lo > 1) {
        u64 mid = (lo + hi) / 2;
        if (e[mid].addr <= addr) lo = mid;
        else hi = mid;
    }
    if (offset) *offset = addr - e[lo].addr;
    return names + e[lo].name;
}

} // namespace core
