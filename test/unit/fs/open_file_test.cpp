#include <catch2/catch.hpp>
#include "test/unit/fs/fs_fixture.h"

using fs_test::read_str;
using fs_test::Tree;
using fs_test::write_str;

TEST_CASE("open file: read advances the offset; EOF reads 0", "[fs][open_file]")
{
    Tree t;
    auto f = t.file(t.open("/etc/conf", fs::O_RDONLY));
    CHECK(read_str(*f, 2) == "a=");
    CHECK(f->offset() == 2);
    CHECK(read_str(*f, 100) == "1\n");
    CHECK(read_str(*f, 100) == "");
    CHECK(MUST(f->seek(0, fs::WHENCE_SET)) == 0);
    CHECK(read_str(*f, 100) == "a=1\n");
    fs::KernelBuffer buf(static_cast<const void*>("x"), 1);
    CHECK(f->write(buf, 1).error() == Errno::EBADF); // read-only
}

TEST_CASE("open file: the first write copies in-place data; the image stays intact", "[fs][open_file]")
{
    Tree t;
    auto inode = t.must("/etc/conf");
    auto* rf = inode->as_regular();
    REQUIRE(rf->is_in_place());
    std::vector<uint8_t> before = t.image;
    auto f = t.file(t.open("/etc/conf", fs::O_RDWR));
    CHECK(write_str(*f, "b") == 1);
    CHECK(!rf->is_in_place());
    CHECK(t.contents("/etc/conf") == "b=1\n");
    CHECK(t.image == before); // the archive was not written to
    CHECK(read_str(*f, 10) == "=1\n");
    CHECK(write_str(*f, "more") == 4);
    CHECK(t.contents("/etc/conf") == "b=1\nmore");
    CHECK(inode->size() == 8);
    CHECK(inode->mtime().sec == 0); // stamped by the (absent) clock on write
    fs::KernelBuffer buf(static_cast<void*>(nullptr), 0);
    CHECK(f->read_dir(buf, 0).error() == Errno::ENOTDIR);
}

TEST_CASE("open file: O_APPEND writes at the end whatever the offset", "[fs][open_file]")
{
    Tree t;
    auto f = t.file(t.open("/etc/conf", fs::O_RDWR | fs::O_APPEND));
    CHECK(MUST(f->seek(0, fs::WHENCE_SET)) == 0);
    write_str(*f, "X");
    CHECK(t.contents("/etc/conf") == "a=1\nX");
    CHECK(f->offset() == 5);
    // pwrite on O_APPEND appends too (Linux's documented behaviour).
    fs::KernelBuffer buf(static_cast<const void*>("Y"), 1);
    CHECK(MUST(f->pwrite(buf, 1, 0)) == 1);
    CHECK(t.contents("/etc/conf") == "a=1\nXY");
    // F_SETFL can drop O_APPEND.
    f->set_status_flags(f->flags() & ~fs::O_APPEND);
    CHECK(MUST(f->seek(0, fs::WHENCE_SET)) == 0);
    write_str(*f, "Z");
    CHECK(t.contents("/etc/conf") == "Z=1\nXY");
}

TEST_CASE("open file: O_TRUNC, truncate and sparse writes", "[fs][open_file]")
{
    Tree t;
    auto f = t.file(t.open("/etc/conf", fs::O_WRONLY | fs::O_TRUNC));
    CHECK(t.contents("/etc/conf") == "");
    CHECK(MUST(f->seek(3, fs::WHENCE_SET)) == 3);
    write_str(*f, "x");
    CHECK(t.contents("/etc/conf") == std::string("\0\0\0x", 4));
    REQUIRE(!f->inode().truncate(2).is_error());
    CHECK(t.contents("/etc/conf") == std::string("\0\0", 2));
    REQUIRE(!f->inode().truncate(6).is_error()); // grown with zeros, not old bytes
    CHECK(t.contents("/etc/conf") == std::string(6, '\0'));
    // Shrinking in-place data keeps it in place.
    auto* prog = t.must("/bin/prog")->as_regular();
    REQUIRE(!prog->truncate(4).is_error());
    CHECK(prog->is_in_place());
    CHECK(t.contents("/bin/prog") == "\x7f" "ELF");
    REQUIRE(!prog->truncate(5).is_error());
    CHECK(!prog->is_in_place());
    CHECK(t.contents("/bin/prog") == std::string("\x7f" "ELF\0", 5));
}

TEST_CASE("open file: pread/pwrite leave the offset alone", "[fs][open_file]")
{
    Tree t;
    auto f = t.file(t.open("/etc/conf", fs::O_RDWR));
    char out[3] = {};
    fs::KernelBuffer buf(out, 2);
    CHECK(MUST(f->pread(buf, 2, 2)) == 2);
    CHECK(std::string(out, 2) == "1\n");
    CHECK(f->offset() == 0);
    CHECK(MUST(f->pread(buf, 2, 100)) == 0);
    CHECK(f->pread(buf, 2, -1).error() == Errno::EINVAL);
    fs::KernelBuffer in(static_cast<const void*>("Q"), 1);
    CHECK(MUST(f->pwrite(in, 1, 1)) == 1);
    CHECK(f->offset() == 0);
    CHECK(t.contents("/etc/conf") == "aQ1\n");
}

TEST_CASE("open file: lseek whence rules", "[fs][open_file]")
{
    Tree t;
    auto f = t.file(t.open("/etc/conf", fs::O_RDONLY)); // 4 bytes
    CHECK(MUST(f->seek(1, fs::WHENCE_SET)) == 1);
    CHECK(MUST(f->seek(2, fs::WHENCE_CUR)) == 3);
    CHECK(MUST(f->seek(-1, fs::WHENCE_END)) == 3);
    CHECK(MUST(f->seek(10, fs::WHENCE_END)) == 14); // past the end is fine
    CHECK(f->seek(-5, fs::WHENCE_END).error() == Errno::EINVAL);
    CHECK(f->seek(-1, fs::WHENCE_SET).error() == Errno::EINVAL);
    CHECK(f->offset() == 14); // failed seeks change nothing
    CHECK(f->seek(0, 5).error() == Errno::EINVAL);
    CHECK(f->seek(0, -1).error() == Errno::EINVAL);
    CHECK(MUST(f->seek(1, fs::WHENCE_DATA)) == 1);
    CHECK(MUST(f->seek(1, fs::WHENCE_HOLE)) == 4);
    CHECK(f->seek(4, fs::WHENCE_DATA).error() == Errno::ENXIO);
    CHECK(f->seek(INT64_MAX, fs::WHENCE_SET).value() == INT64_MAX);
    CHECK(f->seek(1, fs::WHENCE_CUR).error() == Errno::EINVAL); // overflow
}

TEST_CASE("open file: F_GETFL view of the flags", "[fs][open_file]")
{
    Tree t;
    auto f = t.file(t.open("/etc/conf", fs::O_RDWR | fs::O_CLOEXEC | fs::O_TRUNC | fs::O_NONBLOCK));
    CHECK(f->flags() == (fs::O_RDWR | fs::O_NONBLOCK | fs::O_LARGEFILE));
    f->set_status_flags(fs::O_APPEND | fs::O_WRONLY | fs::O_SYNC);
    // The access mode and O_SYNC are not changeable by F_SETFL.
    CHECK(f->flags() == (fs::O_RDWR | fs::O_APPEND | fs::O_LARGEFILE));
}
