#include "tools/cpio.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace elfin;

namespace {

std::string hex_field(const std::string& a, size_t entry_off, int field)
{
    return a.substr(entry_off + 6 + static_cast<size_t>(field) * 8, 8);
}

std::string make_temp_dir()
{
    char tmpl[] = "/tmp/elfin-cpio-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    return tmpl;
}

std::string run(const std::string& cmd)
{
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

} // namespace

TEST_CASE("cpio: normalize_guest_path")
{
    CHECK(normalize_guest_path("/bin/busybox").value() == "bin/busybox");
    CHECK(normalize_guest_path("//a/./b//c/").value() == "a/b/c");
    CHECK(normalize_guest_path("/a/b/../c").value() == "a/c");
    CHECK(normalize_guest_path("/").value() == "");
    CHECK_FALSE(normalize_guest_path("/../etc").ok());
}

TEST_CASE("cpio: header fields, name and data padding")
{
    std::ostringstream s;
    CpioWriter w(s);
    REQUIRE(w.add_file("/hello", 0755, "abcde", 1234).ok());
    REQUIRE(w.finish().ok());
    std::string a = s.str();

    REQUIRE(a.substr(0, 6) == "070701");
    CHECK(hex_field(a, 0, 0) == "00000001");       // ino
    CHECK(hex_field(a, 0, 1) == "000081ED");       // S_IFREG | 0755
    CHECK(hex_field(a, 0, 2) == "00000000");       // uid
    CHECK(hex_field(a, 0, 4) == "00000001");       // nlink
    CHECK(hex_field(a, 0, 5) == "000004D2");       // mtime 1234
    CHECK(hex_field(a, 0, 6) == "00000005");       // filesize
    CHECK(hex_field(a, 0, 11) == "00000006");      // namesize "hello\0"
    CHECK(a.substr(110, 6) == std::string("hello\0", 6));
    // 110 + 6 = 116, already a multiple of 4: data starts right there.
    CHECK(a.substr(116, 5) == "abcde");
    // data padded to 124, then the trailer.
    CHECK(a.substr(121, 3) == std::string(3, '\0'));
    CHECK(a.substr(124, 6) == "070701");
    CHECK(a.substr(124 + 110, 11) == std::string("TRAILER!!!\0", 11));
    CHECK(a.size() % 4 == 0);
    CHECK(w.bytes_written() == a.size());
}

TEST_CASE("cpio: parents are created before children, once")
{
    std::ostringstream s;
    CpioWriter w(s);
    REQUIRE(w.add_file("/usr/local/bin/x", 0700, "x").ok());
    REQUIRE(w.add_file("/usr/local/lib/y", 0600, "yy").ok());
    REQUIRE(w.finish().ok());
    auto entries = parse_cpio(s.str());
    REQUIRE(entries.ok());
    std::vector<std::string> names;
    for (auto& e : *entries) names.push_back(e.name);
    CHECK(names == std::vector<std::string> { "usr", "usr/local", "usr/local/bin", "usr/local/bin/x", "usr/local/lib", "usr/local/lib/y" });
    CHECK((*entries)[0].mode == (CPIO_S_IFDIR | 0755));
    CHECK((*entries)[3].mode == (CPIO_S_IFREG | 0700));
    CHECK((*entries)[5].data == "yy");
    // inode numbers are distinct
    CHECK((*entries)[3].ino != (*entries)[5].ino);
}

TEST_CASE("cpio: round trip of files, directories and symlinks")
{
    std::ostringstream s;
    CpioWriter w(s);
    REQUIRE(w.add_directory("/etc", 0750, 7).ok());
    REQUIRE(w.add_file("/etc/motd", 04644, "welcome\n", 9).ok());
    REQUIRE(w.add_symlink("/etc/link", "motd").ok());
    std::string big(70000, 'q');
    std::istringstream in(big);
    REQUIRE(w.add_file_from("/data/big", 0644, big.size(), in).ok());
    REQUIRE(w.add_file("/empty", 0644, "").ok());
    REQUIRE(w.finish().ok());
    auto entries = parse_cpio(s.str());
    REQUIRE(entries.ok());
    REQUIRE(entries->size() == 6);
    auto& e = *entries;
    CHECK(e[0].name == "etc");
    CHECK(e[0].mode == (CPIO_S_IFDIR | 0750));
    CHECK(e[0].mtime == 7);
    CHECK(e[1].mode == (CPIO_S_IFREG | 04644));
    CHECK(e[1].data == "welcome\n");
    CHECK(e[2].mode == (CPIO_S_IFLNK | 0777));
    CHECK(e[2].data == "motd");
    CHECK(e[3].name == "data");
    CHECK(e[4].data == big);
    CHECK(e[5].name == "empty");
    CHECK(e[5].data.empty());
}

TEST_CASE("cpio: refuses duplicates, the root, escapes and use after finish")
{
    std::ostringstream s;
    CpioWriter w(s);
    REQUIRE(w.add_file("/a/b", 0644, "1").ok());
    CHECK_FALSE(w.add_file("/a/b", 0644, "2").ok());
    CHECK_FALSE(w.add_symlink("/a/b", "x").ok());
    CHECK_FALSE(w.add_file("/", 0644, "").ok());
    CHECK_FALSE(w.add_file("/../x", 0644, "").ok());
    CHECK_FALSE(w.add_symlink("/l", "").ok());
    // an implicit parent may be given its real mode once
    CHECK(w.add_directory("/a", 0700).ok());
    CHECK_FALSE(w.add_directory("/a", 0700).ok());
    CHECK(w.contains("/a/b"));
    CHECK_FALSE(w.contains("/nope"));
    REQUIRE(w.finish().ok());
    CHECK_FALSE(w.add_file("/late", 0644, "").ok());
}

TEST_CASE("cpio: add_file_from notices a short stream")
{
    std::ostringstream s;
    CpioWriter w(s);
    std::istringstream in("short");
    auto r = w.add_file_from("/f", 0644, 100, in);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("changed size") != std::string::npos);
}

TEST_CASE("cpio: the parser rejects damaged archives")
{
    std::ostringstream s;
    CpioWriter w(s);
    REQUIRE(w.add_file("/f", 0644, "data").ok());
    REQUIRE(w.finish().ok());
    std::string a = s.str();
    CHECK(parse_cpio(a).ok());
    CHECK_FALSE(parse_cpio(a.substr(0, a.size() - 20)).ok()); // no trailer
    std::string bad = a;
    bad[0] = 'X';
    CHECK_FALSE(parse_cpio(bad).ok());
    bad = a;
    bad[6] = 'g'; // not hex
    CHECK_FALSE(parse_cpio(bad).ok());
}

TEST_CASE("cpio: GNU cpio reads what we write")
{
    if (system("command -v cpio >/dev/null 2>&1") != 0) {
        WARN("cpio is not installed; skipping the cross-check");
        return;
    }
    auto dir = make_temp_dir();
    std::string archive = dir + "/a.cpio";
    {
        std::ofstream out(archive, std::ios::binary);
        CpioWriter w(out);
        REQUIRE(w.add_file("/bin/prog", 0755, "#!binary").ok());
        REQUIRE(w.add_symlink("/bin/alias", "prog").ok());
        REQUIRE(w.add_directory("/var/empty", 0700).ok());
        REQUIRE(w.add_file("/etc/x.conf", 0640, "k=v\n").ok());
        REQUIRE(w.finish().ok());
    }
    auto listing = run("cd " + dir + " && cpio -it --quiet < a.cpio");
    CHECK(listing == "bin\nbin/prog\nbin/alias\nvar\nvar/empty\netc\netc/x.conf\n");
    std::string root = dir + "/root";
    REQUIRE(mkdir(root.c_str(), 0755) == 0);
    run("cd " + root + " && cpio -idm --quiet < ../a.cpio 2>&1");
    struct stat st;
    REQUIRE(stat((root + "/bin/prog").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0755);
    CHECK(st.st_size == 8);
    REQUIRE(lstat((root + "/bin/alias").c_str(), &st) == 0);
    CHECK(S_ISLNK(st.st_mode));
    REQUIRE(stat((root + "/var/empty").c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 07777) == 0700);
    REQUIRE(stat((root + "/etc/x.conf").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    run("rm -rf " + dir);
}
