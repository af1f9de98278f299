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
