#include "tools/runtime_files.h"

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
} // namespace

TEST_CASE("runtime files: Python's version from the binary's name")
{
    CHECK(python_version_from_name("python3.11") == "3.11");
    CHECK(python_version_from_name("python3.12d") == "3.12");
    CHECK(python_version_from_name("python3.9") == "3.9");
    CHECK(python_version_from_name("python3") == "");
    CHECK(python_version_from_name("python") == "");
    CHECK(python_version_from_name("python3.11-config") == "");
    CHECK(python_version_from_name("perl5.36.0") == "");
    CHECK(python_version_from_name("python3.11.so.1.0") == "3.11"); // from libpython3.11.so.1.0
}

TEST_CASE("runtime files: what of Python's standard library is left out")
{
    for (auto* d : { "test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "ctypes/test", "distutils/tests",
             "idlelib/idle_test", "sqlite3/test" })
        CHECK(python_skip(d, true));
    CHECK(python_skip("test/__pycache__/x.pyc", false));
    CHECK(python_skip("config-3.11-x86_64-linux-gnu/libpython3.11.a", false));
    for (auto* d : { "json", "unittest", "__pycache__", "lib-dynload", "encodings", "importlib" }) CHECK_FALSE(python_skip(d, true));
    CHECK_FALSE(python_skip("__pycache__/os.cpython-311.pyc", false));
    CHECK_FALSE(python_skip("lib-dynload/_sqlite3.cpython-311-x86_64-linux-gnu.so", false));
    CHECK_FALSE(python_skip("config-3.11-x86_64-linux-gnu/Makefile", false));
}

TEST_CASE("runtime files: Perl's @INC from the strings in its binary")
{
    using namespace std::string_literals;
    std::string bytes = "\x7f" "ELF junk\0/etc/perl\0/usr/share/perl/5.40\0%s/perl/x\0/usr/lib/x86_64-linux-gnu/perl-base\0"
                        "/usr/lib/debug/.dwz/x86_64-linux-gnu/perl-base.debug\0prefix/usr/share/perl5\0/usr/share/perl/5.40\0"
                        "/bin/sh\0/usr/share/perl5\0/usr/share/perl5/\0/tmp/perl\xff\0"s;
    auto inc = perl_inc_from_strings(bytes);
    std::vector<std::string> want = { "/etc/perl", "/usr/share/perl/5.40", "/usr/lib/x86_64-linux-gnu/perl-base", "/usr/share/perl5" };
    CHECK(inc == want);
    CHECK(perl_skip("CORE", true));
    CHECK_FALSE(perl_skip("auto", true));
    CHECK(perl_skip("pod/perlfunc.pod", false));
    CHECK_FALSE(perl_skip("POSIX.pm", false));
}

TEST_CASE("runtime files: the host's Python and Perl")
{
    if (exists("/usr/bin/python3.11") && exists("/usr/lib/python3.11/os.py")) {
        auto r = interpreter_runtime_files("/usr/bin/python3.11", {});
        REQUIRE(r.trees.size() == 1);
        CHECK(r.trees[0].dir == "/usr/lib/python3.11");
    }
    if (exists("/usr/bin/perl") && exists("/usr/share/perl5")) {
        auto r = interpreter_runtime_files("/usr/bin/perl", {});
        auto has = [&](const std::string& d) { return std::any_of(r.trees.begin(), r.trees.end(), [&](auto& t) { return t.dir == d; }); };
        CHECK(has("/etc/perl"));
        CHECK(has("/usr/share/perl5"));
        CHECK(std::none_of(r.trees.begin(), r.trees.end(), [](auto& t) { return t.dir.find("debug") != std::string::npos; }));
    }
    CHECK(interpreter_runtime_files("/bin/ls", {}).trees.empty());
}

TEST_CASE("runtime files: glibc's NSS modules and gconv beside libc")
{
    std::string libc = "/lib/x86_64-linux-gnu/libc.so.6";
    if (!exists(libc) || !exists("/lib/x86_64-linux-gnu/gconv/gconv-modules")) {
        WARN("no Debian glibc layout: skipped");
        return;
    }
    auto r = glibc_runtime_files(libc);
    auto has = [&](const std::string& f) { return std::find(r.files.begin(), r.files.end(), f) != r.files.end(); };
    CHECK(has("/lib/x86_64-linux-gnu/gconv/gconv-modules"));
    CHECK(has("/lib/x86_64-linux-gnu/gconv/ISO8859-15.so"));
    if (exists("/lib/x86_64-linux-gnu/libnss_files.so.2")) CHECK(has("/lib/x86_64-linux-gnu/libnss_files.so.2"));
    CHECK_FALSE(has("/lib/x86_64-linux-gnu/gconv/EBCDIC-US.so"));
    CHECK(glibc_runtime_files("/nonexistent/libc.so.6").files.empty());
}
