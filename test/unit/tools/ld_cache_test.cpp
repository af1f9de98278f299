#include "tools/file_util.h"
#include "tools/ld_cache.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <sys/stat.h>

using namespace elfin;

namespace {

struct Lib {
    int32_t flags;
    std::string name, path;
    uint64_t hwcap = 0;
};

void put32(std::string& b, size_t off, uint32_t v) { std::memcpy(&b[off], &v, 4); }
void put64(std::string& b, size_t off, uint64_t v) { std::memcpy(&b[off], &v, 8); }

// A "glibc-ld.so.cache1.1" table as ldconfig writes it: header, entries, strings.
std::string new_cache(const std::vector<Lib>& libs)
{
    std::string b(48 + 24 * libs.size(), '\0');
    std::memcpy(b.data(), "glibc-ld.so.cache1.1", 20);
    put32(b, 20, static_cast<uint32_t>(libs.size()));
    std::string strings;
    size_t base = b.size();
    for (size_t i = 0; i < libs.size(); i++) {
        size_t e = 48 + 24 * i;
        put32(b, e, static_cast<uint32_t>(libs[i].flags));
        put32(b, e + 4, static_cast<uint32_t>(base + strings.size()));
        strings += libs[i].name + '\0';
        put32(b, e + 8, static_cast<uint32_t>(base + strings.size()));
        strings += libs[i].path + '\0';
        put64(b, e + 16, libs[i].hwcap);
    }
    put32(b, 24, static_cast<uint32_t>(strings.size()));
    return b + strings;
}

Expected<std::vector<LdCacheEntry>> parse(const std::string& b)
{
    return parse_ld_cache(std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
}

} // namespace

TEST_CASE("ld.so.cache: the new format's entries, in order")
{
    auto c = parse(new_cache({
        { LD_CACHE_X86_64, "libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1" },
        { 0x0003, "libz.so.1", "/usr/lib32/libz.so.1" }, // i386
        { LD_CACHE_X86_64, "libc.so.6", "/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libc.so.6", (1ull << 62) | 1 },
        { LD_CACHE_X86_64, "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6" },
    }));
    REQUIRE(c.ok());
    REQUIRE(c->size() == 4);
    CHECK((*c)[0].name == "libz.so.1");
    CHECK((*c)[1].path == "/usr/lib32/libz.so.1");
    CHECK((*c)[2].hwcap != 0);
    CHECK(ld_cache_lookup(*c, "libz.so.1") == "/lib/x86_64-linux-gnu/libz.so.1");
    CHECK(ld_cache_lookup(*c, "libc.so.6") == "/lib/x86_64-linux-gnu/libc.so.6"); // the baseline, not the hwcaps variant
    CHECK(ld_cache_lookup(*c, "libnope.so") == "");
}

TEST_CASE("ld.so.cache: the old libc5 table followed by the new one")
{
    auto fresh = new_cache({ { LD_CACHE_X86_64, "libm.so.6", "/lib/x86_64-linux-gnu/libm.so.6" } });
    // Old header (magic, nlibs=1), one 12-byte entry, padding to 8, then the
    // new table, whose string offsets count from its own start.
    std::string old(16 + 12, '\0');
    std::memcpy(old.data(), "ld.so-1.7.0", 11);
    put32(old, 12, 1);
    old.resize(32, '\0');
    auto c = parse(old + fresh);
    REQUIRE(c.ok());
    REQUIRE(c->size() == 1);
    CHECK((*c)[0].path == "/lib/x86_64-linux-gnu/libm.so.6");
}

TEST_CASE("ld.so.cache: damaged files are errors, never reads past the end")
{
    auto good = new_cache({ { LD_CACHE_X86_64, "libz.so.1", "/lib/libz.so.1" } });
    CHECK_FALSE(parse("").ok());
    CHECK(parse("not a cache at all, just text").error().message.find("not a glibc ld.so cache") != std::string::npos);
    CHECK_FALSE(parse(good.substr(0, 30)).ok());           // header cut
    CHECK_FALSE(parse(good.substr(0, 60)).ok());           // entry cut
    auto cut_strings = parse(good.substr(0, good.size() - 3));
    REQUIRE_FALSE(cut_strings.ok());                       // the path's NUL is gone
    CHECK(cut_strings.error().message.find("outside the file") != std::string::npos);
    auto huge = good;
    put32(huge, 20, 0x10000000);
    CHECK(parse(huge).error().message.find("do not fit") != std::string::npos);
    auto wild = good;
    put32(wild, 48 + 4, 0xfffffff0);
    CHECK_FALSE(parse(wild).ok());
    std::string old_only(16, '\0');
    std::memcpy(old_only.data(), "ld.so-1.7.0", 11);
    CHECK(parse(old_only).error().message.find("old libc5") != std::string::npos);
}

TEST_CASE("ld.so.cache: the host's cache parses and knows libc")
{
    struct stat st;
    if (stat("/etc/ld.so.cache", &st) != 0) {
        WARN("no /etc/ld.so.cache: skipped");
        return;
    }
    auto bytes = read_file("/etc/ld.so.cache", "cache");
    REQUIRE(bytes.ok());
    auto c = parse(*bytes);
    REQUIRE(c.ok());
    CHECK(ld_cache_lookup(*c, "libc.so.6").ends_with("/libc.so.6"));
}
