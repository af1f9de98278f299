// The kernel's side of fs/page_memory.h: page-cache pages are physical pages.
#include "fs/page_memory.h"
#include "mm/address_space.h"
#include "mm/phys.h"

namespace fs {

u8* alloc_file_page()
{
    auto pa = mm::alloc_page();
    if (pa.is_error()) return nullptr;
    return static_cast<u8*>(mm::phys_to_virt(pa.value()));
}

void free_file_page(u8* page) { mm::free_page(mm::virt_to_phys(page)); }

u64 file_page_phys(const u8* page) { return mm::virt_to_phys(page); }

void unmap_file_pages(const Inode& file, u64 from) { mm::address_space().unmap_file_pages(&file, from); }

} // namespace fs
