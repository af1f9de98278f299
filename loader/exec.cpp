#include "loader/exec.h"
#include "loader/elf_parse.h"
#include "loader/vdso.h"
#include "mm/address_space.h"
#include "mm/user_ptr.h"
#include "core/random.h"
#include "fs/mmap_backing.h"
#include "fs/vfs.h"
#include "core/string.h"
#include "core/process.h"
#include "platform/x86_64/cpu.h"

namespace loader {

namespace {
constexpr u64 PIE_BASE = 0x555555554000ull;
constexpr u64 STACK_SIZE = 8ull << 20;      // RLIMIT_STACK
constexpr u64 MMAP_GAP = 128ull << 20;      // Linux's minimum gap under the stack

enum : u64 {
    AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
    AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15,
    AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31,
    AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51,
};

u64 rand_pages(bool aslr, unsigned bits)
{
    return aslr ? (core::random_u64() & ((1ull << bits) - 1)) * PAGE_SIZE : 0;
}

u32 prot_of(u32 pflags)
{
    return (pflags & 4 ? mm::PROT_READ : 0) | (pflags & 2 ? mm::PROT_WRITE : 0) | (pflags & 1 ? mm::PROT_EXEC : 0);
}

ErrorOr map_segments(const core::Ref<mm::Backing>& file, const ElfInfo& info, u64 bias)
{
    auto& as = mm::address_space();
    for (int i = 0; i < info.nsegments; i++) {
        const ElfSegment& s = info.segments[i];
        u64 start = page_round_down(bias + s.vaddr);
        u64 end = page_round_up(bias + s.vaddr + s.memsz);
        u64 lead = (bias + s.vaddr) - start;
        mm::Vma v { start, end, prot_of(s.flags), mm::VMA_ZERO_TAIL, file, s.offset - lead, lead + s.filesz, nullptr };
        if (s.filesz == 0) v = mm::Vma { start, end, prot_of(s.flags), mm::VMA_ANON, {}, 0, 0, nullptr };
        TRY(as.map_fixed(v));
    }
    return {};
}

// The interpreter goes where a library would: a free range in the mmap area.
Result<u64> load_interpreter(const char* path, bool aslr, u64* entry, const char** refusal)
{
    auto inode = fs::resolve_path(core::StringView(path));
    if (inode.is_error()) {
        *refusal = "its interpreter is not in the image (pack it with the program)";
        return inode.error();
    }
    auto* file = inode.value()->as_regular();
    if (!file) {
        *refusal = "its interpreter is not a regular file";
        return Errno::EACCES;
    }
    auto span = file->contents();
    ElfInfo info;
    if (const char* why = parse_elf(span.data, span.size, info)) {
        *refusal = why;
        return Errno::ENOEXEC;
    }
    if (!info.is_pie || info.interp_size) {
        *refusal = "its interpreter is not a position-independent shared object";
        return Errno::ENOEXEC;
    }
    auto backing = TRY(fs::InodeBacking::create(inode.value(), core::StringView(path)));
    u64 span_len = info.max_vaddr - info.min_vaddr;
    u64 base = TRY(mm::address_space().find_free(span_len, 0));
    (void)aslr; // the mmap base is already randomised
    u64 bias = base - info.min_vaddr;
    TRY(map_segments(backing, info, bias));
    *entry = bias + info.entry;
    return bias;
}

// Writes the initial stack downwards from `top` with copy_to_user (the stack
// VMA is demand-paged like any other memory).
struct StackWriter {
    u64 sp;
    Result<u64> push_bytes(const void* p, size_t n)
    {
        sp -= n;
        TRY(mm::copy_to_user(sp, p, n));
        return sp;
    }
    Result<u64> push_string(const char* s) { return push_bytes(s, strlen(s) + 1); }
};
} // namespace

Result<ExecResult> exec(const ExecImage& image, const ExecArgs& args, const char** refusal)
{
    ElfInfo info;
    if (const char* why = parse_elf(image.data, image.size, info)) {
        *refusal = why;
        return Errno::ENOEXEC;
    }
    auto& as = mm::address_space();
    auto& proc = core::process();

    u64 bias = info.is_pie ? PIE_BASE + rand_pages(args.aslr, 28) - info.min_vaddr : 0;
    TRY(map_segments(image.file, info, bias));

    // Heap (brk) right after the image, randomised by up to 32 MiB as Linux does.
    u64 image_end = page_round_up(bias + info.max_vaddr);
    as.brk_start = as.brk_end = image_end + (args.aslr ? rand_pages(true, 13) : 0);

    // Stack at the top, mmap area below it.
    u64 stack_top = mm::USER_TOP - rand_pages(args.aslr, 22);
    TRY(as.map_fixed(mm::Vma { stack_top - STACK_SIZE, stack_top, mm::PROT_READ | mm::PROT_WRITE,
                               mm::VMA_ANON | mm::VMA_STACK | mm::VMA_GROWSDOWN, {}, 0, 0, "[stack]" }));
    as.mmap_base = stack_top - STACK_SIZE - MMAP_GAP - rand_pages(args.aslr, 28);

    // The vDSO first, as Linux does: the top of the mmap area.
    u64 vdso = TRY(map_vdso());

    u64 entry = bias + info.entry, interp_base = 0;
    if (info.interp_size)
        interp_base = TRY(load_interpreter(elf_interp(image.data, info), args.aslr, &entry, refusal));

    StackWriter w { stack_top - (args.aslr ? (core::random_u64() & 0xff0) : 0) };
    u64 execfn = TRY(w.push_string(image.path));
    int argc = 0, envc = 0;
    while (args.argv[argc]) argc++;
    while (args.envp[envc]) envc++;
    u64 string_ptrs[2 * 1024 + 4];
    if (argc + envc > 2048) return Errno::E2BIG;
    for (int i = envc - 1; i >= 0; i--) string_ptrs[argc + i] = TRY(w.push_string(args.envp[i]));
    for (int i = argc - 1; i >= 0; i--) string_ptrs[i] = TRY(w.push_string(args.argv[i]));
    u64 platform = TRY(w.push_string("x86_64"));
    u8 rnd[16];
    core::random_bytes(rnd, sizeof rnd);
    w.sp &= ~15ull;
    u64 at_random = TRY(w.push_bytes(rnd, sizeof rnd));

    u64 phdr = 0;
    for (int i = 0; i < info.nsegments; i++) {
        const ElfSegment& s = info.segments[i];
        if (info.phoff >= s.offset && info.phoff < s.offset + s.filesz) {
            phdr = bias + s.vaddr + (info.phoff - s.offset);
            break;
        }
    }
    u64 hwcap = x86::cpuid(1).edx;
    u64 auxv[] = {
        AT_SYSINFO_EHDR, vdso, AT_PHDR, phdr, AT_PHENT, info.phentsize, AT_PHNUM, info.phnum, AT_PAGESZ, PAGE_SIZE,
        AT_BASE, interp_base, AT_FLAGS, 0, AT_ENTRY, bias + info.entry, AT_UID, proc.uid, AT_EUID, proc.euid,
        AT_GID, proc.gid, AT_EGID, proc.egid, AT_PLATFORM, platform, AT_HWCAP, hwcap, AT_CLKTCK, 100,
        AT_SECURE, 0, AT_RANDOM, at_random, AT_HWCAP2, 0, AT_EXECFN, execfn,
        AT_MINSIGSTKSZ, 2048 + x86::g_features.xsave_size, AT_NULL, 0,
    };
    // Layout from rsp up: argc, argv[], NULL, envp[], NULL, auxv[]; rsp 16-aligned.
    size_t words = 1 + argc + 1 + envc + 1 + sizeof auxv / 8;
    w.sp -= words * 8;
    w.sp &= ~15ull;
    u64 p = w.sp;
    u64 argc64 = u64(argc), zero = 0;
    TRY(mm::copy_to_user(p, &argc64, 8));
    p += 8;
    TRY(mm::copy_to_user(p, string_ptrs, 8 * argc));
    p += 8 * argc;
    TRY(mm::copy_to_user(p, &zero, 8));
    p += 8;
    TRY(mm::copy_to_user(p, string_ptrs + argc, 8 * envc));
    p += 8 * envc;
    TRY(mm::copy_to_user(p, &zero, 8));
    p += 8;
    TRY(mm::copy_to_user(p, auxv, sizeof auxv));
    // Kept for /proc/self/auxv, which shows the vector as the program got it.
    static_assert(sizeof auxv <= sizeof proc.saved_auxv);
    memcpy(proc.saved_auxv, auxv, sizeof auxv);
    proc.saved_auxv_words = sizeof auxv / 8;
    return ExecResult { entry, w.sp };
}

} // namespace loader
