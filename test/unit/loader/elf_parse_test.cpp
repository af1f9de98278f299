// The pure ELF validator: real binaries from the host are accepted with the
// right facts; malformed ones are refused with the reason a person needs.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include <elf.h>
#include "loader/elf_parse.h"

using loader::ElfInfo;
using loader::parse_elf;

namespace {

std::vector<uint8_t> read_file(const char* path)
{
    std::ifstream f(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(f), {} };
}

// A minimal valid static ET_EXEC: header, one PT_LOAD covering the file, entry inside.
std::vector<uint8_t> make_exec()
{
    std::vector<uint8_t> img(0x2000, 0);
    Elf64_Ehdr eh {};
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = 0x401000;
    eh.e_phoff = sizeof eh;
    eh.e_ehsize = sizeof eh;
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = 2;
    Elf64_Phdr ph[2] {};
    ph[0].p_type = PT_LOAD;
    ph[0].p_flags = PF_R | PF_X;
    ph[0].p_offset = 0;
    ph[0].p_vaddr = 0x400000;
    ph[0].p_filesz = ph[0].p_memsz = 0x1800;
    ph[0].p_align = 0x1000;
    ph[1].p_type = PT_GNU_STACK;
    ph[1].p_flags = PF_R | PF_W;
    memcpy(img.data(), &eh, sizeof eh);
    memcpy(img.data() + sizeof eh, ph, sizeof ph);
    return img;
}

Elf64_Ehdr& ehdr(std::vector<uint8_t>& v) { return *reinterpret_cast<Elf64_Ehdr*>(v.data()); }
Elf64_Phdr& phdr(std::vector<uint8_t>& v, int i)
{
    return reinterpret_cast<Elf64_Phdr*>(v.data() + sizeof(Elf64_Ehdr))[i];
}

std::string refusal(const std::vector<uint8_t>& v)
{
    ElfInfo info;
    const char* r = parse_elf(v.data(), v.size(), info);
    return r ? r : "";
}

} // namespace

TEST_CASE("a well-formed static executable is accepted with its facts")
{
    auto v = make_exec();
    ElfInfo info;
    REQUIRE(parse_elf(v.data(), v.size(), info) == nullptr);
    CHECK_FALSE(info.is_pie);
    CHECK(info.entry == 0x401000);
    CHECK(info.nsegments == 1);
    CHECK(info.min_vaddr == 0x400000);
    CHECK(info.max_vaddr == 0x402000);
    CHECK(info.interp_size == 0);
    CHECK(info.stack_flags == (PF_R | PF_W));
}

TEST_CASE("the host's own busybox-static is accepted as a static executable")
{
    auto v = read_file("/bin/busybox");
    REQUIRE(v.size() > 100000);
    ElfInfo info;
    REQUIRE(parse_elf(v.data(), v.size(), info) == nullptr);
    CHECK(info.interp_size == 0);
    CHECK(info.nsegments >= 2);
}

TEST_CASE("a dynamic executable reports its interpreter")
{
    auto v = read_file("/bin/ls");
    ElfInfo info;
    REQUIRE(parse_elf(v.data(), v.size(), info) == nullptr);
    CHECK(info.is_pie);
    REQUIRE(info.interp_size > 0);
    CHECK(std::string(loader::elf_interp(v.data(), info)) == "/lib64/ld-linux-x86-64.so.2");
}

TEST_CASE("malformed and foreign ELF files are refused with a reason")
{
    SECTION("not an ELF")
    {
        std::vector<uint8_t> v { '#', '!', '/', 'b', 'i', 'n' };
        CHECK(refusal(v) == "not an ELF file");
        CHECK(refusal({}) == "not an ELF file");
    }
    SECTION("truncated header")
    {
        auto v = make_exec();
        v.resize(20);
        CHECK(refusal(v) == "truncated ELF header");
    }
    SECTION("32-bit")
    {
        auto v = make_exec();
        v[EI_CLASS] = ELFCLASS32;
        CHECK(refusal(v).find("32-bit") != std::string::npos);
    }
    SECTION("aarch64")
    {
        auto v = make_exec();
        ehdr(v).e_machine = EM_AARCH64;
        CHECK(refusal(v).find("aarch64") != std::string::npos);
    }
    SECTION("big-endian")
    {
        auto v = make_exec();
        v[EI_DATA] = ELFDATA2MSB;
        CHECK(refusal(v).find("big-endian") != std::string::npos);
    }
    SECTION("relocatable object")
    {
        auto v = make_exec();
        ehdr(v).e_type = ET_REL;
        CHECK(refusal(v).find("relocatable") != std::string::npos);
    }
    SECTION("program headers past the end")
    {
        auto v = make_exec();
        ehdr(v).e_phoff = v.size() - 8;
        CHECK(refusal(v).find("beyond the end") != std::string::npos);
    }
    SECTION("segment data past the end (truncated file)")
    {
        auto v = make_exec();
        v.resize(0x1000);
        CHECK(refusal(v).find("truncated") != std::string::npos);
    }
    SECTION("file size larger than memory size")
    {
        auto v = make_exec();
        phdr(v, 0).p_memsz = 0x100;
        CHECK(refusal(v).find("exceeds") != std::string::npos);
    }
    SECTION("absurd size")
    {
        auto v = make_exec();
        phdr(v, 0).p_memsz = 1ull << 50;
        CHECK(refusal(v).find("absurd") != std::string::npos);
    }
    SECTION("overlapping segments")
    {
        auto v = make_exec();
        phdr(v, 1) = phdr(v, 0);
        phdr(v, 1).p_vaddr = 0x401000;
        phdr(v, 1).p_offset = 0x1000;
        phdr(v, 1).p_filesz = phdr(v, 1).p_memsz = 0x800;
        CHECK(refusal(v) == "overlapping loadable segments");
    }
    SECTION("entry outside the image")
    {
        auto v = make_exec();
        ehdr(v).e_entry = 0x10;
        CHECK(refusal(v).find("entry point") != std::string::npos);
    }
    SECTION("misaligned segment")
    {
        auto v = make_exec();
        phdr(v, 0).p_vaddr = 0x400010;
        CHECK(refusal(v) == "segment is misaligned");
    }
    SECTION("unterminated interpreter")
    {
        auto v = make_exec();
        phdr(v, 1).p_type = PT_INTERP;
        phdr(v, 1).p_offset = 0x1000;
        phdr(v, 1).p_filesz = 8;
        memset(v.data() + 0x1000, 'a', 8);
        CHECK(refusal(v).find("interpreter") != std::string::npos);
    }
}

TEST_CASE("every truncation of a real binary is refused or accepted without reading past the end")
{
    // ASan turns any out-of-bounds read into a failure.
    auto full = make_exec();
    for (size_t n = 0; n < 0x1800; n += 7) {
        std::vector<uint8_t> v(full.begin(), full.begin() + n);
        ElfInfo info;
        const char* r = parse_elf(v.data(), v.size(), info);
        CHECK(r != nullptr);
    }
}
