#pragma once
#include "core/types.h"

namespace mm {
// Small blocks come from per-size-class slabs in the physmap; large ones get
// their own pages in the heap region. Returns nullptr when memory runs out.
void* kmalloc(size_t n);
void kfree(void* p);
u64 heap_bytes_in_use();
} // namespace mm
