#include "tools/packing.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace elfin;

namespace {

// A host tree shaped like merged-/usr Debian: lib -> usr/lib, an absolute
// symlink to the loader, a library with a versioned name.
struct HostTree {
    std::string root;
    HostTree()
    {
        char tmpl[] = "/tmp/elfin-packing-test-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        root = tmpl;
        for (auto d : { "/usr", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/py", "/usr/lib/py/test", "/usr/lib/py/pkg" })
            REQUIRE(mkdir((root + d).c_str(), 0755) == 0);
        write("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", "zlib");
        write("/usr/lib/x86_64-linux-gnu/ld.so", "loader");
        write("/usr/lib/py/os.py", "os");
        write("/usr/lib/py/test/big.py", "tests");
        write("/usr/lib/py/pkg/mod.py", "mod");
        REQUIRE(symlink("usr/lib", (root + "/lib").c_str()) == 0);
        REQUIRE(symlink("libz.so.1.2.13", (root + "/usr/lib/x86_64-linux-gnu/libz.so.1").c_str()) == 0);
        REQUIRE(symlink((root + "/lib/x86_64-linux-gnu/ld.so").c_str(), (root + "/usr/lib64/ld.so").c_str()) == 0);
        REQUIRE(symlink("os.py", (root + "/usr/lib/py/alias.py").c_str()) == 0);
        REQUIRE(symlink("loop2", (root + "/loop1").c_str()) == 0);
        REQUIRE(symlink("loop1", (root + "/loop2").c_str()) == 0);
    }
    ~HostTree()
    {
        std::string cmd = "rm -rf " + root;
        (void)system(cmd.c_str());
    }
    void write(const std::string& rel, const std::string& data) { std::ofstream(root + rel) << data; }
    std::string g(const std::string& rel) const { return root.substr(1) + rel; } // guest name
};

} // namespace

TEST_CASE("packing: a file reached through symlinks is packed once, with the symlinks")
{
    HostTree t;
    ImagePlan plan;
    auto real = add_host_path(plan, t.root + "/lib/x86_64-linux-gnu/libz.so.1", "test");
    REQUIRE(real.ok());
    CHECK(*real == t.root + "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13");
    REQUIRE(plan.entries.count(t.g("/lib")));
    CHECK(plan.entries[t.g("/lib")].kind == ImageEntry::Kind::Symlink);
    CHECK(plan.entries[t.g("/lib")].data == "usr/lib");
    CHECK(plan.entries[t.g("/usr/lib/x86_64-linux-gnu/libz.so.1")].kind == ImageEntry::Kind::Symlink);
    CHECK(plan.entries[t.g("/usr/lib/x86_64-linux-gnu/libz.so.1.2.13")].kind == ImageEntry::Kind::File);
    CHECK(plan.entries[t.g("/usr/lib/x86_64-linux-gnu")].kind == ImageEntry::Kind::Directory);

    // The loader's absolute symlink through /lib: one more symlink, one more file.
    auto ld = add_host_path(plan, t.root + "/usr/lib64/ld.so", "test");
    REQUIRE(ld.ok());
    CHECK(*ld == t.root + "/usr/lib/x86_64-linux-gnu/ld.so");
    CHECK(plan.entries[t.g("/usr/lib64/ld.so")].kind == ImageEntry::Kind::Symlink);
    CHECK(plan.entries[t.g("/usr/lib/x86_64-linux-gnu/ld.so")].host == *ld);
    size_t files = 0;
    for (auto& [n, e] : plan.entries) files += e.kind == ImageEntry::Kind::File;
    CHECK(files == 2);
    CHECK(plan_data_bytes(plan) == 4 + 6);

    // Again: nothing changes.
    auto before = plan.entries.size();
    REQUIRE(add_host_path(plan, t.root + "/usr/lib/x86_64-linux-gnu/libz.so.1", "test").ok());
    CHECK(plan.entries.size() == before);
}

TEST_CASE("packing: the person's directory where the host has a symlink wins")
{
    HostTree t;
    ImagePlan plan;
    ImageEntry mine;
    mine.kind = ImageEntry::Kind::File;
    mine.data = "mine";
    mine.origin = "--file";
    REQUIRE(plan.add(t.root + "/lib/x86_64-linux-gnu/libz.so.1", mine).ok()); // makes /lib a directory
    REQUIRE(add_host_path(plan, t.root + "/lib/x86_64-linux-gnu/libz.so.1", "test").ok());
    CHECK(plan.entries[t.g("/lib/x86_64-linux-gnu/libz.so.1")].data == "mine");
    CHECK_FALSE(plan.entries.count(t.g("/lib"))); // never a symlink over their directory
    // Another file of that directory still lands inside the person's directory.
    REQUIRE(add_host_path(plan, t.root + "/lib/x86_64-linux-gnu/ld.so", "test").ok());
    CHECK(plan.entries[t.g("/lib/x86_64-linux-gnu/ld.so")].host == t.root + "/usr/lib/x86_64-linux-gnu/ld.so");
}

TEST_CASE("packing: errors name the path and the origin")
{
    HostTree t;
    ImagePlan plan;
    auto missing = add_host_path(plan, t.root + "/lib/nope.so", "the library x");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.starts_with("the library x: " + t.root + "/usr/lib/nope.so: "));
    auto loop = add_host_path(plan, t.root + "/loop1", "test");
    REQUIRE_FALSE(loop.ok());
    CHECK(loop.error().message.find("too many symlinks") != std::string::npos);
    CHECK_FALSE(add_host_path(plan, "relative/x", "test").ok());
    CHECK_FALSE(add_host_path(plan, t.root + "/usr/lib/py/os.py/x", "test").ok());
}

TEST_CASE("packing: a tree with a filter, through a symlinked parent")
{
    HostTree t;
    ImagePlan plan;
    auto skip = [](const std::string& rel, bool is_dir) { return is_dir && rel == "test"; };
    REQUIRE(add_host_tree(plan, t.root + "/lib/py", "test", skip).ok());
    CHECK(plan.entries.count(t.g("/usr/lib/py/os.py")));
    CHECK(plan.entries.count(t.g("/usr/lib/py/pkg/mod.py")));
    CHECK(plan.entries[t.g("/usr/lib/py/alias.py")].data == "os.py");
    CHECK_FALSE(plan.entries.count(t.g("/usr/lib/py/test")));
    CHECK_FALSE(plan.entries.count(t.g("/usr/lib/py/test/big.py")));
    CHECK(plan_has_directory(plan, "/" + t.g("/usr/lib/py")));
    CHECK_FALSE(plan_has_directory(plan, "/" + t.g("/usr/lib/py/os.py")));
    CHECK_FALSE(add_host_tree(plan, t.root + "/usr/lib/py/os.py", "test").ok());
}
