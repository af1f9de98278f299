#include "tools/program.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace elfin;

namespace {

// A minimal valid static x86-64 executable: one PT_LOAD covering the file.
std::string tiny_elf(uint16_t machine = 62, uint8_t cls = 2, const char* interp = nullptr)
{
    std::string f(0x200, '\0');
    auto put16 = [&](size_t o, uint16_t v) { std::memcpy(&f[o], &v, 2); };
    auto put32 = [&](size_t o, uint32_t v) { std::memcpy(&f[o], &v, 4); };
    auto put64 = [&](size_t o, uint64_t v) { std::memcpy(&f[o], &v, 8); };
    f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F', f[4] = static_cast<char>(cls), f[5] = 1, f[6] = 1;
    put16(16, 2);        // ET_EXEC
    put16(18, machine);
    put32(20, 1);
    put64(24, 0x400100); // entry
    put64(32, 64);       // phoff
    put16(52, 64);       // ehsize
    put16(54, 56);       // phentsize
    put16(56, interp ? 2 : 1);
    size_t ph = 64;
    put32(ph, 1);        // PT_LOAD
    put32(ph + 4, 5);
    put64(ph + 8, 0);
    put64(ph + 16, 0x400000);
    put64(ph + 24, 0x400000);
    put64(ph + 32, 0x200);
    put64(ph + 40, 0x200);
    put64(ph + 48, 0x1000);
    if (interp) {
        ph += 56;
        put32(ph, 3);    // PT_INTERP
        put64(ph + 8, 0x180);
        put64(ph + 32, std::strlen(interp) + 1);
        std::memcpy(&f[0x180], interp, std::strlen(interp) + 1);
    }
    return f;
}

std::string refusal(const std::string& bytes)
{
    loader::ElfInfo info;
    return program_refusal("/tmp/x", bytes, info);
}

} // namespace

TEST_CASE("program: a valid static ELF is accepted")
{
    CHECK(refusal(tiny_elf()) == "");
}

TEST_CASE("program: refusals name the file and the reason")
{
    CHECK(refusal(tiny_elf(183)) == "/tmp/x: aarch64 ELF (only x86-64 programs are supported)");
    CHECK(refusal(tiny_elf(62, 1)) == "/tmp/x: 32-bit ELF (only x86-64 programs are supported)");
    CHECK(refusal("hello world, not a program") == "/tmp/x: not an ELF file (Elfin runs x86-64 Linux ELF programs)");
    CHECK(refusal("") == "/tmp/x: the file is empty, not a program");
    auto truncated = refusal(tiny_elf().substr(0, 40));
    CHECK(truncated.starts_with("/tmp/x: truncated ELF header"));
    auto cut = refusal(tiny_elf().substr(0, 100));
    CHECK(cut.find("truncated") != std::string::npos);
    auto script = refusal("#!/bin/sh\necho hi\n");
    CHECK(script.find("a script (#!/bin/sh)") != std::string::npos);
    CHECK(script.find("elfin run /bin/sh /tmp/x") != std::string::npos);
}

TEST_CASE("program: dynamic programs with the glibc or musl loader are accepted, others refused")
{
    CHECK(refusal(tiny_elf(62, 2, "/lib64/ld-linux-x86-64.so.2")) == "");
    CHECK(refusal(tiny_elf(62, 2, "/lib/ld-musl-x86_64.so.1")) == "");
    auto odd = refusal(tiny_elf(62, 2, "/system/bin/linker64"));
    CHECK(odd.starts_with("/tmp/x: its loader (PT_INTERP) is /system/bin/linker64, not the x86-64 glibc"));
    CHECK(odd.find("rebuild it") != std::string::npos);
    CHECK(odd.find('\n') == std::string::npos);
    CHECK_FALSE(refusal(tiny_elf(62, 2, "ld-linux-x86-64.so.2")).empty()); // relative: not what the kernel loads
    CHECK(is_known_loader("/lib64/ld-linux-x86-64.so.2"));
    CHECK_FALSE(is_known_loader("/lib/ld-linux.so.2"));
}

TEST_CASE("program: locating files and their problems")
{
    char tmpl[] = "/tmp/elfin-prog-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    std::string exe = dir + "/prog";
    {
        std::ofstream(exe, std::ios::binary) << tiny_elf();
    }
    chmod(exe.c_str(), 0755);

    CHECK(locate_program("prog", "/", dir).value() == exe);           // $PATH search
    CHECK(locate_program("./prog", dir, "").value() == dir + "/./prog");
    auto nf = locate_program("prog", dir, "/nonexistent");
    REQUIRE_FALSE(nf.ok());
    CHECK(nf.error().message == "prog: not found in $PATH (to run the file in this directory, write ./prog)");
    auto missing = locate_program(dir + "/nope", "/", "");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message == dir + "/nope: no such file");
    auto isdir = locate_program(dir, "/", "");
    REQUIRE_FALSE(isdir.ok());
    CHECK(isdir.error().message.find("is a directory") != std::string::npos);
    symlink("/nonexistent-target", (dir + "/dangling").c_str());
    CHECK(file_problem(dir + "/dangling") == "a symlink to a file that does not exist");
    if (geteuid() != 0) {
        chmod(exe.c_str(), 0);
        CHECK(file_problem(exe).find("permission denied") != std::string::npos);
        chmod(exe.c_str(), 0755);
    }

    std::string contents;
    auto p = load_program("./prog", dir, "", contents);
    REQUIRE(p.ok());
    CHECK(p->guest_path == exe);
    CHECK(p->given == "./prog");
    CHECK(p->interp.empty());
    CHECK(contents.size() == 0x200);
    CHECK(describe_program(*p, contents.size()).find("static") != std::string::npos);

    std::ofstream(dir + "/arm", std::ios::binary) << tiny_elf(183);
    auto arm = load_program(dir + "/arm", "/", "", contents);
    REQUIRE_FALSE(arm.ok());
    CHECK(arm.error().message == dir + "/arm: aarch64 ELF (only x86-64 programs are supported)");

    std::string cmd = "rm -rf " + dir;
    CHECK(system(cmd.c_str()) == 0);
}
