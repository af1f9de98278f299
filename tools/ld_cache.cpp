#include "tools/ld_cache.h"

#include <cstring>

namespace elfin {

namespace {

constexpr std::string_view OLD_MAGIC = "ld.so-1.7.0";
constexpr std::string_view NEW_MAGIC = "glibc-ld.so.cache1.1";
constexpr size_t OLD_HEADER = 16;      // magic[11], padding, uint32 nlibs
constexpr size_t OLD_ENTRY = 12;       // int32 flags, uint32 key, uint32 value
constexpr size_t NEW_HEADER = 48;      // magic+version[20], nlibs, len_strings, flags[4], extension_offset, unused[3]
constexpr size_t NEW_ENTRY = 24;       // int32 flags, uint32 key, value, osversion, uint64 hwcap

template<typename T> T load(std::span<const uint8_t> b, size_t off)
{
    T v;
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

// A NUL-terminated string at `off` inside `b`, or nullopt when it runs off the end.
bool string_at(std::span<const uint8_t> b, size_t off, std::string& out)
{
    if (off >= b.size()) return false;
    auto* start = reinterpret_cast<const char*>(b.data() + off);
    auto* nul = static_cast<const char*>(std::memchr(start, 0, b.size() - off));
    if (!nul) return false;
    out.assign(start, nul);
    return true;
}

} // namespace

Expected<std::vector<LdCacheEntry>> parse_ld_cache(std::span<const uint8_t> bytes)
{
    auto has_magic = [&](size_t off, std::string_view magic) {
        return bytes.size() >= off + magic.size() && std::memcmp(bytes.data() + off, magic.data(), magic.size()) == 0;
    };
    size_t base = 0;
    if (has_magic(0, OLD_MAGIC)) {
        if (bytes.size() < OLD_HEADER) return Error { "ld.so.cache: truncated header" };
        uint64_t nlibs = load<uint32_t>(bytes, 12);
        uint64_t end = OLD_HEADER + nlibs * OLD_ENTRY;
        // The new table follows the old one, aligned to 8 (ALIGN_CACHE).
        base = static_cast<size_t>((end + 7) & ~uint64_t(7));
        if (end > bytes.size() || !has_magic(base, NEW_MAGIC))
            return Error { "ld.so.cache: only the old libc5 format, which glibc no longer reads" };
    } else if (!has_magic(0, NEW_MAGIC)) {
        return Error { "ld.so.cache: not a glibc ld.so cache (no glibc-ld.so.cache1.1 magic)" };
    }
    if (bytes.size() - base < NEW_HEADER) return Error { "ld.so.cache: truncated header" };
    uint64_t nlibs = load<uint32_t>(bytes, base + 20);
    if (nlibs > (bytes.size() - base - NEW_HEADER) / NEW_ENTRY)
        return Error { "ld.so.cache: " + std::to_string(nlibs) + " entries do not fit in the file" };
    // String offsets count from the start of the new table.
    auto table = bytes.subspan(base);
    std::vector<LdCacheEntry> out;
    out.reserve(static_cast<size_t>(nlibs));
    for (size_t i = 0; i < nlibs; i++) {
        size_t e = NEW_HEADER + i * NEW_ENTRY;
        LdCacheEntry entry;
        entry.flags = load<int32_t>(table, e);
        entry.hwcap = load<uint64_t>(table, e + 16);
        if (!string_at(table, load<uint32_t>(table, e + 4), entry.name) || !string_at(table, load<uint32_t>(table, e + 8), entry.path))
            return Error { "ld.so.cache: entry " + std::to_string(i) + " points outside the file" };
        out.push_back(std::move(entry));
    }
    return out;
}

std::string ld_cache_lookup(const std::vector<LdCacheEntry>& cache, std::string_view name)
{
    for (auto& e : cache)
        if (e.name == name && e.flags == LD_CACHE_X86_64 && e.hwcap == 0) return e.path;
    return {};
}

} // namespace elfin
