#include <catch2/catch.hpp>
#include "test/unit/fs/fs_fixture.h"

using fs_test::Tree;

namespace {
struct Dent {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
    std::string name;
};

std::vector<Dent> parse(const std::vector<uint8_t>& buf, size_t n)
{
    std::vector<Dent> out;
    for (size_t at = 0; at < n;) {
        Dent d;
        memcpy(&d.ino, &buf[at], 8);
        memcpy(&d.off, &buf[at + 8], 8);
        memcpy(&d.reclen, &buf[at + 16], 2);
        d.type = buf[at + 18];
        d.name = reinterpret_cast<const char*>(&buf[at + 19]);
        REQUIRE(d.reclen % 8 == 0);
        REQUIRE(d.reclen >= 19 + d.name.size() + 1);
        REQUIRE(d.reclen < 19 + d.name.size() + 1 + 8);
        at += d.reclen;
        out.push_back(d);
    }
    return out;
}

std::vector<Dent> getdents(fs::OpenFile& f, size_t size, Errno* err = nullptr)
{
    std::vector<uint8_t> buf(size);
    fs::KernelBuffer kb(buf.data(), size);
    auto r = f.read_dir(kb, size);
    if (r.is_error()) {
        if (err) *err = r.error();
        return {};
    }
    if (err) *err = Errno {};
    return parse(buf, r.value());
}
} // namespace

TEST_CASE("getdents: ., .., then entries in creation order with d_type", "[fs][dirent]")
{
    Tree t;
    auto f = t.file(t.open("/etc", fs::O_RDONLY | fs::O_DIRECTORY));
    auto ds = getdents(*f, 4096);
    REQUIRE(ds.size() == 5);
    CHECK(ds[0].name == ".");
    CHECK(ds[0].ino == t.must("/etc")->ino());
    CHECK(ds[0].type == fs::DT_DIR);
    CHECK(ds[1].name == "..");
    CHECK(ds[1].ino == t.root->ino());
    CHECK(ds[2].name == "conf");
    CHECK(ds[2].type == fs::DT_REG);
    CHECK(ds[2].ino == t.must("/etc/conf")->ino());
    CHECK(ds[3].name == "noexec");
    CHECK(ds[4].name == "up");
    CHECK(ds[4].type == fs::DT_LNK);
    for (size_t i = 0; i < ds.size(); i++) CHECK(ds[i].off == int64_t(i + 1));
    CHECK(getdents(*f, 4096).empty()); // at the end: 0 bytes
}

TEST_CASE("getdents: a small buffer resumes where it stopped; too small is EINVAL", "[fs][dirent]")
{
    Tree t;
    auto f = t.file(t.open("/dev", fs::O_RDONLY | fs::O_DIRECTORY));
    Errno err;
    getdents(*f, 20, &err); // "." needs 24 bytes
    CHECK(err == Errno::EINVAL);
    CHECK(f->offset() == 0);
    std::vector<std::string> names;
    for (;;) {
        auto ds = getdents(*f, 48, &err); // two short records at most
        REQUIRE(err == Errno {});
        if (ds.empty()) break;
        CHECK(ds.size() <= 2);
        for (auto& d : ds) names.push_back(d.name);
    }
    std::vector<std::string> want { ".", "..", "null", "zero", "full", "random", "urandom", "tty", "console",
        "shm", "fd", "stdin", "stdout", "stderr" }; // the last four: links into /proc (fs/procfs.cpp)
    CHECK(names == want);
    // Rewind with lseek(0) and read all again; SEEK_END is refused on a directory.
    CHECK(MUST(f->seek(0, fs::WHENCE_SET)) == 0);
    CHECK(getdents(*f, 4096).size() == want.size());
    CHECK(f->seek(0, fs::WHENCE_END).error() == Errno::EINVAL);
    // Resuming from a d_off.
    CHECK(MUST(f->seek(3, fs::WHENCE_SET)) == 3);
    auto rest = getdents(*f, 4096);
    REQUIRE(!rest.empty());
    CHECK(rest[0].name == "zero");
    CHECK(rest[0].type == fs::DT_CHR);
}

TEST_CASE("getdents: ENOTDIR on a file, EISDIR reading a directory", "[fs][dirent]")
{
    Tree t;
    auto f = t.file(t.open("/etc/conf", fs::O_RDONLY));
    Errno err;
    getdents(*f, 4096, &err);
    CHECK(err == Errno::ENOTDIR);
    auto d = t.file(t.open("/etc", fs::O_RDONLY));
    char c;
    fs::KernelBuffer buf(&c, 1);
    CHECK(d->read(buf, 1).error() == Errno::EISDIR);
}
