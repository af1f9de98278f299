#pragma once
// The program's address space: a sorted list of VMAs over the lower half of
// the machine's page tables. Pages are filled on first touch (demand paging):
// anonymous ones with zeroes, file-backed ones from bytes already in memory
// (the in-image filesystem keeps file contents in RAM).
#include "core/types.h"
#include "core/result.h"
#include "core/vector.h"
#include "mm/backing.h"

namespace mm {

constexpr u64 USER_TOP = 0x00007ffffffff000ull; // one guard page below the canonical hole
constexpr u64 USER_MIN = 0x10000;               // vm.mmap_min_addr
constexpr u32 PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

enum VmaFlags : u32 {
    VMA_ANON = 1,
    VMA_SHARED = 2,
    VMA_GROWSDOWN = 4,
    VMA_STACK = 8,
    VMA_HEAP = 16,
    VMA_NORESERVE = 32,
    VMA_ZERO_TAIL = 64, // an ELF segment: past the file's bytes is .bss, not SIGBUS
    // A kernel page shown to the program as it is (the vDSO's [vvar]): no
    // file; file_offset is its physical address, file_len its length. Faults
    // map that page, nothing frees it, and it never becomes writable or
    // executable (Linux: no VM_MAYWRITE, EACCES from mprotect).
    VMA_PFNMAP = 128,
};

struct Vma {
    u64 start, end; // page-aligned, [start, end)
    u32 prot;
    u32 flags;
    // File backing: byte i of the VMA (i < file_len) is byte file_offset + i
    // of the file; the rest is zero (an ELF segment's .bss, or past the end of
    // the file). Private: pages are copies, so writes stay in the program.
    core::Ref<Backing> file;
    u64 file_offset;
    u64 file_len;
    const char* name; // for /proc/self/maps: "[heap]", "[stack]", or nullptr (the file's name)
};

enum class FaultResult { Handled, MapErr, AccErr, Bus, OutOfMemory };

class AddressSpace {
public:
    // Places [start, start+len) with MAP_FIXED semantics (replacing what was there).
    ErrorOr map_fixed(const Vma& vma);
    // A free range of len bytes, top-down below the mmap base (or at hint if free).
    Result<u64> find_free(u64 len, u64 hint);
    ErrorOr unmap(u64 start, u64 len);
    ErrorOr protect(u64 start, u64 len, u32 prot);
    // Moves or resizes a mapping per mremap(2); returns the new address.
    Result<u64> remap(u64 old_addr, u64 old_len, u64 new_len, bool may_move, bool fixed, u64 new_addr);
    // MADV_DONTNEED: drop the pages so the next touch refills them.
    ErrorOr discard(u64 start, u64 len);

    FaultResult handle_fault(u64 addr, bool write, bool exec);
    // Is [addr, addr+len) entirely mapped with at least `prot`?
    bool check_range(u64 addr, u64 len, u32 prot) const;

    const Vma* find(u64 addr) const;
    const core::Vector<Vma>& vmas() const { return m_vmas; }

    u64 mmap_base { 0x7f0000000000ull };
    u64 brk_start { 0 }, brk_end { 0 };

private:
    // Splits so that no VMA straddles `addr`.
    ErrorOr split_at(u64 addr);
    // Clears the PTEs; frees the frames when they are the program's own.
    void unmap_pages(u64 start, u64 end, bool owned);
    core::Vector<Vma> m_vmas;
};

AddressSpace& address_space();
u64 prot_to_pte(u32 prot);

} // namespace mm
