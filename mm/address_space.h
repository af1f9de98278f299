#pragma once
// The program's address space: a sorted list of VMAs over the lower half of
// the machine's page tables. Pages are filled on first touch (demand paging):
// anonymous ones with zeroes; private file-backed ones with a copy of the
// file's bytes; shared file-backed ones (and shared anonymous memory, a file of
// its own) by mapping the file's page-cache page itself, so writes through the
// mapping are the file's bytes at once (docs/memory.md).
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
    VMA_NO_SHARED_WRITE = 256, // shared, of a file opened read-only: PROT_WRITE is EACCES
};

struct Vma {
    u64 start, end; // page-aligned, [start, end)
    u32 prot;
    u32 flags;
    // File backing: byte i of the VMA is byte file_offset + i of the file.
    // With VMA_ZERO_TAIL (an ELF segment) only the first file_len bytes come
    // from the file and the rest is .bss; otherwise a page starting at or past
    // the file's size at the time of the fault is SIGBUS, as Linux. Private:
    // pages are copies, so writes stay in the program. Shared: the file's own
    // pages are mapped.
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
    Result<u64> remap(u64 old_addr, u64 old_len, u64 new_len, bool may_move, bool fixed, u64 new_addr,
                      bool dont_unmap);
    // MADV_DONTNEED: drop the pages so the next touch refills them (zeros for
    // private anonymous memory, the file's bytes otherwise: shared pages are
    // the file's and keep their data).
    ErrorOr discard(u64 start, u64 len);
    // The file `object` (mm::Backing::object) drops its pages from byte
    // `from` on: its mappings there leave the page tables (the next touch
    // faults, SIGBUS past the end).
    void unmap_file_pages(const void* object, u64 from);
    // mincore: whether the page at va (inside a VMA) is in memory.
    bool page_resident(u64 va) const;
    // Every page of [start, end) is inside some VMA.
    bool fully_mapped(u64 start, u64 end) const;

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
    // Clears the PTEs; frees the frames when they are the program's own
    // (never a file's page-cache page, marked in its PTE).
    void unmap_pages(u64 start, u64 end, bool owned);
    // A fault just below a MAP_GROWSDOWN mapping: grow it down to the page.
    bool grow_down(u64 addr);
    core::Vector<Vma> m_vmas;
};

AddressSpace& address_space();
u64 prot_to_pte(u32 prot);

} // namespace mm
