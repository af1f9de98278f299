#include "loader/elf_parse.h"

namespace loader {

namespace {

struct Ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

constexpr uint32_t PT_LOAD = 1, PT_INTERP = 3, PT_TLS = 7, PT_GNU_STACK = 0x6474e551;
constexpr uint16_t ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62;
// User space is the lower half minus a guard; anything beyond is absurd.
constexpr uint64_t USER_TOP = 0x00007fffffffe000ull;
constexpr uint64_t MAX_IMAGE_SPAN = 1ull << 40;

template<typename T>
T load(const uint8_t* p)
{
    T v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

const char* machine_name(uint16_t m)
{
    switch (m) {
    case 3: return "i386";
    case 40: return "32-bit ARM";
    case 183: return "aarch64";
    case 243: return "RISC-V";
    case 8: return "MIPS";
    case 20: case 21: return "PowerPC";
    case 22: return "s390";
    default: return nullptr;
    }
}

} // namespace

const char* parse_elf(const uint8_t* data, size_t size, ElfInfo& out)
{
    out = {};
    if (size < 4 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
        return "not an ELF file";
    if (size < 5) return "truncated ELF header";
    if (data[4] == 1) return "32-bit ELF (only x86-64 programs are supported)";
    if (data[4] != 2) return "unknown ELF class";
    if (size < sizeof(Ehdr)) return "truncated ELF header";
    if (data[5] != 1) return "big-endian ELF (only x86-64 programs are supported)";
    auto eh = load<Ehdr>(data);
    if (eh.machine != EM_X86_64) {
        if (const char* n = machine_name(eh.machine)) {
            if (eh.machine == 183) return "aarch64 ELF (only x86-64 programs are supported)";
            if (eh.machine == 3) return "i386 ELF (only x86-64 programs are supported)";
            (void)n;
        }
        return "not an x86-64 ELF (only x86-64 programs are supported)";
    }
    if (eh.type != ET_EXEC && eh.type != ET_DYN)
        return eh.type == 1 ? "relocatable object file, not an executable" : "ELF is not an executable";
    if (eh.phentsize != sizeof(Phdr)) return "bad program header entry size";
    if (eh.phnum == 0) return "no program headers";
    if (eh.phnum > 256) return "absurd number of program headers";
    if (eh.phoff > size || (size - eh.phoff) / sizeof(Phdr) < eh.phnum)
        return "program headers lie beyond the end of the file (truncated?)";

    out.is_pie = eh.type == ET_DYN;
    out.entry = eh.entry;
    out.phoff = eh.phoff;
    out.phnum = eh.phnum;
    out.phentsize = eh.phentsize;
    out.min_vaddr = UINT64_MAX;
    out.max_vaddr = 0;

    for (uint16_t i = 0; i < eh.phnum; i++) {
        auto ph = load<Phdr>(data + eh.phoff + i * sizeof(Phdr));
        switch (ph.type) {
        case PT_LOAD: {
            if (ph.memsz == 0) continue;
            if (out.nsegments == ElfInfo::MAX_SEGMENTS) return "too many loadable segments";
            if (ph.filesz > ph.memsz) return "segment's file size exceeds its memory size";
            if (ph.offset > size || ph.filesz > size - ph.offset)
                return "segment data lies beyond the end of the file (truncated?)";
            if (ph.align > 1 && ((ph.align & (ph.align - 1)) || (ph.vaddr - ph.offset) % ph.align))
                return "segment is misaligned";
            if (ph.memsz > MAX_IMAGE_SPAN || ph.vaddr > USER_TOP || ph.memsz > USER_TOP - ph.vaddr)
                return "segment has an absurd size or address";
            uint64_t lo = ph.vaddr & ~0xfffull, hi = (ph.vaddr + ph.memsz + 0xfff) & ~0xfffull;
            // Segments must be in ascending order and must not overlap (they may
            // share a page at the seam, as linkers emit).
            if (out.nsegments) {
                auto& prev = out.segments[out.nsegments - 1];
                if (ph.vaddr < prev.vaddr + prev.memsz) return "overlapping loadable segments";
            }
            out.segments[out.nsegments++] = { ph.offset, ph.vaddr, ph.filesz, ph.memsz, ph.align, ph.flags };
            if (lo < out.min_vaddr) out.min_vaddr = lo;
            if (hi > out.max_vaddr) out.max_vaddr = hi;
            break;
        }
        case PT_INTERP:
            if (ph.offset > size || ph.filesz > size - ph.offset || ph.filesz < 2 || ph.filesz > 4096)
                return "bad interpreter path";
            if (data[ph.offset + ph.filesz - 1] != 0) return "interpreter path is not terminated";
            out.interp_offset = ph.offset;
            out.interp_size = ph.filesz;
            break;
        case PT_TLS:
            out.has_tls = true;
            break;
        case PT_GNU_STACK:
            out.stack_flags = ph.flags;
            break;
        default:
            break;
        }
    }
    if (out.nsegments == 0) return "no loadable segments";
    if (out.max_vaddr - out.min_vaddr > MAX_IMAGE_SPAN) return "image span is absurdly large";
    if (!out.is_pie && out.min_vaddr < 0x1000) return "non-PIE image wants to load at page zero";
    uint64_t entry = out.entry;
    if (entry < out.segments[0].vaddr || entry >= out.max_vaddr)
        return "entry point lies outside the loadable segments";
    return nullptr;
}

} // namespace loader
