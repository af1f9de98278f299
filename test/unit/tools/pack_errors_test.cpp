// One-line errors before boot for files elfin cannot pack (docs/packing.md).
#include "tools/image.h"
#include "tools/packing.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace elfin;

TEST_CASE("pack errors: an unreadable or missing file names itself and what to do")
{
    char tmpl[] = "/tmp/elfin-pack-errors-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    std::string secret = dir + "/libsecret.so";
    std::ofstream(secret) << "x";
    ImagePlan plan;
    if (geteuid() != 0) { // root reads everything
        chmod(secret.c_str(), 0);
        auto r = add_host_path(plan, secret, "the library " + secret);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "the library " + secret + ": " + secret + ": permission denied: elfin cannot read it (check its mode)");
    }
    Program p;
    p.given = p.host_path = p.guest_path = "/bin/ls";
    p.interp = "/lib64/ld-linux-x86-64.so.2";
    Options o;
    o.libs.push_back(dir + "/nope.so");
    auto missing = plan_image(o, p, Manifest { "/bin/ls", { "ls" }, {}, "" });
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == "--lib " + dir + "/nope.so: no such file");
    std::string cmd = "rm -rf " + dir;
    CHECK(system(cmd.c_str()) == 0);
}
