#include "tools/dynamic.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace elfin;

TEST_CASE("dynamic: a static program needs no libraries")
{
    struct stat st;
    if (stat("/bin/busybox", &st) != 0) {
        WARN("no /bin/busybox (busybox-static): skipped");
        return;
    }
    auto deps = read_dynamic_deps("/bin/busybox");
    REQUIRE(deps.ok());
    CHECK(deps->needed.empty());
    auto libs = resolve_libraries("/bin/busybox");
    REQUIRE(libs.ok());
    CHECK(libs->empty());
}

TEST_CASE("dynamic: the host's /bin/ls needs libc, found on disk, each once")
{
    auto deps = read_dynamic_deps("/bin/ls");
    REQUIRE(deps.ok());
    CHECK(std::find(deps->needed.begin(), deps->needed.end(), "libc.so.6") != deps->needed.end());
    auto libs = resolve_libraries("/bin/ls");
    REQUIRE(libs.ok());
    auto libc = std::find_if(libs->begin(), libs->end(), [](auto& p) { return p.ends_with("/libc.so.6"); });
    REQUIRE(libc != libs->end());
    struct stat st;
    CHECK(stat(libc->c_str(), &st) == 0);
    auto sorted = *libs;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
}

TEST_CASE("dynamic: a missing file is an error naming it")
{
    auto r = read_dynamic_deps("/nonexistent/x");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("/nonexistent/x") != std::string::npos);
}
