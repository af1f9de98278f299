#include "mm/address_space.h"
#include "mm/phys.h"
#include "platform/x86_64/paging.h"
#include "core/string.h"

namespace mm {

namespace {
AddressSpace g_space;

// Software bits. PROT_NONE: the page is kept but made inaccessible.
// FILE_PAGE: the frame is a file's page-cache page (a shared mapping): the
// file owns it, so unmapping never frees it.
constexpr u64 PTE_PROT_NONE = 1ull << 9;
constexpr u64 PTE_FILE_PAGE = 1ull << 10;
// Linux's stack_guard_gap (256 pages) and default RLIMIT_STACK (8 MiB): how
// close a MAP_GROWSDOWN mapping may grow to the one below, and how far.
constexpr u64 STACK_GUARD_GAP = 256 * PAGE_SIZE;
constexpr u64 GROWSDOWN_LIMIT = 8ull << 20;

bool overlaps(const Vma& v, u64 s, u64 e) { return v.start < e && s < v.end; }
} // namespace

AddressSpace& address_space() { return g_space; }

u64 prot_to_pte(u32 prot)
{
    u64 f = paging::U;
    if (prot & PROT_WRITE) f |= paging::W;
    if (!(prot & PROT_EXEC)) f |= paging::NX;
    return f;
}

const Vma* AddressSpace::find(u64 addr) const
{
    // Binary search: the last VMA starting at or below addr.
    size_t lo = 0, hi = m_vmas.size();
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m_vmas[mid].end <= addr) lo = mid + 1;
        else hi = mid;
    }
    if (lo < m_vmas.size() && m_vmas[lo].start <= addr) return &m_vmas[lo];
    return nullptr;
}

ErrorOr AddressSpace::split_at(u64 addr)
{
    for (size_t i = 0; i < m_vmas.size(); i++) {
        Vma& v = m_vmas[i];
        if (v.start < addr && addr < v.end) {
            Vma right = v;
            right.start = addr;
            u64 cut = addr - v.start;
            right.file_offset += cut;
            right.file_len = right.file_len > cut ? right.file_len - cut : 0;
            TRY(m_vmas.reserve(m_vmas.size() + 1));
            Vma& left = m_vmas[i];
            left.end = addr;
            if (left.file_len > cut) left.file_len = cut;
            return m_vmas.insert(i + 1, right);
        }
    }
    return {};
}

void AddressSpace::unmap_pages(u64 start, u64 end, bool owned)
{
    // Frames are freed only once no CPU's TLB can reach them: in batches,
    // after a shootdown.
    constexpr int BATCH = 64;
    u64 frames[BATCH];
    int nframes = 0;
    bool cleared = false;
    auto release = [&] {
        if (cleared) paging::flush_other_cpus();
        cleared = false;
        for (int i = 0; i < nframes; i++) free_page(frames[i]);
        nframes = 0;
    };
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u64* pte = paging::lookup(va);
        if (!pte || !(*pte & (paging::P | PTE_PROT_NONE))) {
            // Skip whole empty page tables quickly.
            if (!pte) va = ((va >> 21) << 21) + (1ull << 21) - PAGE_SIZE;
            continue;
        }
        u64 pa = *pte & paging::ADDR_MASK;
        bool file_page = *pte & PTE_FILE_PAGE;
        *pte = 0;
        paging::flush(va);
        cleared = true;
        if (owned && !file_page) {
            if (nframes == BATCH) release();
            frames[nframes++] = pa;
        }
    }
    release();
}

ErrorOr AddressSpace::unmap(u64 start, u64 len)
{
    if ((start & (PAGE_SIZE - 1)) || len == 0) return Errno::EINVAL;
    u64 end = start + page_round_up(len);
    if (end < start || end > USER_TOP) return Errno::EINVAL;
    TRY(m_vmas.reserve(m_vmas.size() + 2));
    TRY(split_at(start));
    TRY(split_at(end));
    for (size_t i = 0; i < m_vmas.size();) {
        if (overlaps(m_vmas[i], start, end)) {
            unmap_pages(m_vmas[i].start, m_vmas[i].end, !(m_vmas[i].flags & VMA_PFNMAP));
            m_vmas.remove(i);
        } else {
            i++;
        }
    }
    return {};
}

ErrorOr AddressSpace::map_fixed(const Vma& vma)
{
    VERIFY(!(vma.start & (PAGE_SIZE - 1)) && !(vma.end & (PAGE_SIZE - 1)) && vma.start < vma.end);
    TRY(m_vmas.reserve(m_vmas.size() + 3));
    TRY(unmap(vma.start, vma.end - vma.start));
    size_t at = 0;
    while (at < m_vmas.size() && m_vmas[at].start < vma.start) at++;
    return m_vmas.insert(at, vma);
}

Result<u64> AddressSpace::find_free(u64 len, u64 hint)
{
    len = page_round_up(len);
    if (len == 0 || len > USER_TOP) return Errno::ENOMEM;
    if (hint) {
        hint = page_round_down(hint);
        if (hint >= USER_MIN && hint + len <= USER_TOP && hint + len > hint) {
            bool free = true;
            for (auto& v : m_vmas)
                if (overlaps(v, hint, hint + len)) { free = false; break; }
            if (free) return hint;
        }
    }
    // Top-down from the mmap base: walk gaps between VMAs from the highest.
    u64 top = mmap_base;
    for (size_t i = m_vmas.size(); i > 0; i--) {
        const Vma& v = m_vmas[i - 1];
        if (v.start >= top) continue;
        if (v.end <= top && top - v.end >= len) return top - len;
        if (v.start < top) top = v.start;
    }
    if (top >= USER_MIN + len) return top - len;
    return Errno::ENOMEM;
}

ErrorOr AddressSpace::protect(u64 start, u64 len, u32 prot)
{
    if (start & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (prot & ~u32(PROT_READ | PROT_WRITE | PROT_EXEC)) return Errno::EINVAL;
    u64 end = start + page_round_up(len);
    if (end < start) return Errno::ENOMEM;
    if (len == 0) return {};
    // Every page must be mapped (Linux: ENOMEM otherwise), checked before any change.
    if (!fully_mapped(start, end)) return Errno::ENOMEM;
    for (auto& v : m_vmas) {
        if (!overlaps(v, start, end)) continue;
        if ((v.flags & VMA_PFNMAP) && (prot & (PROT_WRITE | PROT_EXEC))) return Errno::EACCES;
        // Writing a shared mapping writes the file: not for a file opened read-only.
        if ((prot & PROT_WRITE) && (v.flags & VMA_NO_SHARED_WRITE)) return Errno::EACCES;
    }
    TRY(m_vmas.reserve(m_vmas.size() + 2));
    TRY(split_at(start));
    TRY(split_at(end));
    bool changed = false;
    for (auto& v : m_vmas) {
        if (!overlaps(v, start, end)) continue;
        v.prot = prot;
        for (u64 va = v.start; va < v.end; va += PAGE_SIZE) {
            u64* pte = paging::lookup(va);
            if (!pte || !(*pte & paging::P)) continue;
            changed = true;
            if (prot == 0) {
                // PROT_NONE keeps the page but makes it inaccessible.
                *pte &= ~(paging::P | paging::W);
                *pte |= paging::NX;
                paging::flush(va);
                // Keep the frame reachable: mark with bit 9 (available) so a
                // later mprotect can restore it.
                *pte |= 1ull << 9;
            } else {
                paging::set_flags(va, prot_to_pte(prot) | (*pte & PTE_FILE_PAGE));
            }
        }
    }
    if (changed) paging::flush_other_cpus();
    return {};
}

bool AddressSpace::fully_mapped(u64 start, u64 end) const
{
    for (u64 a = start; a < end;) {
        const Vma* v = find(a);
        if (!v) return false;
        a = v->end;
    }
    return true;
}

ErrorOr AddressSpace::discard(u64 start, u64 len)
{
    if (start & (PAGE_SIZE - 1)) return Errno::EINVAL;
    u64 end = start + page_round_up(len);
    if (end < start) return Errno::EINVAL;
    if (!fully_mapped(start, end)) return Errno::ENOMEM;
    for (auto& v : m_vmas)
        if (overlaps(v, start, end) && (v.flags & VMA_PFNMAP)) return Errno::EINVAL; // as Linux's madvise on VM_PFNMAP
    // Private pages are freed (zeros or the file's bytes come back on the next
    // touch); a shared mapping's pages are the file's and only leave the
    // page tables.
    unmap_pages(start, end, true);
    return {};
}

void AddressSpace::unmap_file_pages(const void* object, u64 from)
{
    for (auto& v : m_vmas) {
        if (!v.file || v.file->object() != object || (v.flags & VMA_ZERO_TAIL)) continue;
        u64 vma_file_end = v.file_offset + (v.end - v.start);
        if (vma_file_end <= from) continue;
        u64 first = from > v.file_offset ? v.start + (from - v.file_offset) : v.start;
        // Private copies go too, as Linux's truncate does (even_cows).
        unmap_pages(first, v.end, true);
    }
}

bool AddressSpace::page_resident(u64 va) const
{
    const u64* pte = paging::lookup(page_round_down(va));
    if (pte && (*pte & (paging::P | PTE_PROT_NONE))) return true;
    // Not mapped here, but a file's page may be in memory all the same.
    const Vma* v = find(va);
    if (!v || !v->file) return false;
    u64 off = page_round_down(va) - v->start;
    if ((v->flags & VMA_ZERO_TAIL) && off >= v->file_len) return false;
    return v->file->resident(v->file_offset + off);
}

bool AddressSpace::grow_down(u64 addr)
{
    u64 page = page_round_down(addr);
    size_t i = 0;
    while (i < m_vmas.size() && m_vmas[i].end <= addr) i++;
    if (i == m_vmas.size()) return false;
    Vma& v = m_vmas[i];
    if (!(v.flags & VMA_GROWSDOWN) || !(v.flags & VMA_ANON) || v.start <= addr) return false;
    if (page < USER_MIN || v.end - page > GROWSDOWN_LIMIT) return false;
    if (i > 0) {
        const Vma& below = m_vmas[i - 1];
        if (!(below.flags & VMA_GROWSDOWN) && page - below.end < STACK_GUARD_GAP) return false;
    }
    v.start = page;
    return true;
}

Result<u64> AddressSpace::remap(u64 old_addr, u64 old_len, u64 new_len, bool may_move, bool fixed,
                                u64 new_addr, bool dont_unmap)
{
    // The order of Linux's checks (mm/mremap.c), for the same errno.
    if (fixed && !may_move) return Errno::EINVAL;
    if (dont_unmap && (!may_move || old_len != new_len)) return Errno::EINVAL;
    if (old_addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    old_len = page_round_up(old_len);
    new_len = page_round_up(new_len);
    if (new_len == 0) return Errno::EINVAL;
    const Vma* v = find(old_addr);
    if (!v) return Errno::EFAULT;
    if (fixed) {
        if (new_addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
        if (new_len > USER_TOP || new_addr > USER_TOP - new_len) return Errno::EINVAL;
        if (new_addr < old_addr + old_len && old_addr < new_addr + new_len)
            return Errno::EINVAL;
    } else if (!dont_unmap && new_len <= old_len) {
        // Shrinking only unmaps the tail.
        if (new_len < old_len) TRY(unmap(old_addr + new_len, old_len - new_len));
        return old_addr;
    }
    // old_len 0 makes a second mapping of a shared mapping's pages.
    if (old_len == 0 && !(v->flags & VMA_SHARED)) return Errno::EINVAL;
    if (old_addr + old_len > v->end) return Errno::EFAULT;
    // Grow in place if the following range is free.
    if (!fixed && !dont_unmap && old_len && v->end == old_addr + old_len) {
        u64 grow_end = old_addr + new_len;
        bool free = grow_end <= USER_TOP && grow_end > old_addr;
        for (auto& o : m_vmas)
            if (free && overlaps(o, old_addr + old_len, grow_end)) free = false;
        if (free) {
            for (auto& o : m_vmas)
                if (o.start == v->start) { o.end = grow_end; break; }
            return old_addr;
        }
    }
    if (!may_move) return Errno::ENOMEM;
    // Move: a new VMA elsewhere; present pages move by re-pointing PTEs.
    Vma moved = *v;
    u64 off = old_addr - v->start;
    moved.file_offset += off;
    moved.file_len = moved.file_len > off ? moved.file_len - off : 0;
    u64 dest = fixed ? new_addr : TRY(find_free(new_len, 0));
    moved.start = dest;
    moved.end = dest + new_len;
    if (fixed) TRY(unmap(dest, new_len));
    TRY(m_vmas.reserve(m_vmas.size() + 3));
    if (old_len == 0) {
        // The pages stay where they are; the new mapping faults them in from the file.
        size_t at = 0;
        while (at < m_vmas.size() && m_vmas[at].start < moved.start) at++;
        TRY(m_vmas.insert(at, moved));
        return dest;
    }
    TRY(split_at(old_addr));
    TRY(split_at(old_addr + old_len));
    u64 keep = old_len < new_len ? old_len : new_len;
    for (u64 i = 0; i < keep; i += PAGE_SIZE) {
        u64* pte = paging::lookup(old_addr + i);
        if (!pte || !(*pte & (paging::P | PTE_PROT_NONE))) continue;
        u64 entry = *pte;
        *pte = 0;
        paging::flush(old_addr + i);
        if (paging::map(dest + i, entry & paging::ADDR_MASK, entry & ~paging::ADDR_MASK & ~paging::P).is_error()) {
            paging::flush_other_cpus(); // the entries taken away so far
            return Errno::ENOMEM;
        }
        *paging::lookup(dest + i) = entry;
    }
    // No CPU may go on using the old addresses (the frames stay in use, at dest).
    paging::flush_other_cpus();
    if (dont_unmap) {
        // MREMAP_DONTUNMAP: the old range stays mapped, empty (zeros or the
        // file's bytes on the next touch).
    } else {
        unmap_pages(old_addr + keep, old_addr + old_len, !(moved.flags & VMA_PFNMAP));
        for (size_t i = 0; i < m_vmas.size(); i++)
            if (m_vmas[i].start == old_addr) { m_vmas.remove(i); break; }
    }
    size_t at = 0;
    while (at < m_vmas.size() && m_vmas[at].start < moved.start) at++;
    TRY(m_vmas.insert(at, moved));
    return dest;
}

bool AddressSpace::check_range(u64 addr, u64 len, u32 prot) const
{
    if (len == 0) return true;
    u64 end = addr + len;
    if (end < addr || end > USER_TOP) return false;
    for (u64 a = addr; a < end;) {
        const Vma* v = find(a);
        if (!v || (v->prot & prot) != prot) return false;
        a = v->end;
    }
    return true;
}

FaultResult AddressSpace::handle_fault(u64 addr, bool write, bool exec)
{
    if (addr >= USER_TOP) return FaultResult::MapErr;
    const Vma* v = find(addr);
    if (!v && grow_down(addr)) v = find(addr);
    if (!v) return FaultResult::MapErr;
    if ((write && !(v->prot & PROT_WRITE)) || (exec && !(v->prot & PROT_EXEC)) || v->prot == 0)
        return FaultResult::AccErr;
    u64 page = page_round_down(addr);
    u64* pte = paging::lookup(page);
    if (pte && (*pte & paging::P)) {
        // Another path mapped it already (or a stale TLB entry): retry.
        paging::flush(page);
        return FaultResult::Handled;
    }
    if (pte && (*pte & PTE_PROT_NONE)) {
        // Was PROT_NONE'd and is accessible again.
        *pte = (*pte & (paging::ADDR_MASK | PTE_FILE_PAGE)) | prot_to_pte(v->prot) | paging::P;
        paging::flush(page);
        return FaultResult::Handled;
    }
    u64 off = page - v->start;
    if (v->flags & VMA_PFNMAP) {
        if (off >= v->file_len) return FaultResult::Bus; // grown by mremap: nothing there
        if (paging::map(page, v->file_offset + off, prot_to_pte(v->prot)).is_error())
            return FaultResult::OutOfMemory;
        return FaultResult::Handled;
    }
    if (v->file && !(v->flags & VMA_ZERO_TAIL)) {
        // A page starting at or past the end of the file: SIGBUS, as Linux
        // (the size now: the file may have grown or shrunk since mmap).
        u64 at = v->file_offset + off;
        u64 size = v->file->size();
        if (at >= size) return FaultResult::Bus;
        if (v->flags & VMA_SHARED) {
            auto pa = v->file->shared_page(at);
            if (pa.is_error()) return pa.error() == Errno::ENXIO ? FaultResult::Bus : FaultResult::OutOfMemory;
            if (paging::map(page, pa.value(), prot_to_pte(v->prot) | PTE_FILE_PAGE).is_error())
                return FaultResult::OutOfMemory;
            return FaultResult::Handled;
        }
        auto pa = alloc_page();
        if (pa.is_error()) return FaultResult::OutOfMemory;
        u64 n = size - at < PAGE_SIZE ? size - at : PAGE_SIZE;
        v->file->read(at, static_cast<u8*>(phys_to_virt(pa.value())), n);
        if (paging::map(page, pa.value(), prot_to_pte(v->prot)).is_error()) {
            free_page(pa.value());
            return FaultResult::OutOfMemory;
        }
        return FaultResult::Handled;
    }
    auto pa = alloc_page();
    if (pa.is_error()) return FaultResult::OutOfMemory;
    if (v->file && off < v->file_len) {
        // An ELF segment: its file bytes, then .bss zeros.
        u64 n = v->file_len - off;
        if (n > PAGE_SIZE) n = PAGE_SIZE;
        v->file->read(v->file_offset + off, static_cast<u8*>(phys_to_virt(pa.value())), n);
    }
    if (paging::map(page, pa.value(), prot_to_pte(v->prot)).is_error()) {
        free_page(pa.value());
        return FaultResult::OutOfMemory;
    }
    return FaultResult::Handled;
}

} // namespace mm
