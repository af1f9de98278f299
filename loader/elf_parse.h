#pragma once
// Pure ELF64 validation over a byte span: compiled into the kernel, the host tool
// and the unit tests. Every reason for refusal is a one-line text for a person.
#include <cstddef>
#include <cstdint>

namespace loader {

struct ElfSegment {
    uint64_t offset, vaddr, filesz, memsz, align;
    uint32_t flags; // PF_X=1 PF_W=2 PF_R=4
};

struct ElfInfo {
    bool is_pie;             // ET_DYN (static-PIE, PIE, or a shared object)
    uint64_t entry;
    uint64_t phoff;
    uint16_t phnum, phentsize;
    uint64_t min_vaddr, max_vaddr; // page-aligned span of the PT_LOAD segments
    uint64_t interp_offset, interp_size; // PT_INTERP (0 size when static)
    bool has_tls;
    uint64_t stack_flags;    // PT_GNU_STACK p_flags, 0 when absent
    static constexpr int MAX_SEGMENTS = 16;
    int nsegments;
    ElfSegment segments[MAX_SEGMENTS];
};

// Returns nullptr on success and fills `out`; otherwise a static string saying
// what is wrong ("not an ELF file", "32-bit ELF (only x86-64 is supported)", ...).
const char* parse_elf(const uint8_t* data, size_t size, ElfInfo& out);

// The PT_INTERP path of a parsed ELF (not NUL-terminated in the worst case:
// parse_elf has checked that it lies within the file and ends with a NUL).
inline const char* elf_interp(const uint8_t* data, const ElfInfo& info)
{
    return info.interp_size ? reinterpret_cast<const char*>(data + info.interp_offset) : nullptr;
}

} // namespace loader
