// stat, fstat, lstat, newfstatat, statx, readlink, readlinkat.
#include "fs/errno_guard.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/syscall.h"

namespace sys {

namespace {

// struct stat as x86-64 Linux lays it out (arch/x86/include/uapi/asm/stat.h).
struct LinuxStat {
    u64 st_dev;
    u64 st_ino;
    u64 st_nlink;
    u32 st_mode;
    u32 st_uid;
    u32 st_gid;
    i32 pad0;
    u64 st_rdev;
    i64 st_size;
    i64 st_blksize;
    i64 st_blocks;
    i64 atime_sec, atime_nsec; // st_atime is a macro in some libcs
    i64 mtime_sec, mtime_nsec;
    i64 ctime_sec, ctime_nsec;
    i64 unused[3];
};
static_assert(sizeof(LinuxStat) == 144);
static_assert(__builtin_offsetof(LinuxStat, st_rdev) == 40);
static_assert(__builtin_offsetof(LinuxStat, atime_sec) == 72);

// struct statx (include/uapi/linux/stat.h).
struct StatxTimestamp {
    i64 tv_sec;
    u32 tv_nsec;
    i32 reserved;
};
struct LinuxStatx {
    u32 stx_mask;
    u32 stx_blksize;
    u64 stx_attributes;
    u32 stx_nlink;
    u32 stx_uid;
    u32 stx_gid;
    u16 stx_mode;
    u16 spare0;
    u64 stx_ino;
    u64 stx_size;
    u64 stx_blocks;
    u64 stx_attributes_mask;
    StatxTimestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    u32 stx_rdev_major, stx_rdev_minor;
    u32 stx_dev_major, stx_dev_minor;
    u64 stx_mnt_id;
    u32 stx_dio_mem_align, stx_dio_offset_align;
    u64 spare3[12];
};
static_assert(sizeof(LinuxStatx) == 256);
static_assert(__builtin_offsetof(LinuxStatx, stx_mtime) == 112);
static_assert(__builtin_offsetof(LinuxStatx, stx_rdev_major) == 128);

constexpr u32 STATX_BASIC_STATS = 0x7ff;
constexpr u32 STATX_MNT_ID = 0x1000;
constexpr u32 STATX_RESERVED = 0x80000000u;
// The one mount Elfin has.
constexpr u64 ROOT_MNT_ID = 1;

Ret put_stat(u64 addr, const fs::Stat& s)
{
    LinuxStat out {};
    out.st_dev = s.dev;
    out.st_ino = s.ino;
    out.st_nlink = s.nlink;
    out.st_mode = s.mode;
    out.st_uid = s.uid;
    out.st_gid = s.gid;
    out.st_rdev = s.rdev;
    out.st_size = s.size;
    out.st_blksize = s.blksize;
    out.st_blocks = s.blocks;
    out.atime_sec = s.atime.sec;
    out.atime_nsec = s.atime.nsec;
    out.mtime_sec = s.mtime.sec;
    out.mtime_nsec = s.mtime.nsec;
    out.ctime_sec = s.ctime.sec;
    out.ctime_nsec = s.ctime.nsec;
    TRY(mm::copy_to_user(addr, &out, sizeof out));
    return i64(0);
}

StatxTimestamp ts(fs::Timespec t) { return { t.sec, static_cast<u32>(t.nsec), 0 }; }

// A path argument that may be NULL when AT_EMPTY_PATH says "the descriptor itself".
Result<core::String> path_arg(u64 addr, u32 at_flags)
{
    if (addr == 0 && (at_flags & fs::AT_EMPTY_PATH)) return core::String();
    return fs::copy_path_from_user(addr);
}

Ret stat_at(int dirfd, u64 path_addr, u64 buf, u32 at_flags)
{
    auto path = TRY(path_arg(path_addr, at_flags));
    auto inode = TRY(fs::inode_at(fs::current(), dirfd, path.view(), at_flags));
    return put_stat(buf, inode->stat());
}

Ret readlink_at(int dirfd, u64 path_addr, u64 buf, u64 size)
{
    i32 bufsiz = static_cast<i32>(size);
    if (bufsiz <= 0) return Errno::EINVAL;
    auto path = TRY(fs::copy_path_from_user(path_addr));
    auto target = TRY(fs::readlink_at(fs::current(), dirfd, path.view()));
    // Truncated to the buffer, without a NUL, as Linux.
    size_t n = target.length() < static_cast<size_t>(bufsiz) ? target.length() : static_cast<size_t>(bufsiz);
    TRY(mm::copy_to_user(buf, target.c_str(), n));
    return i64(n);
}

} // namespace

Ret sys_stat(const Args& a) { return stat_at(fs::AT_FDCWD, a[0], a[1], 0); }
Ret sys_lstat(const Args& a) { return stat_at(fs::AT_FDCWD, a[0], a[1], fs::AT_SYMLINK_NOFOLLOW); }

Ret sys_fstat(const Args& a)
{
    auto f = TRY(fs::current_fds().get_raw(a.fd(0))); // O_PATH descriptors too
    return put_stat(a[1], f->inode().stat());
}

Ret sys_newfstatat(const Args& a)
{
    u32 flags = static_cast<u32>(a[3]);
    if (flags & ~(fs::AT_SYMLINK_NOFOLLOW | fs::AT_NO_AUTOMOUNT | fs::AT_EMPTY_PATH)) return Errno::EINVAL;
    return stat_at(a.fd(0), a[1], a[2], flags);
}

Ret sys_statx(const Args& a)
{
    int dirfd = a.fd(0);
    u32 flags = static_cast<u32>(a[2]);
    u32 mask = static_cast<u32>(a[3]);
    if (flags & ~(fs::AT_SYMLINK_NOFOLLOW | fs::AT_NO_AUTOMOUNT | fs::AT_EMPTY_PATH | fs::AT_STATX_SYNC_TYPE))
        return Errno::EINVAL;
    if ((flags & fs::AT_STATX_SYNC_TYPE) == fs::AT_STATX_SYNC_TYPE) return Errno::EINVAL;
    if (mask & STATX_RESERVED) return Errno::EINVAL;
    auto path = TRY(path_arg(a[1], flags));
    auto inode = TRY(fs::inode_at(fs::current(), dirfd, path.view(), flags));
    fs::Stat s = inode->stat();
    LinuxStatx out {};
    // Like tmpfs: the basic fields whatever was asked for, no birth time.
    out.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
    out.stx_blksize = static_cast<u32>(s.blksize);
    out.stx_nlink = s.nlink;
    out.stx_uid = s.uid;
    out.stx_gid = s.gid;
    out.stx_mode = static_cast<u16>(s.mode);
    out.stx_ino = s.ino;
    out.stx_size = static_cast<u64>(s.size);
    out.stx_blocks = static_cast<u64>(s.blocks);
    out.stx_atime = ts(s.atime);
    out.stx_ctime = ts(s.ctime);
    out.stx_mtime = ts(s.mtime);
    out.stx_rdev_major = fs::dev_major(s.rdev);
    out.stx_rdev_minor = fs::dev_minor(s.rdev);
    out.stx_dev_major = fs::dev_major(s.dev);
    out.stx_dev_minor = fs::dev_minor(s.dev);
    out.stx_mnt_id = ROOT_MNT_ID;
    TRY(mm::copy_to_user(a[4], &out, sizeof out));
    return i64(0);
}

Ret sys_readlink(const Args& a) { return readlink_at(fs::AT_FDCWD, a[0], a[1], a[2]); }
Ret sys_readlinkat(const Args& a) { return readlink_at(a.fd(0), a[1], a[2], a[3]); }

} // namespace sys
