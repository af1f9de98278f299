#pragma once
// A pure reader of cpio "newc" archives (magic 070701, or 070702 with checksums)
// over a byte span: compiled into the kernel, the host tool and the unit tests.
// It never reads outside the span; a truncated or corrupt archive is an EINVAL
// with a one-line reason for a person (error_text()).
#include "fs/errno_guard.h"
#include "core/result.h"
#include "core/string.h"
#include "core/types.h"

namespace fs {

using core::ErrorOr;

struct CpioEntry {
    core::StringView name; // without the NUL; points into the archive
    u32 ino, mode, uid, gid, nlink;
    u64 mtime;
    u32 dev_major, dev_minor, rdev_major, rdev_minor;
    const u8* data; // file data (or symlink target) in place, `size` bytes
    size_t size;
};

class CpioReader {
public:
    static constexpr size_t HEADER_SIZE = 110;

    CpioReader(const u8* data, size_t size) : m_data(data), m_size(size) {}

    // Reads the next entry into `out`: true when there is one, false at the end
    // (the TRAILER!!! entry, after which only NUL padding or further archives may
    // follow, as in Linux's concatenated initramfs).
    Result<bool> next(CpioEntry& out);

    // Why the last next() failed, and where (offset of the bad header).
    const char* error_text() const { return m_error; }
    size_t error_offset() const { return m_error_offset; }

private:
    Errno fail(const char* why, size_t at);
    ErrorOr read_header(CpioEntry& out);
    const u8* m_data;
    size_t m_size;
    size_t m_pos { 0 };
    bool m_done { false };
    bool m_in_archive { false }; // entries read since the last trailer
    const char* m_error { nullptr };
    size_t m_error_offset { 0 };
};

} // namespace fs
