#include <catch2/catch.hpp>
#include "test/unit/fs/fs_fixture.h"

using fs_test::Tree;

TEST_CASE("path: absolute and relative lookups, . and ..", "[fs][path]")
{
    Tree t;
    auto prog = t.must("/bin/prog");
    CHECK(prog->is_regular());
    CHECK(t.must("bin/prog").ptr() == prog.ptr()); // cwd is the root
    CHECK(t.must("/bin/../bin/./prog").ptr() == prog.ptr());
    CHECK(t.must("/..").ptr() == t.root.ptr()); // .. of / is /
    CHECK(t.must("/../../..").ptr() == t.root.ptr());
    CHECK(t.must("/a/b/c/../../..").ptr() == t.root.ptr());
    CHECK(t.must("/").ptr() == t.root.ptr());
    CHECK(t.must("///bin////prog").ptr() == prog.ptr()); // repeated slashes
    CHECK(t.must(".").ptr() == t.root.ptr());

    t.ctx->cwd = core::Ref<fs::Directory>(t.must("/a/b")->as_directory());
    CHECK(t.must("c").ptr() == t.must("/a/b/c").ptr());
    CHECK(t.must("../../bin/prog").ptr() == prog.ptr());
    CHECK(t.must("..").ptr() == t.must("/a").ptr());
}

TEST_CASE("path: ENOENT, ENOTDIR and trailing slashes", "[fs][path]")
{
    Tree t;
    CHECK(t.error_of("") == Errno::ENOENT);
    CHECK(t.error_of("/nope") == Errno::ENOENT);
    CHECK(t.error_of("/nope/x") == Errno::ENOENT);
    CHECK(t.error_of("/etc/conf/x") == Errno::ENOTDIR);
    CHECK(t.error_of("/etc/conf/") == Errno::ENOTDIR);  // a file with a trailing slash
    CHECK(t.error_of("/etc/conf/.") == Errno::ENOTDIR);
    CHECK(t.error_of("/etc/conf/..") == Errno::ENOTDIR);
    CHECK(t.must("/etc/").ptr() == t.must("/etc").ptr());
    CHECK(t.must("/etc//").ptr() == t.must("/etc").ptr());
    CHECK(t.error_of("/etc/conf", fs::LOOKUP_DIRECTORY) == Errno::ENOTDIR);
    CHECK(t.error_of("/nope/") == Errno::ENOENT);
}

TEST_CASE("path: symlinks are followed, relative to their directory", "[fs][path]")
{
    Tree t;
    auto conf = t.must("/etc/conf");
    CHECK(t.must("/link-abs").ptr() == conf.ptr());
    CHECK(t.must("/link-rel").ptr() == conf.ptr());
    CHECK(t.must("/dirlink/conf").ptr() == conf.ptr());
    CHECK(t.must("/etc/up/prog").ptr() == t.must("/bin/prog").ptr()); // ../bin from /etc
    CHECK(t.must("/dirlink/up/../etc/conf").ptr() == conf.ptr());
    CHECK(t.error_of("/dangling") == Errno::ENOENT);

    // NOFOLLOW stops at the last component only.
    auto link = t.must("/link-abs", fs::LOOKUP_NOFOLLOW);
    CHECK(link->is_symlink());
    CHECK(t.must("/dirlink/conf", fs::LOOKUP_NOFOLLOW).ptr() == conf.ptr());
    CHECK(t.must("/dangling", fs::LOOKUP_NOFOLLOW)->is_symlink());
    // A trailing slash follows even with NOFOLLOW, and demands a directory.
    CHECK(t.must("/dirlink/", fs::LOOKUP_NOFOLLOW)->is_directory());
    CHECK(t.error_of("/link-abs/", fs::LOOKUP_NOFOLLOW) == Errno::ENOTDIR);
}

TEST_CASE("path: symlink loops and chains give ELOOP after 40 links", "[fs][path]")
{
    Tree t(41); // chain0 -> ... -> chain41 (a file): 41 links
    CHECK(t.error_of("/loop1") == Errno::ELOOP);
    CHECK(t.error_of("/loop1/x") == Errno::ELOOP);
    CHECK(t.must("/loop1", fs::LOOKUP_NOFOLLOW)->is_symlink());
    CHECK(t.error_of("/chain0") == Errno::ELOOP);
    CHECK(t.error_of("/chain1") != Errno::ELOOP); // 40 links: allowed
    CHECK(t.must("/chain1")->is_regular());
}

TEST_CASE("path: ENAMETOOLONG for a long component or path", "[fs][path]")
{
    Tree t;
    std::string name255(255, 'n'), name256(256, 'n');
    CHECK(t.error_of(("/" + name255).c_str()) == Errno::ENOENT);
    CHECK(t.error_of(("/" + name256).c_str()) == Errno::ENAMETOOLONG);
    CHECK(t.error_of(("/etc/" + name256).c_str()) == Errno::ENAMETOOLONG);
    std::string long_path = "/";
    while (long_path.size() < 4096) long_path += "./";
    CHECK(t.error_of(long_path.c_str()) == Errno::ENAMETOOLONG);
    std::string ok_path;
    while (ok_path.size() < 4090) ok_path += "./";
    ok_path += "etc";
    CHECK(ok_path.size() < 4096);
    CHECK(t.must(ok_path.c_str()).ptr() == t.must("/etc").ptr());
}

TEST_CASE("path: lookup for creation names the parent and the missing name", "[fs][path]")
{
    Tree t;
    auto r = MUST(fs::lookup(t.root, t.root, "/etc/newfile", fs::LOOKUP_ALLOW_MISSING));
    CHECK(!r.inode);
    CHECK(r.parent.ptr() == t.must("/etc").ptr());
    CHECK(fs_test::str(r.name.view()) == "newfile");
    // Through a dangling symlink: the target's place.
    auto d = MUST(fs::lookup(t.root, t.root, "/dangling", fs::LOOKUP_ALLOW_MISSING));
    CHECK(!d.inode);
    CHECK(fs_test::str(d.name.view()) == "nowhere");
    // Missing parents are still ENOENT.
    CHECK(fs::lookup(t.root, t.root, "/nope/new", fs::LOOKUP_ALLOW_MISSING).error() == Errno::ENOENT);
}

TEST_CASE("path: getcwd reconstructs the path", "[fs][path]")
{
    Tree t;
    auto c = t.must("/a/b/c");
    CHECK(fs_test::str(MUST(fs::path_of(t.root, *c->as_directory())).view()) == "/a/b/c");
    CHECK(fs_test::str(MUST(fs::path_of(t.root, *t.root)).view()) == "/");
    REQUIRE(!fs::chdir(*t.ctx, "/dirlink/up").is_error());
    CHECK(fs_test::str(MUST(fs::getcwd(*t.ctx)).view()) == "/bin");
    CHECK(fs::chdir(*t.ctx, "/etc/conf").error() == Errno::ENOTDIR);
    CHECK(fs::chdir(*t.ctx, "/nope").error() == Errno::ENOENT);
    CHECK(fs_test::str(MUST(fs::getcwd(*t.ctx)).view()) == "/bin");
}
