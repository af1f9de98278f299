#include "tools/cpio.h"

#include <array>
#include <cstdio>

namespace elfin {

namespace {

constexpr std::string_view MAGIC = "070701";
constexpr std::string_view TRAILER = "TRAILER!!!";
constexpr size_t HEADER_SIZE = 110; // magic + 13 fields of 8 hex digits

constexpr uint64_t padding_for(uint64_t n) { return (4 - (n % 4)) % 4; }

} // namespace

Expected<std::string> normalize_guest_path(std::string_view path)
{
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        auto part = path.substr(i, j - i);
        if (part == "..") {
            if (parts.empty()) return Error { "the path " + std::string(path) + " leaves the root directory" };
            parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (auto p : parts) {
        if (!out.empty()) out += '/';
        out += p;
    }
    return out;
}

Expected<std::string> CpioWriter::prepare(std::string_view path)
{
    if (m_finished) return Error { "internal: cpio archive already finished" };
    auto name = ELFIN_TRY(normalize_guest_path(path));
    if (name.empty()) return Error { "cannot add the root directory itself to the image" };
    if (name.size() > 4095) return Error { "path too long for the image: " + name };
    if (name == TRAILER) return Error { "the name TRAILER!!! is reserved in cpio archives" };
    // Every parent first, so an unpacker never meets a child before its directory.
    for (size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
        auto parent = name.substr(0, slash);
        if (m_paths.count(parent)) continue;
        write_header(parent, CPIO_S_IFDIR | CPIO_DEFAULT_DIR_MODE, 2, 0, 0);
        m_paths.insert(parent);
        m_implicit_dirs.insert(parent);
    }
    return name;
}

void CpioWriter::write_header(std::string_view name, uint32_t mode, uint32_t nlink, uint32_t mtime, uint64_t size)
{
    char buf[HEADER_SIZE + 1];
    uint32_t ino = name == TRAILER ? 0 : m_next_ino++;
    std::snprintf(buf, sizeof buf, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", MAGIC.data(),
        ino, mode, 0u, 0u, nlink, mtime, static_cast<uint32_t>(size), 0u, 0u, 0u, 0u,
        static_cast<uint32_t>(name.size() + 1), 0u);
    m_out.write(buf, HEADER_SIZE);
    m_out.write(name.data(), static_cast<std::streamsize>(name.size()));
    m_out.put('\0');
    m_offset += HEADER_SIZE + name.size() + 1;
    pad();
}

void CpioWriter::pad()
{
    static constexpr char zeros[4] = {};
    auto n = padding_for(m_offset);
    m_out.write(zeros, static_cast<std::streamsize>(n));
    m_offset += n;
}

Status CpioWriter::check_stream()
{
    if (!m_out) return Error { "could not write the image (disk full?)" };
    return Ok {};
}

Status CpioWriter::add_directory(std::string_view path, uint32_t perm, uint32_t mtime)
{
    auto name = ELFIN_TRY(prepare(path));
    if (m_paths.count(name)) {
        // A directory we made up as a parent can be given its real mode later
        // by writing the entry again: unpackers apply the last one.
        if (!m_implicit_dirs.count(name)) return Error { "/" + name + " is added to the image twice" };
        m_implicit_dirs.erase(name);
    }
    write_header(name, CPIO_S_IFDIR | (perm & 07777), 2, mtime, 0);
    m_paths.insert(name);
    return check_stream();
}

Status CpioWriter::add_file(std::string_view path, uint32_t perm, std::string_view data, uint32_t mtime)
{
    auto name = ELFIN_TRY(prepare(path));
    if (m_paths.count(name)) return Error { "/" + name + " is added to the image twice" };
    if (data.size() > UINT32_MAX) return Error { "/" + name + " is too large for a cpio image (4 GiB limit)" };
    write_header(name, CPIO_S_IFREG | (perm & 07777), 1, mtime, data.size());
    m_out.write(data.data(), static_cast<std::streamsize>(data.size()));
    m_offset += data.size();
    pad();
    m_paths.insert(name);
    return check_stream();
}

Status CpioWriter::add_file_from(std::string_view path, uint32_t perm, uint64_t size, std::istream& in, uint32_t mtime)
{
    auto name = ELFIN_TRY(prepare(path));
    if (m_paths.count(name)) return Error { "/" + name + " is added to the image twice" };
    if (size > UINT32_MAX) return Error { "/" + name + " is too large for a cpio image (4 GiB limit)" };
    write_header(name, CPIO_S_IFREG | (perm & 07777), 1, mtime, size);
    std::array<char, 1 << 16> buf;
    uint64_t left = size;
    while (left) {
        auto want = static_cast<std::streamsize>(std::min<uint64_t>(left, buf.size()));
        in.read(buf.data(), want);
        if (in.gcount() != want) return Error { "/" + name + " changed size while the image was built" };
        m_out.write(buf.data(), want);
        left -= static_cast<uint64_t>(want);
    }
    m_offset += size;
    pad();
    m_paths.insert(name);
    return check_stream();
}

Status CpioWriter::add_symlink(std::string_view path, std::string_view target, uint32_t mtime)
{
    auto name = ELFIN_TRY(prepare(path));
    if (m_paths.count(name)) return Error { "/" + name + " is added to the image twice" };
    if (target.empty()) return Error { "symlink /" + name + " has an empty target" };
    write_header(name, CPIO_S_IFLNK | 0777, 1, mtime, target.size());
    m_out.write(target.data(), static_cast<std::streamsize>(target.size()));
    m_offset += target.size();
    pad();
    m_paths.insert(name);
    return check_stream();
}

Status CpioWriter::finish()
{
    if (m_finished) return Error { "internal: cpio archive already finished" };
    write_header(TRAILER, 0, 1, 0, 0);
    m_finished = true;
    m_out.flush();
    return check_stream();
}

bool CpioWriter::contains(std::string_view path) const
{
    auto name = normalize_guest_path(path);
    return name.ok() && m_paths.count(name.value());
}

namespace {

bool parse_hex8(std::string_view s, uint32_t& out)
{
    uint32_t v = 0;
    for (char c : s) {
        uint32_t d;
        if (c >= '0' && c <= '9') d = static_cast<uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<uint32_t>(c - 'A' + 10);
        else return false;
        v = v << 4 | d;
    }
    out = v;
    return true;
}

} // namespace

Expected<std::vector<CpioEntry>> parse_cpio(std::string_view a)
{
    std::vector<CpioEntry> entries;
    size_t off = 0;
    for (;;) {
        if (a.size() - off < HEADER_SIZE) return Error { "cpio: truncated header at offset " + std::to_string(off) };
        if (a.substr(off, 6) != MAGIC) return Error { "cpio: bad magic at offset " + std::to_string(off) };
        uint32_t f[13];
        for (int i = 0; i < 13; i++)
            if (!parse_hex8(a.substr(off + 6 + static_cast<size_t>(i) * 8, 8), f[i]))
                return Error { "cpio: bad hex field at offset " + std::to_string(off) };
        uint32_t namesize = f[11], filesize = f[6];
        size_t name_off = off + HEADER_SIZE;
        if (namesize == 0 || a.size() - name_off < namesize) return Error { "cpio: truncated name" };
        if (a[name_off + namesize - 1] != '\0') return Error { "cpio: name not NUL-terminated" };
        std::string name(a.substr(name_off, namesize - 1));
        size_t data_off = name_off + namesize;
        data_off += padding_for(data_off);
        if (data_off > a.size() || a.size() - data_off < filesize) return Error { "cpio: truncated data of " + name };
        if (name == TRAILER) return entries;
        CpioEntry e;
        e.name = std::move(name);
        e.ino = f[0], e.mode = f[1], e.uid = f[2], e.gid = f[3], e.nlink = f[4], e.mtime = f[5];
        e.devmajor = f[7], e.devminor = f[8], e.rdevmajor = f[9], e.rdevminor = f[10];
        e.data = std::string(a.substr(data_off, filesize));
        entries.push_back(std::move(e));
        off = data_off + filesize;
        off += padding_for(off);
        if (off > a.size()) return Error { "cpio: truncated padding" };
    }
}

} // namespace elfin
