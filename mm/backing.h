#pragma once
// What a file-backed mapping reads its pages from. mm sits below fs, so the
// file system implements this interface (fs/mmap_backing.cpp) and mm holds
// only the reference.
#include "core/ref.h"
#include "core/result.h"
#include "core/types.h"

namespace mm {

class Backing : public core::RefCounted {
public:
    // Copies up to n bytes at offset into dst; returns how many were there
    // (fewer at end of file: the rest of the page stays zero).
    virtual size_t read(u64 offset, u8* dst, size_t n) = 0;
    // The file's size now: a page starting at or past it is SIGBUS. The
    // defaults below are for backings that are no file (the vDSO image).
    virtual u64 size() const { return ~0ull; }
    // The physical address of the file's own page-cache page holding
    // [offset, offset + PAGE_SIZE) (offset page-aligned, below size()), made if
    // absent: what a MAP_SHARED mapping maps. It stays the file's: unmapping
    // never frees it, and the file unmaps it before dropping it (truncate).
    virtual Result<u64> shared_page(u64) { return Errno::ENODEV; }
    // Whether the page at offset is in memory (mincore).
    virtual bool resident(u64) const { return false; }
    // MADV_REMOVE on a shared mapping: the bytes become zeros in the file.
    virtual ErrorOr punch_hole(u64, u64) { return Errno::EINVAL; }
    // The file itself, to find its mappings (fs::unmap_file_pages).
    virtual const void* object() const { return this; }
    // A name for /proc/self/maps (the file's path).
    virtual const char* name() const = 0;
};

} // namespace mm
