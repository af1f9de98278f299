#pragma once
// Whole pages for file data: the ramfs page cache. In the kernel they are
// physical pages seen through the physmap, so a MAP_SHARED mapping maps the
// very page the file holds and read()/write() and the mapping share bytes
// (fs/page_memory_kernel.cpp). On the host (unit tests) they are aligned heap
// memory and nothing maps them (fs/page_memory_host.cpp).
#include "fs/errno_guard.h"
#include "core/types.h"

namespace fs {

class Inode;

// A zeroed, PAGE_SIZE-aligned page; null when memory is out.
u8* alloc_file_page();
void free_file_page(u8* page);
// The physical address of a page from alloc_file_page (kernel only).
u64 file_page_phys(const u8* page);
// The file is about to drop its pages from byte `from` (a page boundary) on:
// every mapping of them leaves the program's page tables first, so no page
// table keeps a freed page and the next touch faults (SIGBUS past the end).
void unmap_file_pages(const Inode& file, u64 from);

} // namespace fs
