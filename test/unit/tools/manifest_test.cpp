#include "tools/manifest.h"

#include <catch2/catch.hpp>

using namespace elfin;
using namespace std::string_literals;

TEST_CASE("manifest: encoding is key NUL value NUL, in protocol order")
{
    Manifest m;
    m.exe = "/bin/busybox";
    m.args = { "busybox", "echo", "" };
    m.env = { "PATH=/bin", "HOME=/" };
    m.cwd = "/tmp";
    auto enc = encode_manifest(m);
    REQUIRE(enc.ok());
    std::string want = "exe\0/bin/busybox\0"s + "arg\0busybox\0"s + "arg\0echo\0"s
        + "arg\0\0"s + "env\0PATH=/bin\0"s + "env\0HOME=/\0"s
        + "cwd\0/tmp\0"s;
    CHECK(*enc == want);
    auto dec = decode_manifest(*enc);
    REQUIRE(dec.ok());
    CHECK(*dec == m);
}

TEST_CASE("manifest: cwd is omitted when not set, env may be empty")
{
    Manifest m { "/a", { "a" }, {}, "" };
    auto enc = encode_manifest(m);
    REQUIRE(enc.ok());
    CHECK(*enc == "exe\0/a\0arg\0a\0"s);
}

TEST_CASE("manifest: refuses what the kernel could not use")
{
    CHECK_FALSE(encode_manifest({ "bin/x", { "x" }, {}, "" }).ok());            // relative exe
    CHECK_FALSE(encode_manifest({ "/x", {}, {}, "" }).ok());                    // no argv[0]
    CHECK_FALSE(encode_manifest({ "/x", { "a\0b"s }, {}, "" }).ok()); // NUL inside
    CHECK_FALSE(encode_manifest({ "/x", { "x" }, { "NOEQUALS" }, "" }).ok());
    CHECK_FALSE(encode_manifest({ "/x", { "x" }, { "=v" }, "" }).ok());
    CHECK_FALSE(encode_manifest({ "/x", { "x" }, {}, "relative" }).ok());
}

TEST_CASE("manifest: decoding checks the record counts")
{
    CHECK_FALSE(decode_manifest("arg\0a\0"s).ok());                               // no exe
    CHECK_FALSE(decode_manifest("exe\0/a\0"s).ok());                              // no arg
    CHECK_FALSE(decode_manifest("exe\0/a\0exe\0/b\0arg\0a\0"s).ok());            // two exes
    CHECK_FALSE(decode_manifest("exe\0/a\0arg\0a"s).ok());                       // unterminated
    CHECK_FALSE(decode_manifest("exe\0/a\0arg\0a\0foo\0x\0"s).ok());             // unknown key
}
