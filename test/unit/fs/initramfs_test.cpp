#include <catch2/catch.hpp>
#include "test/unit/fs/fs_fixture.h"

using fs_test::CpioBuilder;
using fs_test::records;
using fs_test::str;
using fs_test::Tree;

TEST_CASE("initramfs: files keep their data in place, mode, owner and mtime", "[fs][initramfs]")
{
    Tree t;
    auto prog = t.must("/bin/prog");
    auto* f = prog->as_regular();
    REQUIRE(f);
    CHECK(f->is_in_place());
    auto c = f->contents();
    CHECK(c.data >= t.image.data());
    CHECK(c.data + c.size <= t.image.data() + t.image.size());
    CHECK(std::string(reinterpret_cast<const char*>(c.data), c.size) == "\x7f" "ELF-program");
    CHECK(prog->mode() == (fs::S_IFREG | 0755));
    CHECK(prog->mtime().sec == 1700000000);
    CHECK(t.must("/etc")->mode() == (fs::S_IFDIR | 0755));
    CHECK(t.must("/data")->is_directory()); // made as a missing parent
    CHECK(t.must("/data/empty")->size() == 0);
    CHECK(t.must("/link-rel", fs::LOOKUP_NOFOLLOW)->size() == 8);
}

TEST_CASE("initramfs: the manifest is parsed and kept out of the tree", "[fs][initramfs]")
{
    Tree t;
    REQUIRE(t.manifest.present);
    CHECK(str(t.manifest.exe.view()) == "/bin/prog");
    REQUIRE(t.manifest.argv.size() == 2);
    CHECK(str(t.manifest.argv[0].view()) == "prog");
    CHECK(str(t.manifest.argv[1].view()) == "-v");
    REQUIRE(t.manifest.envp.size() == 1);
    CHECK(str(t.manifest.envp[0].view()) == "HOME=/");
    CHECK(str(t.manifest.cwd.view()) == "/etc");
    CHECK(t.error_of("/.elfin/manifest") == Errno::ENOENT);
    CHECK(t.error_of("/.elfin") == Errno::ENOENT);
    // /proc/self/exe reads back as the program's path and leads to it.
    auto exe = t.must("/proc/self/exe", fs::LOOKUP_NOFOLLOW);
    REQUIRE(exe->is_symlink());
    CHECK(str(MUST(fs::readlink_at(*t.ctx, fs::AT_FDCWD, "/proc/self/exe")).view()) == "/bin/prog");
    CHECK(t.must("/proc/self/exe").ptr() == t.must("/bin/prog").ptr());
    CHECK(t.must("/dev/null")->is_char_device());
}

TEST_CASE("initramfs: manifest rules", "[fs][initramfs]")
{
    auto parse = [](const std::string& recs) {
        fs::Manifest m;
        const char* why = nullptr;
        auto r = fs::parse_manifest(reinterpret_cast<const u8*>(recs.data()), recs.size(), m, &why);
        return r.is_error() ? std::string(why ? why : "?") : std::string();
    };
    CHECK(parse(records({ { "exe", "/x" }, { "arg", "x" } })).empty());
    CHECK(!parse(records({ { "arg", "x" } })).empty());                      // no exe
    CHECK(!parse(records({ { "exe", "/x" } })).empty());                     // no argv[0]
    CHECK(!parse(records({ { "exe", "x" }, { "arg", "x" } })).empty());      // relative exe
    CHECK(!parse(records({ { "exe", "/x" }, { "exe", "/y" }, { "arg", "x" } })).empty());
    CHECK(!parse(records({ { "exe", "/x" }, { "arg", "x" }, { "bogus", "1" } })).empty());
    CHECK(!parse(records({ { "exe", "/x" }, { "arg", "x" }, { "env", "NOEQUALS" } })).empty());
    CHECK(!parse(std::string("exe\0/x\0arg\0x", 12)).empty()); // no final NUL
    CHECK(!parse(std::string("exe\0", 4)).empty());            // key without value
    fs::Manifest m;
    auto recs = records({ { "exe", "/x" }, { "arg", "x" } });
    REQUIRE(!fs::parse_manifest(reinterpret_cast<const u8*>(recs.data()), recs.size(), m).is_error());
    CHECK(str(m.cwd.view()) == "/");
}

TEST_CASE("initramfs: odd entries", "[fs][initramfs]")
{
    CpioBuilder b;
    b.entry(".", 0040700, "");          // the root's own mode
    b.file("./dot/slash", "x");         // ./ prefix
    b.file("/abs/olute", "y");          // leading slash
    b.file("dup", "first");
    b.file("dup", "second");            // a later entry replaces an earlier one
    b.entry("fifo", 0010644, "");       // no FIFOs yet: skipped
    b.entry("blk", 0060644, "", 1, 0, 8, 0);
    b.file("../escape", "no");          // never outside the image
    b.file("dup/child", "z");           // parent is a file: skipped
    b.entry("hard1", 0100644, "", 2, 77); // hard links: data on the last one
    b.entry("hard2", 0100644, "shared", 2, 77);
    b.entry("weird", 0020644, "", 1, 0, 42, 42); // a device Elfin has no driver for
    auto image = b.finish();
    fs::Manifest m;
    fs::UnpackStats st;
    auto root = MUST(fs::build_root(image.data(), image.size(), m, &st));
    CHECK(!m.present);
    CHECK(root->permissions() == 0700);
    auto ctx = MUST(fs::Context::create(root));
    auto get = [&](const char* p) { return fs::resolve(root, root, p); };
    CHECK(!get("/dot/slash").is_error());
    CHECK(!get("/abs/olute").is_error());
    auto dup = MUST(get("/dup"));
    auto c = dup->as_regular()->contents();
    CHECK(std::string(reinterpret_cast<const char*>(c.data), c.size) == "second");
    CHECK(get("/fifo").error() == Errno::ENOENT);
    CHECK(get("/blk").error() == Errno::ENOENT);
    CHECK(get("/escape").error() == Errno::ENOENT);
    CHECK(get("/dup/child").error() == Errno::ENOTDIR);
    auto h1 = MUST(get("/hard1")), h2 = MUST(get("/hard2"));
    CHECK(h1.ptr() == h2.ptr());
    CHECK(h1->nlink() == 2);
    CHECK(h1->size() == 6);
    CHECK(st.skipped >= 4);
    auto weird = MUST(get("/weird"));
    CHECK(weird->is_char_device());
    CHECK(fs::open_at(*ctx, fs::AT_FDCWD, "/weird", fs::O_RDONLY, 0).error() == Errno::ENXIO);
}

TEST_CASE("initramfs: a corrupt archive fails with a reason", "[fs][initramfs]")
{
    CpioBuilder b;
    b.file("x", "data");
    auto image = b.finish();
    image[1] = '9';
    fs::Manifest m;
    const char* why = nullptr;
    auto r = fs::build_root(image.data(), image.size(), m, nullptr, &why);
    REQUIRE(r.is_error());
    CHECK(r.error() == Errno::EINVAL);
    REQUIRE(why);
    CHECK(std::string(why).find("magic") != std::string::npos);

    CpioBuilder bad_manifest;
    bad_manifest.manifest(records({ { "arg", "x" } }));
    auto image2 = bad_manifest.finish();
    fs::Manifest m2;
    why = nullptr;
    auto r2 = fs::build_root(image2.data(), image2.size(), m2, nullptr, &why);
    REQUIRE(r2.is_error());
    CHECK(std::string(why).find("exe") != std::string::npos);
}
