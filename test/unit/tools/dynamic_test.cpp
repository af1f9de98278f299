#include "tools/dynamic.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sys/stat.h>

using namespace elfin;

namespace {

bool exists(const std::string& p)
{
    struct stat st;
    return stat(p.c_str(), &st) == 0;
}

SearchConfig test_config()
{
    SearchConfig c;
    c.cache = { { "libz.so.1", "/cache/libz.so.1", LD_CACHE_X86_64, 0 }, { "libz.so.1", "/cache32/libz.so.1", 0x0003, 0 } };
    c.default_dirs = { "/lib/x86_64-linux-gnu", "/usr/lib" };
    return c;
}

#ifdef ELFIN_TOOL_FIXTURES
const std::string FIX = ELFIN_TOOL_FIXTURES;
#endif

} // namespace

TEST_CASE("dynamic: ld.so's search order")
{
    auto c = test_config();
    c.library_path = { "/llp" };
    SearchScope s;
    s.rpath_chain = { { "/rpath-own" }, { "/rpath-loader" } };
    auto v = library_candidates("libz.so.1", s, c);
    std::vector<std::string> want = { "/rpath-own/libz.so.1", "/rpath-loader/libz.so.1", "/llp/libz.so.1", "/cache/libz.so.1",
        "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/libz.so.1" };
    CHECK(v == want);
    // With a RUNPATH, RPATHs are ignored and RUNPATH comes after LD_LIBRARY_PATH.
    s.runpath = { "/runpath" };
    s.has_runpath = true;
    v = library_candidates("libz.so.1", s, c);
    want = { "/llp/libz.so.1", "/runpath/libz.so.1", "/cache/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/libz.so.1" };
    CHECK(v == want);
    // A name with a slash is a path: nothing is searched.
    CHECK(library_candidates("/opt/x/libq.so", s, c) == std::vector<std::string> { "/opt/x/libq.so" });
}

TEST_CASE("dynamic: a static program needs no libraries")
{
    if (!exists("/bin/busybox")) {
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
    CHECK(is_x86_64_elf(*libc));
    auto sorted = *libs;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    CHECK_FALSE(is_x86_64_elf("/etc/passwd"));
}

TEST_CASE("dynamic: a missing file is an error naming it")
{
    auto r = read_dynamic_deps("/nonexistent/x");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("/nonexistent/x") != std::string::npos);
}

#ifdef ELFIN_TOOL_FIXTURES
TEST_CASE("dynamic: RUNPATH and RPATH with $ORIGIN, read from the files")
{
    auto run = read_dynamic_deps(FIX + "/needs-runpath.so");
    REQUIRE(run.ok());
    CHECK(run->needed == std::vector<std::string> { "libelfin-stub.so.1" });
    CHECK(run->runpath == std::vector<std::string> { FIX + "/stub" });
    CHECK(run->rpath.empty());
    auto rp = read_dynamic_deps(FIX + "/needs-rpath.so");
    REQUIRE(rp.ok());
    CHECK(rp->rpath == std::vector<std::string> { FIX + "/stub" });
    auto stub = read_dynamic_deps(FIX + "/stub/libelfin-stub.so.1");
    REQUIRE(stub.ok());
    CHECK(stub->soname == "libelfin-stub.so.1");

    auto c = test_config();
    for (auto* f : { "/needs-runpath.so", "/needs-rpath.so" }) {
        auto r = resolve_dependencies({ FIX + f }, c);
        REQUIRE(r.ok());
        CHECK(r->missing.empty());
        CHECK(r->libraries == std::vector<std::string> { FIX + "/stub/libelfin-stub.so.1" });
    }
}

TEST_CASE("dynamic: a library nowhere to be found names the file, the places and the fix")
{
    auto c = test_config();
    auto r = resolve_dependencies({ FIX + "/needs-missing.so" }, c);
    REQUIRE(r.ok());
    REQUIRE(r->missing.size() == 1);
    auto msg = missing_library_message(r->missing[0], c);
    CHECK(msg == FIX + "/needs-missing.so needs libelfin-stub.so.1, which is not in its RUNPATH/RPATH (" + FIX
            + "/nowhere), ld.so.cache or /lib/x86_64-linux-gnu, /usr/lib: install it or add it with --lib PATH");
    // --lib provides it by name.
    auto given = resolve_dependencies({ FIX + "/needs-missing.so" }, c, { { "libelfin-stub.so.1", FIX + "/stub/libelfin-stub.so.1" } });
    REQUIRE(given.ok());
    CHECK(given->missing.empty());
    // A library found through another one's RUNPATH is "through" it.
    MissingLibrary deep { "/usr/lib/libmid.so", "/usr/bin/foo", "libbar.so.1", {} };
    c.cache.clear();
    CHECK(missing_library_message(deep, c)
        == "/usr/bin/foo needs libbar.so.1 (through /usr/lib/libmid.so), which is not in /lib/x86_64-linux-gnu, /usr/lib: install it or add it with --lib PATH");
}

TEST_CASE("dynamic: --lib directories ld.so would not search go to LD_LIBRARY_PATH")
{
    auto c = test_config();
    CHECK(extra_library_dirs({ "/cache/libz.so.1", "/usr/lib/libq.so", FIX + "/stub/libelfin-stub.so.1" }, c)
        == std::vector<std::string> { FIX + "/stub" });
}
#endif
