#include <catch2/catch.hpp>
#include <cstring> // before core/string.h, whose declarations lack glibc's noexcept
#include "fs/cpio.h"
#include "test/unit/fs/cpio_builder.h"
#include <string>
#include <vector>

using fs_test::CpioBuilder;

namespace {
std::vector<fs::CpioEntry> read_all(const std::vector<uint8_t>& a, Errno* err = nullptr, std::string* why = nullptr)
{
    fs::CpioReader r(a.data(), a.size());
    std::vector<fs::CpioEntry> out;
    for (;;) {
        fs::CpioEntry e;
        auto more = r.next(e);
        if (more.is_error()) {
            if (err) *err = more.error();
            if (why) *why = r.error_text();
            return out;
        }
        if (!more.value()) break;
        out.push_back(e);
    }
    if (err) *err = Errno {};
    return out;
}
std::string name_of(const fs::CpioEntry& e) { return std::string(e.name.chars(), e.name.length()); }
std::string data_of(const fs::CpioEntry& e) { return std::string(reinterpret_cast<const char*>(e.data), e.size); }
} // namespace

TEST_CASE("cpio: reads entries with their fields and data in place", "[fs][cpio]")
{
    CpioBuilder b;
    b.dir("bin", 0711);
    b.file("bin/hello", "hello world", 0755);
    b.symlink("lnk", "bin/hello");
    b.entry("dev/null", 0020666, "", 1, 0, 1, 3);
    auto a = b.finish();
    Errno err;
    auto es = read_all(a, &err);
    REQUIRE(err == Errno {});
    REQUIRE(es.size() == 4);
    CHECK(name_of(es[0]) == "bin");
    CHECK(es[0].mode == 0040711);
    CHECK(name_of(es[1]) == "bin/hello");
    CHECK(data_of(es[1]) == "hello world");
    CHECK(es[1].mode == 0100755);
    CHECK(es[1].mtime == 1700000000);
    // Zero copy: the data pointer lies inside the archive.
    CHECK(es[1].data >= a.data());
    CHECK(es[1].data + es[1].size <= a.data() + a.size());
    CHECK(data_of(es[2]) == "bin/hello");
    CHECK(es[3].rdev_major == 1);
    CHECK(es[3].rdev_minor == 3);
}

TEST_CASE("cpio: an empty span is an empty archive; concatenated archives are read on", "[fs][cpio]")
{
    std::vector<uint8_t> empty;
    Errno err;
    CHECK(read_all(empty, &err).empty());
    CHECK(err == Errno {});

    CpioBuilder a, b;
    a.file("one", "1");
    b.file("two", "22");
    auto both = a.finish();
    auto second = b.finish();
    both.insert(both.end(), second.begin(), second.end());
    auto es = read_all(both, &err);
    REQUIRE(err == Errno {});
    REQUIRE(es.size() == 2);
    CHECK(name_of(es[1]) == "two");
    CHECK(data_of(es[1]) == "22");
}

TEST_CASE("cpio: accepts upper- and lower-case hex and the 070702 magic", "[fs][cpio]")
{
    CpioBuilder b;
    b.file("x", std::string(0xab, 'q'));
    auto a = b.finish();
    // Lower-case the size field (0xAB) and switch to the crc variant.
    a[5] = '2';
    for (size_t i = 6 + 6 * 8; i < 6 + 7 * 8; i++) a[i] = static_cast<uint8_t>(tolower(a[i]));
    Errno err;
    auto es = read_all(a, &err);
    REQUIRE(err == Errno {});
    REQUIRE(es.size() == 1);
    CHECK(es[0].size == 0xab);
}

TEST_CASE("cpio: corrupt and truncated archives fail with EINVAL and a reason", "[fs][cpio]")
{
    CpioBuilder b;
    b.file("file", "0123456789");
    auto good = b.finish();
    Errno err;
    std::string why;

    SECTION("bad magic")
    {
        auto a = good;
        a[0] = 'x';
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
        CHECK(why.find("magic") != std::string::npos);
    }
    SECTION("old binary/odc magic is refused")
    {
        auto a = good;
        a[5] = '7'; // 070707: odc
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
    }
    SECTION("bad hex digit")
    {
        auto a = good;
        a[6 + 6 * 8 + 3] = 'G'; // inside filesize
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
        CHECK(why.find("hex") != std::string::npos);
    }
    SECTION("truncated header")
    {
        std::vector<uint8_t> a(good.begin(), good.begin() + 60);
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
        CHECK(why.find("truncated") != std::string::npos);
    }
    SECTION("truncated data")
    {
        std::vector<uint8_t> a(good.begin(), good.begin() + 110 + 8 + 4);
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
        CHECK(why.find("data") != std::string::npos);
    }
    SECTION("name size past the end")
    {
        auto a = good;
        memcpy(&a[6 + 11 * 8], "7FFFFFFF", 8);
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
        CHECK(why.find("name") != std::string::npos);
    }
    SECTION("file size past the end (huge)")
    {
        auto a = good;
        memcpy(&a[6 + 6 * 8], "FFFFFFFF", 8);
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
    }
    SECTION("name not NUL-terminated")
    {
        auto a = good;
        a[110 + 4] = 'X'; // "file\0" -> "fileX"
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
        CHECK(why.find("NUL") != std::string::npos);
    }
    SECTION("zero name size")
    {
        auto a = good;
        memcpy(&a[6 + 11 * 8], "00000000", 8);
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
    }
    SECTION("no trailer")
    {
        CpioBuilder c;
        c.file("file", "abc");
        auto a = c.bytes; // no finish(): no TRAILER!!!
        auto es = read_all(a, &err, &why);
        CHECK(es.size() == 1);
        CHECK(err == Errno::EINVAL);
        CHECK(why.find("TRAILER") != std::string::npos);
    }
    SECTION("garbage after the trailer")
    {
        auto a = good;
        a.push_back('z');
        read_all(a, &err, &why);
        CHECK(err == Errno::EINVAL);
    }
    SECTION("every truncation of a good archive fails cleanly or reads a prefix")
    {
        for (size_t n = 1; n < good.size(); n++) {
            std::vector<uint8_t> a(good.begin(), good.begin() + n); // exact size: ASan sees overreads
            auto es = read_all(a, &err);
            if (err == Errno {}) {
                // Only the zero padding after the trailer may be cut.
                CHECK(es.size() == 1);
                CHECK(n > 110 + 8 + 12);
            }
        }
    }
    SECTION("a failed reader stays failed")
    {
        auto a = good;
        a[0] = 'x';
        fs::CpioReader r(a.data(), a.size());
        fs::CpioEntry e;
        CHECK(r.next(e).is_error());
        CHECK(r.next(e).is_error());
    }
}
