#include "tools/etc_files.h"
#include "tools/packing.h"

#include <catch2/catch.hpp>

using namespace elfin;

namespace {
std::string data_of(const std::vector<EtcFile>& v, const std::string& path)
{
    for (auto& f : v)
        if (f.path == path) return f.data.empty() ? "host:" + f.host : f.data;
    return "(absent)";
}
} // namespace

TEST_CASE("etc: the default files")
{
    auto f = default_etc_files("/h/localtime", true, "/h/ld.so.cache", true);
    CHECK(data_of(f, "/etc/passwd").starts_with("root:x:0:0:root:/root:"));
    CHECK(data_of(f, "/etc/passwd").find("\nnobody:x:65534:65534:") != std::string::npos);
    CHECK(data_of(f, "/etc/group").starts_with("root:x:0:\n"));
    CHECK(data_of(f, "/etc/nsswitch.conf").find("hosts:     files dns\n") != std::string::npos);
    CHECK(data_of(f, "/etc/hosts").find("127.0.0.1\tlocalhost\n") != std::string::npos);
    CHECK(data_of(f, "/etc/hosts").find("::1\tlocalhost") != std::string::npos);
    CHECK(data_of(f, "/etc/hosts").find("\telfin\n") != std::string::npos);
    CHECK(data_of(f, "/etc/resolv.conf") == "nameserver 10.0.2.3\n");
    CHECK(data_of(f, "/etc/hostname") == "elfin\n");
    CHECK(data_of(f, "/etc/localtime") == "host:/h/localtime");
    CHECK(data_of(f, "/etc/ld.so.cache") == "host:/h/ld.so.cache");
    auto bare = default_etc_files("", false, "", false);
    CHECK(data_of(bare, "/etc/localtime") == "(absent)"); // glibc's default is UTC
    CHECK(data_of(bare, "/etc/ld.so.cache") == "(absent)");
}

TEST_CASE("etc: the defaults fill only what the person left free")
{
    ImagePlan plan;
    ImageEntry mine;
    mine.kind = ImageEntry::Kind::File;
    mine.data = "alice:x:1000:1000::/home/alice:/bin/sh\n";
    mine.origin = "--file passwd";
    REQUIRE(plan.add("/etc/passwd", mine).ok());
    ImageEntry tmp;
    tmp.kind = ImageEntry::Kind::Directory;
    tmp.perm = 0700;
    tmp.origin = "--dir t";
    REQUIRE(plan.add("/tmp", tmp).ok());
    REQUIRE(add_default_system_files(plan).ok());
    CHECK(plan.entries["etc/passwd"].data == mine.data);
    CHECK(plan.entries["etc/group"].data.starts_with("root:"));
    CHECK(plan.entries["tmp"].perm == 0700);
    CHECK(plan.entries["var/tmp"].perm == 01777);
    CHECK(plan.entries["root"].perm == 0700);
    CHECK(plan.entries.count("run"));
    CHECK(plan.entries.count("home"));
    CHECK_FALSE(plan.entries.count("dev")); // the kernel makes /dev, /proc and /sys
    CHECK_FALSE(plan.entries.count("proc"));
    // Twice is harmless.
    REQUIRE(add_default_system_files(plan).ok());
}

TEST_CASE("etc: --add-host lines are appended to /etc/hosts, the default or the person's")
{
    std::vector<HostEntry> hosts = { { "db.local", "10.0.2.2" }, { "v6.local", "2001:db8::1" } };
    CHECK(hosts_lines(hosts) == "10.0.2.2\tdb.local\n2001:db8::1\tv6.local\n");
    ImagePlan plan;
    REQUIRE(add_default_system_files(plan, hosts).ok());
    auto& text = plan.entries["etc/hosts"].data;
    CHECK(text.starts_with("127.0.0.1\tlocalhost\n"));
    CHECK(text.ends_with("\telfin\n10.0.2.2\tdb.local\n2001:db8::1\tv6.local\n"));

    ImagePlan own;
    ImageEntry mine;
    mine.kind = ImageEntry::Kind::File;
    mine.data = "192.0.2.1 mine"; // no final newline
    mine.origin = "--file hosts";
    REQUIRE(own.add("/etc/hosts", mine).ok());
    REQUIRE(add_default_system_files(own, hosts).ok());
    CHECK(own.entries["etc/hosts"].data == "192.0.2.1 mine\n10.0.2.2\tdb.local\n2001:db8::1\tv6.local\n");

    ImagePlan dir;
    ImageEntry d;
    d.kind = ImageEntry::Kind::Directory;
    d.origin = "--dir h";
    REQUIRE(dir.add("/etc/hosts", d).ok());
    auto r = add_default_system_files(dir, hosts);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("--add-host") != std::string::npos);
}
