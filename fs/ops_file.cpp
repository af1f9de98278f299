// File and metadata operations: truncate, fallocate, times, mode, owner,
// fsync, statfs, O_TMPFILE, memfd, sendfile, copy_file_range, flock.
#include "fs/ops.h"

namespace fs {

namespace {
constexpr i64 MAX_FILE_OFFSET = INT64_MAX;
constexpr u32 MODE_SUID = 04000, MODE_SGID = 02000, MODE_XGRP = 00010;

bool nsec_valid(i64 nsec) { return nsec == NSEC_NOW || nsec == NSEC_OMIT || (nsec >= 0 && nsec < 1000000000); }
} // namespace

ErrorOr truncate_path(Context& ctx, core::StringView path, i64 length)
{
    if (length < 0) return Errno::EINVAL;
    auto inode = TRY(inode_at(ctx, AT_FDCWD, path, 0));
    if (inode->is_directory()) return Errno::EISDIR;
    if (!inode->is_regular()) return Errno::EINVAL;
    TRY(inode->truncate(static_cast<u64>(length)));
    return {};
}

ErrorOr ftruncate(OpenFile& file, i64 length)
{
    if (length < 0) return Errno::EINVAL;
    // do_ftruncate: a regular file opened for writing, else EINVAL.
    if (!file.inode().is_regular() || !file.can_write()) return Errno::EINVAL;
    TRY(file.inode().truncate(static_cast<u64>(length)));
    return {};
}

ErrorOr fallocate(OpenFile& file, int mode, i64 offset, i64 length)
{
    // vfs_fallocate's checks, in its order.
    if (offset < 0 || length <= 0) return Errno::EINVAL;
    constexpr int SUPPORTED = FALLOCATE_KEEP_SIZE | FALLOCATE_PUNCH_HOLE | FALLOCATE_COLLAPSE_RANGE
        | FALLOCATE_ZERO_RANGE | FALLOCATE_INSERT_RANGE | FALLOCATE_UNSHARE_RANGE;
    if (mode & ~SUPPORTED) return Errno::EOPNOTSUPP;
    if ((mode & (FALLOCATE_PUNCH_HOLE | FALLOCATE_ZERO_RANGE)) == (FALLOCATE_PUNCH_HOLE | FALLOCATE_ZERO_RANGE))
        return Errno::EOPNOTSUPP;
    if ((mode & FALLOCATE_PUNCH_HOLE) && !(mode & FALLOCATE_KEEP_SIZE)) return Errno::EOPNOTSUPP;
    if ((mode & FALLOCATE_COLLAPSE_RANGE) && (mode & ~FALLOCATE_COLLAPSE_RANGE)) return Errno::EINVAL;
    if ((mode & FALLOCATE_INSERT_RANGE) && (mode & ~FALLOCATE_INSERT_RANGE)) return Errno::EINVAL;
    if ((mode & FALLOCATE_UNSHARE_RANGE) && (mode & ~(FALLOCATE_UNSHARE_RANGE | FALLOCATE_KEEP_SIZE)))
        return Errno::EINVAL;
    if (!file.can_write()) return Errno::EBADF;
    Inode& inode = file.inode();
    if (inode.is_fifo()) return Errno::ESPIPE;
    if (inode.is_directory()) return Errno::EISDIR;
    if (!inode.is_regular()) return Errno::ENODEV;
    if (length > MAX_FILE_OFFSET - offset) return Errno::EFBIG;
    // shmem_fallocate: allocation (keeping the size or not) and hole punching.
    RamFile* f = inode.as_regular();
    u64 end = static_cast<u64>(offset + length);
    if (mode & FALLOCATE_PUNCH_HOLE) return f->zero_range(static_cast<u64>(offset), static_cast<u64>(length));
    if (mode & ~FALLOCATE_KEEP_SIZE) return Errno::EOPNOTSUPP;
    if (mode & FALLOCATE_KEEP_SIZE) return f->reserve(end);
    if (end > f->size()) TRY(f->truncate(end));
    return {};
}

ErrorOr utimens(Inode& inode, const Timespec* times)
{
    Timespec t = now();
    if (!times) {
        inode.set_atime(t);
        inode.set_mtime(t);
        inode.touch_changed();
        return {};
    }
    if (!nsec_valid(times[0].nsec) || !nsec_valid(times[1].nsec)) return Errno::EINVAL;
    if (times[0].nsec == NSEC_OMIT && times[1].nsec == NSEC_OMIT) return {};
    if (times[0].nsec != NSEC_OMIT) inode.set_atime(times[0].nsec == NSEC_NOW ? t : times[0]);
    if (times[1].nsec != NSEC_OMIT) inode.set_mtime(times[1].nsec == NSEC_NOW ? t : times[1]);
    inode.touch_changed();
    return {};
}

ErrorOr chmod(Inode& inode, u32 mode)
{
    inode.set_permissions(mode & S_IALLUGO);
    inode.touch_changed();
    return {};
}

ErrorOr chown(Inode& inode, u32 uid, u32 gid)
{
    u32 new_uid = uid == OWNER_UNCHANGED ? inode.uid() : uid;
    u32 new_gid = gid == OWNER_UNCHANGED ? inode.gid() : gid;
    inode.set_owner(new_uid, new_gid);
    // chown_common asks notify_change to kill set-ID bits on non-directories.
    if (!inode.is_directory()) {
        u32 perms = inode.permissions();
        perms &= ~MODE_SUID;
        if ((perms & (MODE_SGID | MODE_XGRP)) == (MODE_SGID | MODE_XGRP)) perms &= ~MODE_SGID;
        inode.set_permissions(perms);
    }
    inode.touch_changed();
    return {};
}

ErrorOr fsync(OpenFile& file)
{
    if (!file.inode().can_fsync()) return Errno::EINVAL;
    return {};
}

StatFs statfs(u64 total_ram_bytes)
{
    StatFs s {};
    s.type = STATFS_TMPFS_MAGIC;
    s.bsize = PAGE_SIZE;
    s.frsize = PAGE_SIZE;
    s.namelen = MAX_NAME_BYTES;
    s.flags = 0x20 | 0x400; // ST_VALID | ST_RELATIME, as a default tmpfs mount
    // tmpfs's defaults: half the RAM, and as many inodes as half the pages.
    u64 limit_pages = total_ram_bytes / 2 / PAGE_SIZE;
    u64 used_pages = ramfs_bytes_used() / PAGE_SIZE;
    if (used_pages > limit_pages) limit_pages = used_pages;
    s.blocks = limit_pages;
    s.bfree = s.bavail = limit_pages - used_pages;
    u64 inodes = live_inode_count();
    s.files = limit_pages > inodes ? limit_pages : inodes;
    s.ffree = s.files - inodes;
    return s;
}

Result<core::Ref<OpenFile>> open_tmpfile(Context& ctx, int dirfd, core::StringView path, u32 flags, u32 mode)
{
    // do_tmpfile: O_TMPFILE includes O_DIRECTORY; it needs write access and
    // excludes O_CREAT and O_PATH (build_open_flags: EINVAL).
    flags &= VALID_OPEN_FLAGS;
    u32 acc = flags & O_ACCMODE;
    if (flags & (O_CREAT | O_PATH)) return Errno::EINVAL;
    if (acc != O_WRONLY && acc != O_RDWR) return Errno::EINVAL;
    auto r = TRY(lookup_at(ctx, dirfd, path, LOOKUP_DIRECTORY));
    Directory* dir = r.inode->as_directory();
    if (dir->is_dead()) return Errno::ENOENT;
    if (!dir->allows_create()) return Errno::EOPNOTSUPP; // /proc has no tmpfile
    auto file = TRY(RamFile::create(mode & ~ctx.umask & S_IALLUGO));
    file->set_linkable_when_unnamed(!(flags & O_EXCL));
    return OpenFile::create(file, flags); // f_flags keep O_TMPFILE, as Linux
}

Result<core::Ref<OpenFile>> memfd_create(core::StringView name, u32 flags)
{
    constexpr size_t MEMFD_NAME_MAX = 249; // NAME_MAX - strlen("memfd:")
    if (flags & ~(MEMFD_CLOEXEC | MEMFD_ALLOW_SEALING | MEMFD_HUGETLB | MEMFD_NOEXEC_SEAL | MEMFD_EXEC))
        return Errno::EINVAL;
    if ((flags & MEMFD_NOEXEC_SEAL) && (flags & MEMFD_EXEC)) return Errno::EINVAL;
    // No huge pages behind the ramfs: hugetlbfs is absent, as on a kernel
    // built without it (memfd_create answers EINVAL then).
    if (flags & MEMFD_HUGETLB) return Errno::EINVAL;
    if (name.length() > MEMFD_NAME_MAX) return Errno::EINVAL;
    auto file = TRY(RamFile::create((flags & MEMFD_NOEXEC_SEAL) ? 0666 : 0777));
    return OpenFile::create(file, O_RDWR);
}

namespace {
// Moves up to `count` bytes from `in` at `from` to `out`, through a kernel
// buffer; `pwrite_at` >= 0 writes there instead of at out's position.
// Stops at the end of the input or at a short write.
Result<size_t> move_bytes(OpenFile& in, u64 from, OpenFile& out, i64 pwrite_at, size_t count)
{
    constexpr size_t CHUNK = 16384;
    u8* bounce = new (std::nothrow) u8[CHUNK];
    if (!bounce) return Errno::ENOMEM;
    size_t done = 0;
    Errno err {};
    while (done < count) {
        size_t want = count - done < CHUNK ? count - done : CHUNK;
        KernelBuffer buf(bounce, want);
        auto got = in.pread(buf, want, static_cast<i64>(from + done));
        if (got.is_error()) { err = got.error(); break; }
        if (got.value() == 0) break;
        KernelBuffer src(static_cast<const void*>(bounce), got.value());
        auto put = pwrite_at >= 0 ? out.pwrite(src, got.value(), pwrite_at + static_cast<i64>(done))
                                  : out.write(src, got.value());
        if (put.is_error()) { err = put.error(); break; }
        done += put.value();
        if (put.value() < got.value()) break;
    }
    delete[] bounce;
    // Like Linux: bytes moved are reported; an error only when none moved.
    if (done == 0 && err != Errno {}) return err;
    return done;
}
} // namespace

Result<size_t> sendfile(OpenFile& out, OpenFile& in, i64* offset, size_t count)
{
    // do_sendfile: in readable, out writable (EBADF); out not O_APPEND (EINVAL).
    if (!in.can_read() || !out.can_write()) return Errno::EBADF;
    if (offset && *offset < 0) return Errno::EINVAL;
    if (offset && !in.inode().is_seekable()) return Errno::ESPIPE;
    if (out.flags() & O_APPEND) return Errno::EINVAL;
    // The source must support splice_read: regular files (pipes go through
    // a different path on Linux; their data is consumed, not positioned).
    if (!in.inode().is_regular()) return Errno::EINVAL;
    if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
    u64 pos = offset ? static_cast<u64>(*offset) : in.offset();
    size_t n = TRY(move_bytes(in, pos, out, -1, count));
    if (offset) *offset += static_cast<i64>(n);
    else in.set_offset(pos + n);
    return n;
}

Result<size_t> copy_file_range(OpenFile& in, i64* in_offset, OpenFile& out, i64* out_offset,
    size_t count, u32 flags)
{
    if (flags) return Errno::EINVAL;
    // generic_copy_file_checks / generic_file_rw_checks.
    if (!in.can_read() || !out.can_write()) return Errno::EBADF;
    if (out.flags() & O_APPEND) return Errno::EBADF;
    if (in.inode().is_directory() || out.inode().is_directory()) return Errno::EISDIR;
    if (!in.inode().is_regular() || !out.inode().is_regular()) return Errno::EINVAL;
    u64 pos_in = in_offset ? static_cast<u64>(*in_offset) : in.offset();
    u64 pos_out = out_offset ? static_cast<u64>(*out_offset) : out.offset();
    if ((in_offset && *in_offset < 0) || (out_offset && *out_offset < 0)) return Errno::EINVAL;
    if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
    if (pos_out > u64(MAX_FILE_OFFSET) || count > u64(MAX_FILE_OFFSET) - pos_out) return Errno::EFBIG;
    u64 size_in = in.inode().size();
    if (pos_in >= size_in) return size_t(0);
    if (count > size_in - pos_in) count = size_in - pos_in;
    // The same file: overlapping ranges are EINVAL.
    if (&in.inode() == &out.inode() && pos_in < pos_out + count && pos_out < pos_in + count)
        return Errno::EINVAL;
    if (count == 0) return size_t(0);
    size_t n = TRY(move_bytes(in, pos_in, out, static_cast<i64>(pos_out), count));
    if (in_offset) *in_offset += static_cast<i64>(n);
    else in.set_offset(pos_in + n);
    if (out_offset) *out_offset += static_cast<i64>(n);
    else out.set_offset(pos_out + n);
    return n;
}

ErrorOr check_flock_op(int op)
{
    constexpr int FLOCK_SH = 1, FLOCK_EX = 2, FLOCK_NB = 4, FLOCK_UN = 8;
    int kind = op & ~FLOCK_NB;
    if (kind != FLOCK_SH && kind != FLOCK_EX && kind != FLOCK_UN) return Errno::EINVAL;
    return {};
}

ErrorOr flock(OpenFile&, int op)
{
    TRY(check_flock_op(op));
    // One process: no other holder can conflict, so the lock is granted.
    return {};
}

} // namespace fs
