#include "fs/cpio.h"

namespace fs {

namespace {

constexpr size_t align4(size_t v) { return (v + 3) & ~size_t(3); }

bool parse_hex8(const u8* p, u32& out)
{
    u32 v = 0;
    for (int i = 0; i < 8; i++) {
        u8 c = p[i];
        u32 d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return false;
        v = (v << 4) | d;
    }
    out = v;
    return true;
}

} // namespace

Errno CpioReader::fail(const char* why, size_t at)
{
    m_error = why;
    m_error_offset = at;
    m_done = true;
    return Errno::EINVAL;
}

Result<bool> CpioReader::next(CpioEntry& out)
{
    if (m_done) {
        if (m_error) return Errno::EINVAL;
        return false;
    }
    for (;;) {
        TRY(read_header(out));
        if (m_done) return false;
        if (!(out.name == "TRAILER!!!")) {
            m_in_archive = true;
            return true;
        }
        // Another archive may be concatenated after the trailer's padding.
        m_in_archive = false;
    }
}

ErrorOr CpioReader::read_header(CpioEntry& out)
{
    // Between archives (and after the last) only NUL padding may appear; a
    // header starts on a 4-byte boundary.
    while (m_pos < m_size && m_data[m_pos] == 0) m_pos++;
    if (m_pos >= m_size) {
        if (m_in_archive) return fail("archive ends without a TRAILER!!! entry", m_size);
        m_done = true;
        return {};
    }
    size_t start = m_pos;
    if (start % 4) return fail("cpio header is not 4-byte aligned", start);
    if (m_size - start < HEADER_SIZE) return fail("truncated cpio header", start);
    const u8* h = m_data + start;
    if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
        return fail("bad cpio magic (only the newc format, 070701/070702, is supported)", start);

    u32 f[13];
    for (int i = 0; i < 13; i++)
        if (!parse_hex8(h + 6 + 8 * i, f[i])) return fail("bad hex digit in cpio header", start);
    u32 namesize = f[11];
    u32 filesize = f[6];
    if (namesize == 0) return fail("cpio entry with an empty name", start);
    size_t name_at = start + HEADER_SIZE;
    if (namesize > m_size - name_at) return fail("cpio name runs past the end of the archive", start);
    if (m_data[name_at + namesize - 1] != 0) return fail("cpio name is not NUL-terminated", start);
    core::StringView name(reinterpret_cast<const char*>(m_data + name_at), namesize - 1);
    if (name.find('\0') != SIZE_MAX) return fail("cpio name contains a NUL", start);

    size_t data_at = align4(name_at + namesize);
    if (data_at > m_size) data_at = m_size; // padding may be cut at the very end
    if (filesize > m_size - data_at) return fail("cpio file data runs past the end of the archive", start);
    size_t next_at = align4(data_at + filesize);
    m_pos = next_at < m_size ? next_at : m_size;

    out.name = name;
    out.ino = f[0];
    out.mode = f[1];
    out.uid = f[2];
    out.gid = f[3];
    out.nlink = f[4];
    out.mtime = f[5];
    out.dev_major = f[7];
    out.dev_minor = f[8];
    out.rdev_major = f[9];
    out.rdev_minor = f[10];
    out.data = m_data + data_at;
    out.size = filesize;
    return {};
}

} // namespace fs
