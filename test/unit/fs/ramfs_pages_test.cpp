// The ramfs page cache: data in place moves into whole pages on the first
// write or mapping; holes read as zeros; bytes a shared mapping wrote past the
// end never become file data.
#include <catch2/catch.hpp>
#include <string>
#include "fs/ramfs.h"

namespace {
std::string read_all(fs::RamFile& f, u64 offset, size_t n)
{
    std::string s(n, '?');
    fs::KernelBuffer buf(s.data(), n);
    size_t got = MUST(f.read(offset, buf, n, 0));
    s.resize(got);
    return s;
}

void write_at(fs::RamFile& f, u64 offset, const std::string& s)
{
    fs::KernelBuffer buf(static_cast<const void*>(s.data()), s.size());
    REQUIRE(MUST(f.write(offset, buf, s.size(), 0)) == s.size());
}
} // namespace

TEST_CASE("ramfs pages: writes across pages, holes, contents()", "[fs][ramfs]")
{
    auto f = MUST(fs::RamFile::create(0644));
    write_at(*f, PAGE_SIZE - 2, "abcd");
    CHECK(f->size() == PAGE_SIZE + 2);
    CHECK(read_all(*f, PAGE_SIZE - 2, 10) == "abcd");
    CHECK(read_all(*f, 0, 3) == std::string(3, '\0'));
    write_at(*f, 3 * PAGE_SIZE, "z"); // page 2 stays a hole
    CHECK(!f->page_resident(2));
    CHECK(f->page_resident(1));
    CHECK(read_all(*f, 2 * PAGE_SIZE + 5, 2) == std::string(2, '\0'));
    auto c = f->contents();
    REQUIRE(c.size == 3 * PAGE_SIZE + 1);
    CHECK(std::string(reinterpret_cast<const char*>(c.data) + PAGE_SIZE - 2, 4) == "abcd");
    CHECK(c.data[3 * PAGE_SIZE] == 'z');
    CHECK(c.data[2 * PAGE_SIZE] == 0);
}

TEST_CASE("ramfs pages: a mapped page is the file's bytes; past the end is never file data", "[fs][ramfs]")
{
    static const u8 image[] = { 'h', 'e', 'l', 'l', 'o' };
    auto f = MUST(fs::RamFile::create_in_place(0644, image, sizeof image));
    CHECK(f->is_in_place());
    CHECK(f->page_resident(0));
    u8* page = MUST(f->cache_page(0));
    CHECK(!f->is_in_place());
    CHECK(std::string(reinterpret_cast<char*>(page), 5) == "hello");
    CHECK(image[0] == 'h'); // the archive is never written
    // A store through the mapping is what read() returns.
    page[0] = 'j';
    CHECK(read_all(*f, 0, 10) == "jello");
    // A write() is what the mapping sees.
    write_at(*f, 1, "E");
    CHECK(page[1] == 'E');
    // A store past the end stays out of the file, also when it grows.
    page[10] = 'x';
    CHECK(f->size() == 5);
    CHECK(read_all(*f, 0, 20) == "jEllo");
    REQUIRE(!f->truncate(20).is_error());
    CHECK(read_all(*f, 10, 1) == std::string(1, '\0'));
    // Shrinking zeroes the rest of the last page and drops the pages past it.
    write_at(*f, PAGE_SIZE + 1, "second");
    REQUIRE(!f->truncate(3).is_error());
    CHECK(!f->page_resident(1));
    CHECK(page[3] == 0);
    CHECK(MUST(f->cache_page(0)) == page);
    CHECK(f->cache_page(1).error() == Errno::ENXIO);
    REQUIRE(!f->truncate(PAGE_SIZE + 10).is_error());
    CHECK(read_all(*f, 0, PAGE_SIZE + 10) == std::string("jEl") + std::string(PAGE_SIZE + 7, '\0'));
}

TEST_CASE("ramfs pages: reserve and zero_range", "[fs][ramfs]")
{
    auto f = MUST(fs::RamFile::create(0644));
    REQUIRE(!f->reserve(2 * PAGE_SIZE).is_error());
    CHECK(f->size() == 0);
    CHECK(f->page_resident(1));
    write_at(*f, 0, std::string(PAGE_SIZE + 100, 'q'));
    REQUIRE(!f->zero_range(10, PAGE_SIZE).is_error());
    CHECK(read_all(*f, 8, 4) == std::string("qq") + std::string(2, '\0'));
    CHECK(read_all(*f, PAGE_SIZE + 8, 4) == std::string(2, '\0') + "qq");
}
