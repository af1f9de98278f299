#include "tools/cpio.h"
#include "tools/file_util.h"
#include "tools/image.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace elfin;

namespace {

struct TempDir {
    std::string path;
    TempDir()
    {
        char tmpl[] = "/tmp/elfin-image-test-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir()
    {
        std::string cmd = "rm -rf " + path;
        (void)system(cmd.c_str());
    }
    std::string write(const std::string& rel, const std::string& data, unsigned mode = 0644)
    {
        std::string p = path + "/" + rel;
        std::ofstream(p, std::ios::binary) << data;
        chmod(p.c_str(), mode);
        return p;
    }
};

Program fake_program(const std::string& host)
{
    Program p;
    p.given = host;
    p.host_path = host;
    p.guest_path = host;
    return p;
}

Manifest manifest_for(const std::string& exe) { return Manifest { exe, { exe, "arg1" }, { "HOME=/" }, "" }; }

std::map<std::string, CpioEntry> read_back(const std::string& path)
{
    auto bytes = read_file(path, path);
    REQUIRE(bytes.ok());
    auto entries = parse_cpio(*bytes);
    REQUIRE(entries.ok());
    std::map<std::string, CpioEntry> m;
    for (auto& e : *entries) {
        CHECK(m.count(e.name) == 0); // each path once
        m[e.name] = e;
    }
    return m;
}

} // namespace

TEST_CASE("image: program, --file, --dir (modes, symlinks) and the manifest")
{
    TempDir t;
    auto prog = t.write("prog", "ELF-ish", 0755);
    REQUIRE(mkdir((t.path + "/tree").c_str(), 0755) == 0);
    REQUIRE(mkdir((t.path + "/tree/sub").c_str(), 0700) == 0);
    t.write("tree/sub/secret", "s", 0600);
    t.write("tree/top", "top", 0644);
    REQUIRE(symlink("sub/secret", (t.path + "/tree/link").c_str()) == 0);
    auto extra = t.write("extra.conf", "conf", 0640);

    Options o;
    o.dirs.push_back({ t.path + "/tree", "/srv/tree" });
    o.files.push_back({ extra, "/etc/extra.conf" });
    auto plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE(plan.ok());
    std::string out = t.path + "/image.cpio";
    REQUIRE(write_image(*plan, out).ok());

    auto m = read_back(out);
    std::string g = prog.substr(1); // guest names are relative
    REQUIRE(m.count(g));
    CHECK(m[g].data == "ELF-ish");
    CHECK(m[g].mode == (CPIO_S_IFREG | 0755));
    CHECK(m["srv"].mode == (CPIO_S_IFDIR | 0755));
    CHECK(m["srv/tree/sub"].mode == (CPIO_S_IFDIR | 0700));
    CHECK(m["srv/tree/sub/secret"].mode == (CPIO_S_IFREG | 0600));
    CHECK(m["srv/tree/top"].data == "top");
    CHECK(m["srv/tree/link"].mode == (CPIO_S_IFLNK | 0777));
    CHECK(m["srv/tree/link"].data == "sub/secret");
    CHECK(m["etc/extra.conf"].mode == (CPIO_S_IFREG | 0640));
    REQUIRE(m.count(".elfin/manifest"));
    auto dec = decode_manifest(m[".elfin/manifest"].data);
    REQUIRE(dec.ok());
    CHECK(*dec == manifest_for(prog));
}

TEST_CASE("image: conflicts and reserved paths are refused with their origin")
{
    TempDir t;
    auto prog = t.write("prog", "x", 0755);
    auto a = t.write("a", "a");
    auto b = t.write("b", "b");
    Options o;
    o.files = { { a, "/etc/f" }, { b, "/etc/f" } };
    auto plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().message.find("/etc/f is put in the image twice") != std::string::npos);

    o.files = { { a, "/.elfin/manifest" } };
    plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().message.find("reserved") != std::string::npos);

    o.files = { { a, "/etc" }, { b, "/etc/x" } };
    plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().message.find("inside /etc") != std::string::npos);

    o.files = { { t.path + "/missing", "/m" } };
    plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().message.find("--file " + t.path + "/missing") != std::string::npos);

    o.files = {};
    o.dirs = { { a, "/d" } };
    plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().message.find("not a directory") != std::string::npos);

    // the same host file twice (the program inside a --dir) is fine
    o.dirs = { { t.path, t.path } };
    CHECK(plan_image(o, fake_program(prog), manifest_for(prog)).ok());
}

TEST_CASE("image: the cache hits for identical inputs and misses on changes")
{
    TempDir t;
    auto prog = t.write("prog", "v1", 0755);
    std::string cache = t.path + "/cache";
    Options o;
    auto plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE(plan.ok());
    auto first = cached_image(*plan, cache, false);
    REQUIRE(first.ok());
    CHECK_FALSE(first->hit);
    CHECK_FALSE(first->temporary);
    auto again = cached_image(*plan, cache, false);
    REQUIRE(again.ok());
    CHECK(again->hit);
    CHECK(again->path == first->path);
    CHECK_FALSE(cached_image(*plan, cache, true)->hit); // --no-cache

    // other arguments: another image
    auto m2 = manifest_for(prog);
    m2.args.push_back("more");
    auto plan2 = plan_image(o, fake_program(prog), m2);
    REQUIRE(plan2.ok());
    CHECK(plan2->cache_description() != plan->cache_description());
    auto other = cached_image(*plan2, cache, false);
    REQUIRE(other.ok());
    CHECK_FALSE(other->hit);
    CHECK(other->path != first->path);

    // a changed program (size): another description
    t.write("prog", "version 2", 0755);
    auto plan3 = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE(plan3.ok());
    CHECK(plan3->cache_description() != plan->cache_description());
}

TEST_CASE("image: fnv1a64 known values")
{
    CHECK(fnv1a64("") == 0xcbf29ce484222325ull);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cull);
}

TEST_CASE("image: a dynamic program brings its loader and libraries through the host's symlinks, once each")
{
    Program p = fake_program("/bin/ls");
    p.interp = "/lib64/ld-linux-x86-64.so.2";
    auto plan = plan_image(Options {}, p, manifest_for("/bin/ls"));
    REQUIRE(plan.ok());
    unsigned libc = 0, loaders = 0;
    for (auto& [name, e] : plan->entries) {
        if (e.kind != ImageEntry::Kind::File) continue;
        libc += name.ends_with("/libc.so.6");
        loaders += name.ends_with("/ld-linux-x86-64.so.2");
    }
    CHECK(libc == 1);
    CHECK(loaders == 1);
    CHECK(plan->entries.count("lib64/ld-linux-x86-64.so.2") + plan->entries.count("lib64") > 0);
    CHECK(plan->entries.count("etc/passwd"));
    CHECK(plan->entries.count("etc/nsswitch.conf"));
    CHECK(plan->entries["tmp"].perm == 01777);
    CHECK_FALSE(plan->automatic.empty());
}

TEST_CASE("image: the person's /etc files win over the defaults")
{
    TempDir t;
    auto prog = t.write("prog", "x", 0755);
    auto pw = t.write("passwd", "me:x:1:1::/:/bin/sh\n");
    Options o;
    o.files.push_back({ pw, "/etc/passwd" });
    auto plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE(plan.ok());
    CHECK(plan->entries["etc/passwd"].host == pw);
    CHECK(plan->entries["etc/group"].data.starts_with("root:"));
}

TEST_CASE("image: a missing loader or library stops it with one line saying what to do")
{
    Program musl = fake_program("/bin/ls");
    musl.interp = "/nonexistent/ld-musl-x86_64.so.1";
    auto r = plan_image(Options {}, musl, manifest_for("/bin/ls"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.starts_with("/bin/ls needs the loader /nonexistent/ld-musl-x86_64.so.1, which is not usable here (no such file)"));
    CHECK(r.error().message.find("apt-get install musl") != std::string::npos);
    CHECK(r.error().message.find('\n') == std::string::npos);
#ifdef ELFIN_TOOL_FIXTURES
    std::string fix = ELFIN_TOOL_FIXTURES;
    Program p = fake_program(fix + "/needs-missing.so");
    p.interp = "/lib64/ld-linux-x86-64.so.2";
    auto missing = plan_image(Options {}, p, manifest_for(p.host_path));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.starts_with(fix + "/needs-missing.so needs libelfin-stub.so.1, which is not in its RUNPATH/RPATH ("));
    CHECK(missing.error().message.ends_with(": install it or add it with --lib PATH"));
    // --lib supplies it.
    Options o;
    o.libs.push_back(fix + "/stub/libelfin-stub.so.1");
    auto with = plan_image(o, p, manifest_for(p.host_path));
    REQUIRE(with.ok());
    CHECK(with->entries.count(fix.substr(1) + "/stub/libelfin-stub.so.1"));
    Options bad;
    bad.libs.push_back("/etc/passwd");
    auto notlib = plan_image(bad, p, manifest_for(p.host_path));
    REQUIRE_FALSE(notlib.ok());
    CHECK(notlib.error().message == "--lib /etc/passwd: not an x86-64 ELF shared library");
#endif
}

#ifdef ELFIN_TOOL_FIXTURES
TEST_CASE("image: the ELF files of a --dir tree bring their libraries; a missing one is a warning")
{
    TempDir t;
    auto prog = t.write("prog", "x", 0755);
    std::string fix = ELFIN_TOOL_FIXTURES;
    TempDir tree;
    std::string copy = "cp " + fix + "/needs-rpath.so " + fix + "/needs-missing.so " + tree.path + "/";
    REQUIRE(system(copy.c_str()) == 0);
    Options o;
    o.dirs.push_back({ fix, "/app" });
    auto plan = plan_image(o, fake_program(prog), manifest_for(prog));
    REQUIRE(plan.ok());
    // needs-runpath.so finds the stub through $ORIGIN/stub at its host path.
    CHECK(plan->entries.count(fix.substr(1) + "/stub/libelfin-stub.so.1"));
    // needs-missing.so's RUNPATH leads nowhere: only a warning, since a
    // module in a tree may never be loaded.
    Options o2;
    o2.dirs.push_back({ tree.path, "/app" });
    plan = plan_image(o2, fake_program(prog), manifest_for(prog));
    REQUIRE(plan.ok());
    bool warned = false;
    for (auto& w : plan->warnings) warned |= w.find("needs-missing.so needs libelfin-stub.so.1") != std::string::npos;
    CHECK(warned);
}
#endif
