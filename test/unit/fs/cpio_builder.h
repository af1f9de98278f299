#pragma once
// Builds cpio newc archives in memory for the fs tests.
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <string>
#include <vector>

namespace fs_test {

struct CpioBuilder {
    std::vector<uint8_t> bytes;
    uint32_t next_ino = 100;

    void pad4()
    {
        while (bytes.size() % 4) bytes.push_back(0);
    }
    void entry(const std::string& name, uint32_t mode, const std::string& data, uint32_t nlink = 1,
        uint32_t ino = 0, uint32_t rdev_major = 0, uint32_t rdev_minor = 0, uint32_t mtime = 1700000000,
        uint32_t uid = 0, uint32_t gid = 0)
    {
        char hdr[111];
        snprintf(hdr, sizeof hdr, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
            ino ? ino : next_ino++, mode, uid, gid, nlink, mtime, (unsigned)data.size(), 0u, 0u,
            rdev_major, rdev_minor, (unsigned)name.size() + 1, 0u);
        bytes.insert(bytes.end(), hdr, hdr + 110);
        bytes.insert(bytes.end(), name.begin(), name.end());
        bytes.push_back(0);
        pad4();
        bytes.insert(bytes.end(), data.begin(), data.end());
        pad4();
    }
    void dir(const std::string& name, uint32_t perms = 0755) { entry(name, 0040000 | perms, ""); }
    void file(const std::string& name, const std::string& data, uint32_t perms = 0644)
    {
        entry(name, 0100000 | perms, data);
    }
    void symlink(const std::string& name, const std::string& target) { entry(name, 0120777, target); }
    void manifest(const std::string& records) { file(".elfin/manifest", records); }
    void trailer() { entry("TRAILER!!!", 0, ""); }
    std::vector<uint8_t> finish()
    {
        trailer();
        while (bytes.size() % 512) bytes.push_back(0); // as cpio pads to blocks
        return bytes;
    }
};

// key NUL value NUL ... as the manifest wants.
inline std::string records(std::initializer_list<std::pair<const char*, const char*>> kv)
{
    std::string s;
    for (auto& [k, v] : kv) {
        s += k;
        s.push_back('\0');
        s += v;
        s.push_back('\0');
    }
    return s;
}

} // namespace fs_test
