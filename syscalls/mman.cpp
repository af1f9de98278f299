// brk, mmap, munmap, mprotect, mremap, madvise, msync, mincore. File
// mappings: private ones copy the file's bytes on the first touch, shared ones
// map the file's page-cache pages (docs/memory.md).
#include "syscalls/syscall.h"
#include "mm/address_space.h"
#include "core/process.h"
#include "fs/mmap_backing.h"
#include "fs/procfs.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"

namespace sys {

namespace {
constexpr u64 MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_FIXED = 0x10,
              MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000,
              MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000,
              MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000, MAP_FIXED_NOREPLACE = 0x100000;
constexpr u64 KNOWN_FLAGS = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE
    | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB
    | MAP_SYNC | MAP_FIXED_NOREPLACE | (0x3full << 26) /* huge page size bits */;
mm::AddressSpace& as() { return mm::address_space(); }

// The name /proc/self/maps shows: the file's path (empty if it has none left).
core::StringView mapping_name(fs::Inode& inode, core::String& storage)
{
    auto path = fs::proc_fd_target(fs::current(), inode);
    if (path.is_error() || !path.value().view().starts_with("/")) return {};
    storage = path.release_value();
    return storage.view();
}

// Shared anonymous memory (and MAP_SHARED of /dev/zero) is a file of its own,
// as Linux's shmem: MADV_DONTNEED, mremap and every alias keep its bytes.
Result<core::Ref<mm::Backing>> shared_anonymous(u64 len)
{
    auto file = TRY(fs::RamFile::create(0600));
    TRY(file->truncate(len));
    return fs::InodeBacking::create(file, core::StringView("/dev/zero (deleted)"));
}
} // namespace

Ret sys_brk(const Args& a)
{
    auto& s = as();
    u64 want = a[0];
    // Linux returns the current break on any failure.
    if (want < s.brk_start) return i64(s.brk_end);
    u64 old_top = page_round_up(s.brk_end), new_top = page_round_up(want);
    if (new_top > old_top) {
        for (auto& v : s.vmas())
            if (v.start < new_top && old_top < v.end && !(v.flags & mm::VMA_HEAP)) return i64(s.brk_end);
        // Extend: one VMA for the heap, grown in place.
        mm::Vma heap { s.brk_start, new_top, mm::PROT_READ | mm::PROT_WRITE, mm::VMA_ANON | mm::VMA_HEAP,
                       {}, 0, 0, "[heap]" };
        const mm::Vma* cur = s.find(s.brk_start);
        if (cur && (cur->flags & mm::VMA_HEAP)) {
            // Grow: map only the new part (keeps the pages already there).
            mm::Vma ext = heap;
            ext.start = old_top;
            if (s.map_fixed(ext).is_error()) return i64(s.brk_end);
        } else if (s.map_fixed(heap).is_error()) {
            return i64(s.brk_end);
        }
    } else if (new_top < old_top) {
        if (s.unmap(new_top, old_top - new_top).is_error()) return i64(s.brk_end);
    }
    s.brk_end = want;
    return i64(want);
}

Ret sys_mmap(const Args& a)
{
    u64 addr = a[0], len = a[1], flags = a[3], off = a[5];
    u32 prot = u32(a[2]);
    int fd = int(a[4]);
    if (len == 0) return Errno::EINVAL;
    if (off & (PAGE_SIZE - 1)) return Errno::EINVAL;
    u64 type = flags & MAP_SHARED_VALIDATE;
    if (type == 0) return Errno::EINVAL;
    if (type == MAP_SHARED_VALIDATE && (flags & ~KNOWN_FLAGS)) return Errno::EOPNOTSUPP;
    if (prot & ~u32(mm::PROT_READ | mm::PROT_WRITE | mm::PROT_EXEC | 0x01000000 | 0x02000000)) return Errno::EINVAL;
    prot &= 7;
    u64 plen = page_round_up(len);
    if (plen < len || plen > mm::USER_TOP) return Errno::ENOMEM;
    core::Ref<mm::Backing> backing;
    u64 file_len = 0;
    bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
    bool read_only_file = false;
    if (!(flags & MAP_ANONYMOUS)) {
        auto f = TRY(fs::current_fds().get(fd));
        auto& inode = f->inode();
        if (inode.is_directory()) return Errno::ENODEV;
        if (!f->can_read()) return Errno::EACCES;
        if (shared && (prot & mm::PROT_WRITE) && (!f->can_write() || (f->flags() & fs::O_APPEND)))
            return Errno::EACCES;
        if (inode.rdev() == fs::make_dev(1, 5)) {
            flags |= MAP_ANONYMOUS; // /dev/zero: anonymous memory
        } else if (!inode.is_regular()) {
            return Errno::ENODEV;
        } else {
            core::String name;
            backing = TRY(fs::InodeBacking::create(f->inode_ref(), mapping_name(inode, name)));
            u64 size = inode.size();
            file_len = size > off ? (size - off < plen ? size - off : plen) : 0;
            read_only_file = shared && !f->can_write();
        }
    }
    if (flags & MAP_ANONYMOUS) {
        off = 0; // Linux ignores the offset of anonymous memory
        if (shared) backing = TRY(shared_anonymous(plen));
    }
    if (flags & MAP_HUGETLB) return Errno::EINVAL; // no hugetlbfs
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed) {
        if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
        if (addr < mm::USER_MIN || addr + plen > mm::USER_TOP || addr + plen < addr) return Errno::ENOMEM;
        if (flags & MAP_FIXED_NOREPLACE) {
            for (auto& v : as().vmas())
                if (v.start < addr + plen && addr < v.end) return Errno::EEXIST;
        }
    } else {
        addr = TRY(as().find_free(plen, addr));
    }
    u32 vflags = backing ? 0u : u32(mm::VMA_ANON);
    if (shared) vflags |= mm::VMA_SHARED;
    if (read_only_file) vflags |= mm::VMA_NO_SHARED_WRITE;
    if (flags & MAP_GROWSDOWN) vflags |= mm::VMA_GROWSDOWN;
    if (flags & MAP_NORESERVE) vflags |= mm::VMA_NORESERVE;
    TRY(as().map_fixed(mm::Vma { addr, addr + plen, prot, vflags, backing, off, file_len, nullptr }));
    if (flags & MAP_POPULATE) {
        // Best effort, as Linux: stops at the end of the file or of memory.
        for (u64 va = addr; va < addr + plen; va += PAGE_SIZE)
            if (as().handle_fault(va, prot & mm::PROT_WRITE, false) != mm::FaultResult::Handled) break;
    }
    return i64(addr);
}

Ret sys_munmap(const Args& a)
{
    TRY(as().unmap(a[0], a[1]));
    return 0;
}

Ret sys_mprotect(const Args& a)
{
    u32 prot = u32(a[2]);
    constexpr u32 PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
    if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) return Errno::EINVAL;
    TRY(as().protect(a[0], a[1], prot & ~(PROT_GROWSDOWN | PROT_GROWSUP)));
    return 0;
}

Ret sys_mremap(const Args& a)
{
    constexpr u64 MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
    u64 flags = a[3];
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return Errno::EINVAL;
    return i64(TRY(as().remap(a[0], a[1], a[2], flags & MREMAP_MAYMOVE, flags & MREMAP_FIXED, a[4],
                              flags & MREMAP_DONTUNMAP)));
}

// Checks [addr, addr + len) as Linux's madvise and msync do: EINVAL for an
// unaligned start or a length that wraps, ENOMEM for a hole.
namespace {
Result<u64> range_end(u64 addr, u64 len)
{
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    u64 end = addr + page_round_up(len);
    if (end < addr || (len && end == addr)) return Errno::EINVAL;
    if (!as().fully_mapped(addr, end)) return Errno::ENOMEM;
    return end;
}

// Each VMA overlapping [start, end) must pass `ok`, else EINVAL.
template<typename F>
bool all_vmas(u64 start, u64 end, F ok)
{
    for (auto& v : as().vmas())
        if (v.start < end && start < v.end && !ok(v)) return false;
    return true;
}
} // namespace

Ret sys_madvise(const Args& a)
{
    constexpr int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3,
                  MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10,
                  MADV_DOFORK = 11, MADV_MERGEABLE = 12, MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14,
                  MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17, MADV_WIPEONFORK = 18,
                  MADV_KEEPONFORK = 19, MADV_COLD = 20, MADV_PAGEOUT = 21, MADV_POPULATE_READ = 22,
                  MADV_POPULATE_WRITE = 23, MADV_DONTNEED_LOCKED = 24;
    u64 addr = a[0], len = a[1];
    int advice = int(a[2]);
    switch (advice) {
    case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED: case MADV_DONTNEED:
    case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE:
    case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
    case MADV_WIPEONFORK: case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE: case MADV_DONTNEED_LOCKED: break;
    default: return Errno::EINVAL;
    }
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (len == 0) return 0;
    u64 end = TRY(range_end(addr, len));
    auto private_anon = [](const mm::Vma& v) { return (v.flags & mm::VMA_ANON) && !(v.flags & mm::VMA_SHARED); };
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
        TRY(as().discard(addr, end - addr));
        return 0;
    case MADV_FREE:
        // Only private anonymous memory may be freed lazily; here it goes at once.
        if (!all_vmas(addr, end, private_anon)) return Errno::EINVAL;
        TRY(as().discard(addr, end - addr));
        return 0;
    case MADV_REMOVE: {
        // Frees the file's bytes behind a shared mapping: they read as zeros.
        if (!all_vmas(addr, end, [](const mm::Vma& v) { return bool(v.file); })) return Errno::EINVAL;
        if (!all_vmas(addr, end, [](const mm::Vma& v) {
                return (v.flags & mm::VMA_SHARED) && (v.prot & mm::PROT_WRITE);
            }))
            return Errno::EACCES;
        for (auto& v : as().vmas()) {
            if (v.end <= addr || end <= v.start) continue;
            u64 s = v.start > addr ? v.start : addr, e = v.end < end ? v.end : end;
            TRY(v.file->punch_hole(v.file_offset + (s - v.start), e - s));
        }
        return 0;
    }
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
        // No fork here, but the same checks: private anonymous memory only.
        if (!all_vmas(addr, end, private_anon)) return Errno::EINVAL;
        return 0;
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE: {
        bool write = advice == MADV_POPULATE_WRITE;
        for (u64 va = addr; va < end; va += PAGE_SIZE) {
            switch (as().handle_fault(va, write, false)) {
            case mm::FaultResult::Handled: break;
            case mm::FaultResult::OutOfMemory: return Errno::ENOMEM;
            default: return Errno::EFAULT; // the touch would be SIGSEGV or SIGBUS
            }
        }
        return 0;
    }
    default:
        // Hints that change nothing a program can observe here (no swap, no
        // huge pages, no fork, no core dumps).
        return 0;
    }
}

Ret sys_msync(const Args& a)
{
    constexpr u64 MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    u64 addr = a[0], len = a[1], flags = a[2];
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return Errno::EINVAL;
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return Errno::EINVAL;
    u64 end = addr + page_round_up(len);
    if (end < addr) return Errno::ENOMEM;
    if (end == addr) return 0;
    if (!as().fully_mapped(addr, end)) return Errno::ENOMEM;
    // Nothing to write back: a shared mapping maps the ramfs file's own
    // page-cache pages, which are the file's only copy, so its bytes are in
    // the file already; and no mapping holds a stale copy to invalidate.
    return 0;
}

Ret sys_mincore(const Args& a)
{
    u64 addr = a[0], len = a[1], vec = a[2];
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    u64 end = addr + page_round_up(len);
    if (end < addr || end > mm::USER_TOP) return Errno::ENOMEM;
    if (!as().fully_mapped(addr, end)) return Errno::ENOMEM;
    // One byte a page, bit 0 = in memory; written a chunk at a time.
    u8 chunk[256];
    u64 pages = (end - addr) / PAGE_SIZE;
    for (u64 done = 0; done < pages;) {
        u64 n = pages - done < sizeof chunk ? pages - done : sizeof chunk;
        for (u64 i = 0; i < n; i++) chunk[i] = as().page_resident(addr + (done + i) * PAGE_SIZE) ? 1 : 0;
        TRY(mm::copy_to_user(vec + done, chunk, n));
        done += n;
    }
    return 0;
}

} // namespace sys
