// mkdir(at), rmdir, unlink(at), rename(at/at2), link(at), symlink(at),
// truncate, ftruncate, fallocate, utimensat, futimesat, utimes, utime,
// chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat, umask, fsync,
// fdatasync, syncfs, sync, statfs, fstatfs, memfd_create, sendfile,
// copy_file_range, flock. Decoding only: the work is in fs/ops*.cpp.
#include "fs/errno_guard.h"
#include "fs/ops.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/blocking.h"
#include "syscalls/syscall.h"
#include "mm/phys.h"

namespace sys {

namespace {

fs::Context& ctx() { return fs::current(); }
Result<core::String> path(u64 addr) { return fs::copy_path_from_user(addr); }

// A path that may be NULL when AT_EMPTY_PATH says "the descriptor itself".
Result<core::String> path_or_empty(u64 addr, u32 at_flags)
{
    if (addr == 0 && (at_flags & fs::AT_EMPTY_PATH)) return core::String();
    return fs::copy_path_from_user(addr);
}

Ret ok(ErrorOr r)
{
    TRY(r);
    return i64(0);
}

Ret do_mkdir(int dirfd, u64 p, u32 mode)
{
    auto s = TRY(path(p));
    return ok(fs::mkdir_at(ctx(), dirfd, s.view(), mode));
}

Ret do_unlink(int dirfd, u64 p, u32 flags)
{
    if (flags & ~fs::UNLINK_REMOVEDIR) return Errno::EINVAL;
    auto s = TRY(path(p));
    return ok(fs::unlink_at(ctx(), dirfd, s.view(), flags));
}

Ret do_rename(int olddir, u64 oldp, int newdir, u64 newp, u32 flags)
{
    if (flags & ~(fs::RENAME_FLAG_NOREPLACE | fs::RENAME_FLAG_EXCHANGE | fs::RENAME_FLAG_WHITEOUT))
        return Errno::EINVAL;
    if ((flags & fs::RENAME_FLAG_NOREPLACE) && (flags & fs::RENAME_FLAG_EXCHANGE)) return Errno::EINVAL;
    auto o = TRY(path(oldp));
    auto n = TRY(path(newp));
    return ok(fs::rename_at(ctx(), olddir, o.view(), newdir, n.view(), flags));
}

Ret do_link(int olddir, u64 oldp, int newdir, u64 newp, u32 flags)
{
    if (flags & ~(fs::AT_SYMLINK_FOLLOW | fs::AT_EMPTY_PATH)) return Errno::EINVAL;
    auto o = TRY(path_or_empty(oldp, flags));
    auto n = TRY(path(newp));
    return ok(fs::link_at(ctx(), olddir, o.view(), newdir, n.view(), flags));
}

Ret do_symlink(u64 target, int newdir, u64 newp)
{
    auto t = TRY(path(target));
    auto n = TRY(path(newp));
    return ok(fs::symlink_at(ctx(), t.view(), newdir, n.view()));
}

// utimensat and friends end here: `times` null means now.
Ret do_utimes(int dirfd, u64 p, const fs::Timespec* times, u32 flags)
{
    if (p == 0 && dirfd != fs::AT_FDCWD) {
        if (flags) return Errno::EINVAL;
        auto f = TRY(fs::current_fds().get(dirfd));
        return ok(fs::utimens(f->inode(), times));
    }
    if (flags & ~(fs::AT_SYMLINK_NOFOLLOW | fs::AT_EMPTY_PATH)) return Errno::EINVAL;
    auto s = TRY(path_or_empty(p, flags));
    auto inode = TRY(fs::inode_at(ctx(), dirfd, s.view(), flags));
    return ok(fs::utimens(*inode, times));
}

struct Timeval { i64 sec, usec; };

Ret do_futimesat(int dirfd, u64 p, u64 tv_addr)
{
    if (!tv_addr) return do_utimes(dirfd, p, nullptr, 0);
    Timeval tv[2];
    TRY(mm::copy_from_user(tv, tv_addr, sizeof tv));
    if (tv[0].usec < 0 || tv[0].usec >= 1000000 || tv[1].usec < 0 || tv[1].usec >= 1000000)
        return Errno::EINVAL;
    fs::Timespec ts[2] = { { tv[0].sec, tv[0].usec * 1000 }, { tv[1].sec, tv[1].usec * 1000 } };
    return do_utimes(dirfd, p, ts, 0);
}

Ret do_chmod(int dirfd, u64 p, u32 mode, u32 at_flags)
{
    auto s = TRY(path_or_empty(p, at_flags));
    auto inode = TRY(fs::inode_at(ctx(), dirfd, s.view(), at_flags));
    return ok(fs::chmod(*inode, mode));
}

Ret do_chown(int dirfd, u64 p, u64 uid, u64 gid, u32 at_flags)
{
    if (at_flags & ~(fs::AT_SYMLINK_NOFOLLOW | fs::AT_EMPTY_PATH)) return Errno::EINVAL;
    auto s = TRY(path_or_empty(p, at_flags));
    auto inode = TRY(fs::inode_at(ctx(), dirfd, s.view(), at_flags));
    return ok(fs::chown(*inode, static_cast<u32>(uid), static_cast<u32>(gid)));
}

// struct statfs (x86-64).
struct LinuxStatfs {
    i64 f_type, f_bsize;
    u64 f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    i32 f_fsid[2];
    i64 f_namelen, f_frsize, f_flags;
    i64 f_spare[4];
};
static_assert(sizeof(LinuxStatfs) == 120);

Ret put_statfs(u64 addr)
{
    fs::StatFs s = fs::statfs(mm::phys_total_pages() * PAGE_SIZE);
    LinuxStatfs out {};
    out.f_type = s.type;
    out.f_bsize = s.bsize;
    out.f_blocks = s.blocks;
    out.f_bfree = s.bfree;
    out.f_bavail = s.bavail;
    out.f_files = s.files;
    out.f_ffree = s.ffree;
    out.f_namelen = s.namelen;
    out.f_frsize = s.frsize;
    out.f_flags = s.flags;
    TRY(mm::copy_to_user(addr, &out, sizeof out));
    return i64(0);
}

Result<core::Ref<fs::OpenFile>> file(int fd) { return fs::current_fds().get(fd); }

} // namespace

Ret sys_mkdir(const Args& a) { return do_mkdir(fs::AT_FDCWD, a[0], static_cast<u32>(a[1])); }
Ret sys_mkdirat(const Args& a) { return do_mkdir(a.fd(0), a[1], static_cast<u32>(a[2])); }
Ret sys_rmdir(const Args& a) { return do_unlink(fs::AT_FDCWD, a[0], fs::UNLINK_REMOVEDIR); }
Ret sys_unlink(const Args& a) { return do_unlink(fs::AT_FDCWD, a[0], 0); }
Ret sys_unlinkat(const Args& a) { return do_unlink(a.fd(0), a[1], static_cast<u32>(a[2])); }
Ret sys_rename(const Args& a) { return do_rename(fs::AT_FDCWD, a[0], fs::AT_FDCWD, a[1], 0); }
Ret sys_renameat(const Args& a) { return do_rename(a.fd(0), a[1], a.fd(2), a[3], 0); }
Ret sys_renameat2(const Args& a) { return do_rename(a.fd(0), a[1], a.fd(2), a[3], static_cast<u32>(a[4])); }
Ret sys_link(const Args& a) { return do_link(fs::AT_FDCWD, a[0], fs::AT_FDCWD, a[1], 0); }
Ret sys_linkat(const Args& a) { return do_link(a.fd(0), a[1], a.fd(2), a[3], static_cast<u32>(a[4])); }
Ret sys_symlink(const Args& a) { return do_symlink(a[0], fs::AT_FDCWD, a[1]); }
Ret sys_symlinkat(const Args& a) { return do_symlink(a[0], a.fd(1), a[2]); }

Ret sys_truncate(const Args& a)
{
    if (static_cast<i64>(a[1]) < 0) return Errno::EINVAL; // before the path, as Linux
    auto s = TRY(path(a[0]));
    return ok(fs::truncate_path(ctx(), s.view(), static_cast<i64>(a[1])));
}

Ret sys_ftruncate(const Args& a)
{
    if (static_cast<i64>(a[1]) < 0) return Errno::EINVAL;
    auto f = TRY(file(a.fd(0)));
    return ok(fs::ftruncate(*f, static_cast<i64>(a[1])));
}

Ret sys_fallocate(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    return ok(fs::fallocate(*f, static_cast<int>(a[1]), static_cast<i64>(a[2]), static_cast<i64>(a[3])));
}

Ret sys_utimensat(const Args& a)
{
    fs::Timespec ts[2];
    const fs::Timespec* times = nullptr;
    if (a[2]) {
        TRY(mm::copy_from_user(ts, a[2], sizeof ts));
        if (ts[0].nsec == fs::NSEC_OMIT && ts[1].nsec == fs::NSEC_OMIT) return i64(0);
        times = ts;
    }
    return do_utimes(a.fd(0), a[1], times, static_cast<u32>(a[3]));
}

Ret sys_futimesat(const Args& a) { return do_futimesat(a.fd(0), a[1], a[2]); }
Ret sys_utimes(const Args& a) { return do_futimesat(fs::AT_FDCWD, a[0], a[1]); }

Ret sys_utime(const Args& a)
{
    if (!a[1]) return do_utimes(fs::AT_FDCWD, a[0], nullptr, 0);
    struct { i64 actime, modtime; } buf;
    TRY(mm::copy_from_user(&buf, a[1], sizeof buf));
    fs::Timespec ts[2] = { { buf.actime, 0 }, { buf.modtime, 0 } };
    return do_utimes(fs::AT_FDCWD, a[0], ts, 0);
}

Ret sys_chmod(const Args& a) { return do_chmod(fs::AT_FDCWD, a[0], static_cast<u32>(a[1]), 0); }
Ret sys_fchmodat(const Args& a) { return do_chmod(a.fd(0), a[1], static_cast<u32>(a[2]), 0); }

Ret sys_fchmod(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    return ok(fs::chmod(f->inode(), static_cast<u32>(a[1])));
}

Ret sys_chown(const Args& a) { return do_chown(fs::AT_FDCWD, a[0], a[1], a[2], 0); }
Ret sys_lchown(const Args& a) { return do_chown(fs::AT_FDCWD, a[0], a[1], a[2], fs::AT_SYMLINK_NOFOLLOW); }
Ret sys_fchownat(const Args& a) { return do_chown(a.fd(0), a[1], a[2], a[3], static_cast<u32>(a[4])); }

Ret sys_fchown(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    return ok(fs::chown(f->inode(), static_cast<u32>(a[1]), static_cast<u32>(a[2])));
}

Ret sys_umask(const Args& a) { return i64(fs::set_umask(ctx(), static_cast<u32>(a[0]))); }

Ret sys_fsync(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    return ok(fs::fsync(*f));
}

Ret sys_fdatasync(const Args& a) { return sys_fsync(a); }

// Everything is in memory: there is nothing to write back.
Ret sys_syncfs(const Args& a)
{
    TRY(file(a.fd(0)));
    return i64(0);
}

Ret sys_sync(const Args&) { return i64(0); }

Ret sys_statfs(const Args& a)
{
    auto s = TRY(path(a[0]));
    TRY(fs::inode_at(ctx(), fs::AT_FDCWD, s.view(), 0));
    return put_statfs(a[1]);
}

Ret sys_fstatfs(const Args& a)
{
    TRY(fs::current_fds().get_raw(a.fd(0))); // O_PATH descriptors too
    return put_statfs(a[1]);
}

Ret sys_memfd_create(const Args& a)
{
    u32 flags = static_cast<u32>(a[1]);
    if (flags & ~(fs::MEMFD_CLOEXEC | fs::MEMFD_ALLOW_SEALING | fs::MEMFD_HUGETLB | fs::MEMFD_NOEXEC_SEAL
            | fs::MEMFD_EXEC))
        return Errno::EINVAL;
    auto name = mm::copy_string_from_user(a[0], 250);
    if (name.is_error()) return name.error() == Errno::EFAULT ? Errno::EFAULT : Errno::EINVAL;
    auto f = TRY(fs::memfd_create(name.value().view(), flags));
    return i64(TRY(fs::current_fds().install(std::move(f), flags & fs::MEMFD_CLOEXEC)));
}

Ret sys_sendfile(const Args& a)
{
    i64 pos = 0;
    if (a[2]) TRY(mm::copy_from_user(&pos, a[2], sizeof pos));
    auto in = TRY(file(a.fd(1)));
    auto out = TRY(file(a.fd(0)));
    auto n = maybe_wait(*out, [&] { return fs::sendfile(*out, *in, a[2] ? &pos : nullptr, a[3]); });
    if (a[2]) TRY(mm::copy_to_user(a[2], &pos, sizeof pos));
    return i64(TRY(std::move(n)));
}

Ret sys_copy_file_range(const Args& a)
{
    auto in = TRY(file(a.fd(0)));
    auto out = TRY(file(a.fd(2)));
    i64 off_in = 0, off_out = 0;
    if (a[1]) TRY(mm::copy_from_user(&off_in, a[1], sizeof off_in));
    if (a[3]) TRY(mm::copy_from_user(&off_out, a[3], sizeof off_out));
    size_t n = TRY(fs::copy_file_range(*in, a[1] ? &off_in : nullptr, *out, a[3] ? &off_out : nullptr,
        a[4], static_cast<u32>(a[5])));
    if (a[1]) TRY(mm::copy_to_user(a[1], &off_in, sizeof off_in));
    if (a[3]) TRY(mm::copy_to_user(a[3], &off_out, sizeof off_out));
    return i64(n);
}

Ret sys_flock(const Args& a)
{
    int op = static_cast<int>(a[1]);
    TRY(fs::check_flock_op(op));
    auto f = TRY(file(a.fd(0)));
    return ok(fs::flock(*f, op));
}

} // namespace sys
