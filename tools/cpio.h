#pragma once
// The initramfs format (docs/boot-protocol.md §2): cpio "newc" (magic 070701),
// as `cpio -H newc` writes it. Names are stored relative ("bin/busybox"), every
// parent directory gets its own entry before its children, and the archive ends
// with TRAILER!!!.
#include "tools/expected.h"
#include <cstdint>
#include <istream>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

constexpr uint32_t CPIO_S_IFDIR = 0040000, CPIO_S_IFREG = 0100000, CPIO_S_IFLNK = 0120000;
constexpr uint32_t CPIO_DEFAULT_DIR_MODE = 0755;

// "/a/b/../c/" → "a/c"; "" or "/" → "". Returns an error for paths escaping the
// root. Guest paths must be absolute.
Expected<std::string> normalize_guest_path(std::string_view path);

class CpioWriter {
public:
    explicit CpioWriter(std::ostream& out) : m_out(out) { }

    // `path` is a guest path ("/bin/x" or "bin/x"); missing parents are added
    // as 0755 directories. Adding the same path twice is an error, except a
    // directory over a directory made implicitly (its mode is then taken).
    Status add_directory(std::string_view path, uint32_t perm, uint32_t mtime = 0);
    Status add_file(std::string_view path, uint32_t perm, std::string_view data, uint32_t mtime = 0);
    // Streams `size` bytes from `in` (large files are not held in memory).
    Status add_file_from(std::string_view path, uint32_t perm, uint64_t size, std::istream& in, uint32_t mtime = 0);
    Status add_symlink(std::string_view path, std::string_view target, uint32_t mtime = 0);
    // Writes TRAILER!!!; nothing may be added after.
    Status finish();

    bool contains(std::string_view path) const;
    uint64_t bytes_written() const { return m_offset; }

private:
    Expected<std::string> prepare(std::string_view path);
    void write_header(std::string_view name, uint32_t mode, uint32_t nlink, uint32_t mtime, uint64_t size);
    void pad();
    Status check_stream();

    std::ostream& m_out;
    uint64_t m_offset = 0;
    uint32_t m_next_ino = 1;
    bool m_finished = false;
    std::set<std::string, std::less<>> m_paths;        // everything written
    std::set<std::string, std::less<>> m_implicit_dirs; // parents we made up
};

// One entry read back from an archive (tests, `elfin inspect`).
struct CpioEntry {
    std::string name;
    uint32_t ino = 0, mode = 0, uid = 0, gid = 0, nlink = 0, mtime = 0;
    uint32_t devmajor = 0, devminor = 0, rdevmajor = 0, rdevminor = 0;
    std::string data; // file contents or symlink target
};

// Parses a whole newc archive, up to and excluding TRAILER!!!. Strict: checks
// the magic, the hex fields, the padding and that the trailer is present.
Expected<std::vector<CpioEntry>> parse_cpio(std::string_view archive);

} // namespace elfin
