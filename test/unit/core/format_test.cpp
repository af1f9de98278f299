#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include "core/format.h"

namespace {
template<typename... A>
std::string ours(const char* fmt, A... a)
{
    char buf[256];
    core::format(buf, sizeof buf, fmt, a...);
    return buf;
}
template<typename... A>
std::string libc(const char* fmt, A... a)
{
    char buf[256];
    snprintf(buf, sizeof buf, fmt, a...);
    return buf;
}
} // namespace

TEST_CASE("kernel formatting agrees with the C library")
{
    CHECK(ours("%d|%i|%u", -42, 7, 3000000000u) == libc("%d|%i|%u", -42, 7, 3000000000u));
    CHECK(ours("%ld %lu %lx", -1L, ~0UL, 0xdeadbeefUL) == libc("%ld %lu %lx", -1L, ~0UL, 0xdeadbeefUL));
    CHECK(ours("[%5d][%-5d][%05d]", 42, 42, -42) == libc("[%5d][%-5d][%05d]", 42, 42, -42));
    CHECK(ours("%#lx %#o %#x", 255UL, 8u, 0u) == libc("%#lx %#o %#x", 255UL, 8u, 0u));
    CHECK(ours("%016lx", 0x1234UL) == libc("%016lx", 0x1234UL));
    CHECK(ours("[%s][%10s][%-10s][%.3s]", "abc", "abc", "abc", "abcdef")
          == libc("[%s][%10s][%-10s][%.3s]", "abc", "abc", "abc", "abcdef"));
    CHECK(ours("%c%c%%", 'o', 'k') == "ok%");
    CHECK(ours("%zu", size_t(123456789)) == "123456789");
}

TEST_CASE("kernel formatting truncates safely and reports the full length")
{
    char buf[8];
    size_t n = core::format(buf, sizeof buf, "%s", "0123456789");
    CHECK(n == 10);
    CHECK(std::string(buf) == "0123456");
}
