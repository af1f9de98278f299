#pragma once
// What a file-backed mapping reads its pages from. mm sits below fs, so the
// file system implements this interface (fs/mmap_backing.cpp) and mm holds
// only the reference.
#include "core/ref.h"
#include "core/types.h"

namespace mm {

class Backing : public core::RefCounted {
public:
    // Copies up to n bytes at offset into dst; returns how many were there
    // (fewer at end of file: the rest of the page stays zero).
    virtual size_t read(u64 offset, u8* dst, size_t n) = 0;
    // A name for /proc/self/maps (the file's path).
    virtual const char* name() const = 0;
};

} // namespace mm
