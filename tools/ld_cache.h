#pragma once
// glibc's /etc/ld.so.cache, read the way ld.so reads it (elf/dl-cache.c,
// sysdeps/generic/dl-cache.h): the "glibc-ld.so.cache1.1" table of library
// names and paths, alone or after the old "ld.so-1.7.0" table. Pure: the tool
// reads the host's cache to find libraries as the program's loader would.
#include "tools/expected.h"
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace elfin {

struct LdCacheEntry {
    std::string name;   // the soname ld.so looks up ("libc.so.6")
    std::string path;   // where it is ("/lib/x86_64-linux-gnu/libc.so.6")
    int32_t flags = 0;  // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 for x86-64 glibc libraries
    uint64_t hwcap = 0; // non-zero: a glibc-hwcaps subdirectory's variant
};

constexpr int32_t LD_CACHE_FLAG_ELF_LIBC6 = 0x0003;
constexpr int32_t LD_CACHE_FLAG_X8664_LIB64 = 0x0300;
constexpr int32_t LD_CACHE_X86_64 = LD_CACHE_FLAG_ELF_LIBC6 | LD_CACHE_FLAG_X8664_LIB64;

// Every entry, in the cache's order. Errors say what is wrong with the file.
Expected<std::vector<LdCacheEntry>> parse_ld_cache(std::span<const uint8_t> bytes);

// The x86-64 path ld.so takes for `name` (the first baseline entry), or "".
std::string ld_cache_lookup(const std::vector<LdCacheEntry>& cache, std::string_view name);

} // namespace elfin
