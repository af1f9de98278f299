#include "mm/address_space.h"
#include "mm/phys.h"
#include "platform/x86_64/paging.h"
#include "core/string.h"

namespace mm {

namespace {
AddressSpace g_space;

// A software bit: the page is kept but made inaccessible by PROT_NONE.
constexpr u64 PTE_PROT_NONE = 1ull << 9;

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
    for (u64 va = start; va < end; va += PAGE_SIZE) {
        u64* pte = paging::lookup(va);
        if (!pte || !(*pte & (paging::P | PTE_PROT_NONE))) {
            // Skip whole empty page tables quickly.
            if (!pte) va = ((va >> 21) << 21) + (1ull << 21) - PAGE_SIZE;
            continue;
        }
        u64 pa = *pte & paging::ADDR_MASK;
        *pte = 0;
        paging::flush(va);
        if (owned) free_page(pa);
    }
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
    for (u64 a = start; a < end;) {
        const Vma* v = find(a);
        if (!v) return Errno::ENOMEM;
        if ((v->flags & VMA_PFNMAP) && (prot & (PROT_WRITE | PROT_EXEC))) return Errno::EACCES;
        a = v->end;
    }
    TRY(m_vmas.reserve(m_vmas.size() + 2));
    TRY(split_at(start));
    TRY(split_at(end));
    for (auto& v : m_vmas) {
        if (!overlaps(v, start, end)) continue;
        v.prot = prot;
        for (u64 va = v.start; va < v.end; va += PAGE_SIZE) {
            u64* pte = paging::lookup(va);
            if (!pte || !(*pte & paging::P)) continue;
            if (prot == 0) {
                // PROT_NONE keeps the page but makes it inaccessible.
                *pte &= ~(paging::P | paging::W);
                *pte |= paging::NX;
                paging::flush(va);
                // Keep the frame reachable: mark with bit 9 (available) so a
                // later mprotect can restore it.
                *pte |= 1ull << 9;
            } else {
                paging::set_flags(va, prot_to_pte(prot));
            }
        }
    }
    return {};
}

ErrorOr AddressSpace::discard(u64 start, u64 len)
{
    if (start & (PAGE_SIZE - 1)) return Errno::EINVAL;
    u64 end = start + page_round_up(len);
    for (u64 a = start; a < end;) {
        const Vma* v = find(a);
        if (!v) return Errno::ENOMEM;
        if (v->flags & VMA_PFNMAP) return Errno::EINVAL; // as Linux's madvise on VM_PFNMAP
        a = v->end;
    }
    unmap_pages(start, end, true);
    return {};
}

Result<u64> AddressSpace::remap(u64 old_addr, u64 old_len, u64 new_len, bool may_move, bool fixed, u64 new_addr)
{
    if (old_addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    old_len = page_round_up(old_len);
    new_len = page_round_up(new_len);
    if (new_len == 0) return Errno::EINVAL;
    if (fixed && !may_move) return Errno::EINVAL;
    const Vma* v = find(old_addr);
    if (!v || old_addr + old_len > v->end) return Errno::EFAULT;
    if (fixed) {
        if (new_addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
        if (new_addr < old_addr + old_len && old_addr < new_addr + new_len)
            return Errno::EINVAL;
    }
    if (!fixed && new_len <= old_len) {
        if (new_len < old_len) TRY(unmap(old_addr + new_len, old_len - new_len));
        return old_addr;
    }
    // Grow in place if the following range is free.
    if (!fixed && v->end == old_addr + old_len) {
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
    // Move: new VMA elsewhere, move present pages by re-pointing PTEs.
    Vma moved = *v;
    u64 off = old_addr - v->start;
    moved.file_offset += off;
    moved.file_len = moved.file_len > off ? moved.file_len - off : 0;
    u64 dest = fixed ? new_addr : TRY(find_free(new_len, 0));
    moved.start = dest;
    moved.end = dest + new_len;
    if (fixed) TRY(unmap(dest, new_len));
    TRY(m_vmas.reserve(m_vmas.size() + 3));
    TRY(split_at(old_addr));
    TRY(split_at(old_addr + old_len));
    for (u64 i = 0; i < old_len; i += PAGE_SIZE) {
        u64* pte = paging::lookup(old_addr + i);
        if (!pte || !(*pte & (paging::P | PTE_PROT_NONE))) continue;
        u64 entry = *pte;
        *pte = 0;
        paging::flush(old_addr + i);
        u64* npte = nullptr;
        if (paging::map(dest + i, entry & paging::ADDR_MASK, entry & ~paging::ADDR_MASK & ~paging::P).is_error())
            return Errno::ENOMEM;
        npte = paging::lookup(dest + i);
        *npte = entry;
    }
    for (size_t i = 0; i < m_vmas.size(); i++)
        if (m_vmas[i].start == old_addr) { m_vmas.remove(i); break; }
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
        *pte = (*pte & paging::ADDR_MASK) | prot_to_pte(v->prot) | paging::P;
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
    auto pa = alloc_page();
    if (pa.is_error()) return FaultResult::OutOfMemory;
    if (v->file) {
        if (off < v->file_len) {
            u64 n = v->file_len - off;
            if (n > PAGE_SIZE) n = PAGE_SIZE;
            v->file->read(v->file_offset + off, static_cast<u8*>(phys_to_virt(pa.value())), n);
        } else if (!(v->flags & VMA_ZERO_TAIL)) {
            // A page wholly past the end of the mapped file: SIGBUS, as Linux.
            free_page(pa.value());
            return FaultResult::Bus;
        }
    }
    if (paging::map(page, pa.value(), prot_to_pte(v->prot)).is_error()) {
        free_page(pa.value());
        return FaultResult::OutOfMemory;
    }
    return FaultResult::Handled;
}

} // namespace mm
