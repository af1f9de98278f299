#include "loader/vdso.h"
#include "core/ref.h"
#include "core/string.h"
#include "core/vvar.h"
#include "mm/address_space.h"
#include "mm/backing.h"
#include "mm/phys.h"

extern "C" const u8 vdso_image_start[], vdso_image_end[]; // loader/vdso/image.S

namespace loader {

namespace {

// The vDSO's pages are copied into the program on first touch like a file's:
// they never change, and a debugger may write breakpoints into its copy.
class VdsoBacking final : public mm::Backing {
public:
    size_t read(u64 offset, u8* dst, size_t n) override
    {
        size_t size = size_t(vdso_image_end - vdso_image_start);
        if (offset >= size) return 0;
        if (n > size - offset) n = size - offset;
        memcpy(dst, vdso_image_start + offset, n);
        return n;
    }
    const char* name() const override { return "[vdso]"; }
};

} // namespace

Result<u64> map_vdso()
{
    core::vvar::publish();
    auto& as = mm::address_space();
    u64 size = u64(vdso_image_end - vdso_image_start);
    u64 text_len = page_round_up(size);
    u64 base = TRY(as.find_free(PAGE_SIZE + text_len, 0));
    core::Ref<mm::Backing> backing = TRY(core::make_ref<VdsoBacking>());
    // The vvar page is the kernel's own: shared, read-only, never freed.
    TRY(as.map_fixed(mm::Vma { base, base + PAGE_SIZE, mm::PROT_READ, mm::VMA_PFNMAP, {},
                               mm::virt_to_phys(core::vvar::page()), PAGE_SIZE, "[vvar]" }));
    u64 text = base + PAGE_SIZE;
    TRY(as.map_fixed(mm::Vma { text, text + text_len, mm::PROT_READ | mm::PROT_EXEC, 0,
                               backing, 0, size, "[vdso]" }));
    return text;
}

} // namespace loader
