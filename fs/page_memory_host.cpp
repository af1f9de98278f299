// The host's side of fs/page_memory.h: aligned heap pages, no page tables.
#include "fs/page_memory.h"
#include "core/string.h"
#include <new>

namespace fs {

u8* alloc_file_page()
{
    auto* p = static_cast<u8*>(::operator new(PAGE_SIZE, std::align_val_t(PAGE_SIZE), std::nothrow));
    if (p) memset(p, 0, PAGE_SIZE);
    return p;
}

void free_file_page(u8* page) { ::operator delete(page, std::align_val_t(PAGE_SIZE)); }

u64 file_page_phys(const u8* page) { return reinterpret_cast<u64>(page); }

void unmap_file_pages(const Inode&, u64) {}

} // namespace fs
