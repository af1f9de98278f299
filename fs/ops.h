#pragma once
// The namespace and metadata operations beyond open/stat (fs/vfs.h): mkdir,
// unlink, rmdir, rename, link, symlink, truncate, fallocate, utimens, chmod,
// chown, umask, fsync, statfs, O_TMPFILE, memfd, sendfile, copy_file_range.
// Each follows Linux (fs/namei.c, fs/open.c, fs/utimes.c, mm/shmem.c) to the
// errno and to the order in which the errors are found. Paths are already
// copied from the program.
#include "fs/errno_guard.h"
#include "fs/vfs.h"

namespace fs {

// unlinkat flags, renameat2 flags, fallocate modes, utimensat's special nsec.
constexpr u32 UNLINK_REMOVEDIR = 0x200;
constexpr u32 RENAME_FLAG_NOREPLACE = 1, RENAME_FLAG_EXCHANGE = 2, RENAME_FLAG_WHITEOUT = 4;
constexpr int FALLOCATE_KEEP_SIZE = 1, FALLOCATE_PUNCH_HOLE = 2, FALLOCATE_COLLAPSE_RANGE = 8,
              FALLOCATE_ZERO_RANGE = 0x10, FALLOCATE_INSERT_RANGE = 0x20, FALLOCATE_UNSHARE_RANGE = 0x40;
constexpr i64 NSEC_NOW = (1 << 30) - 1, NSEC_OMIT = (1 << 30) - 2;
constexpr u32 OWNER_UNCHANGED = 0xffffffffu; // (uid_t)-1 for chown

// The parent directory of a path's last component, and that component, the
// component itself not looked up (the lookup of mkdir, unlink, rename...).
struct ParentLookup {
    enum class Last : u8 { Normal, Dot, DotDot, Root };
    core::Ref<Directory> parent;
    core::String name;          // empty unless Normal
    Last last { Last::Normal };
    bool trailing_slash { false };
    core::Ref<Inode> existing() const; // the entry named, or null
};
Result<ParentLookup> lookup_parent(Context& ctx, int dirfd, core::StringView path);

ErrorOr mkdir_at(Context& ctx, int dirfd, core::StringView path, u32 mode);
// unlinkat: flags 0 (unlink) or UNLINK_REMOVEDIR (rmdir); others EINVAL.
ErrorOr unlink_at(Context& ctx, int dirfd, core::StringView path, u32 flags);
ErrorOr rename_at(Context& ctx, int old_dirfd, core::StringView old_path, int new_dirfd,
    core::StringView new_path, u32 flags);
// linkat: flags AT_SYMLINK_FOLLOW, AT_EMPTY_PATH.
ErrorOr link_at(Context& ctx, int old_dirfd, core::StringView old_path, int new_dirfd,
    core::StringView new_path, u32 flags);
ErrorOr symlink_at(Context& ctx, core::StringView target, int new_dirfd, core::StringView path);
// mknod of an inode made by the caller (a bound AF_UNIX socket's name):
// EEXIST when the name is taken.
ErrorOr make_node_at(Context& ctx, int dirfd, core::StringView path, core::Ref<Inode> node);

// truncate(2) on a path (symlinks followed) and ftruncate(2) on a file.
ErrorOr truncate_path(Context& ctx, core::StringView path, i64 length);
ErrorOr ftruncate(OpenFile& file, i64 length);
ErrorOr fallocate(OpenFile& file, int mode, i64 offset, i64 length);

// utimensat: times[0] atime, times[1] mtime, nsec may be NSEC_NOW/NSEC_OMIT;
// null times = both now. EINVAL for a bad nsec.
ErrorOr utimens(Inode& inode, const Timespec* times);
ErrorOr chmod(Inode& inode, u32 mode);
// OWNER_UNCHANGED keeps a field; a non-directory loses set-user-ID (and
// set-group-ID when group-executable), as Linux's chown does.
ErrorOr chown(Inode& inode, u32 uid, u32 gid);
// Returns the old mask.
u32 set_umask(Context& ctx, u32 mask);
// fsync/fdatasync: nothing to flush in memory; EINVAL for objects Linux has
// no fsync for (pipes, character devices, eventfd).
ErrorOr fsync(OpenFile& file);

struct StatFs {
    i64 type, bsize;
    u64 blocks, bfree, bavail, files, ffree;
    i64 namelen, frsize, flags;
};
constexpr i64 STATFS_TMPFS_MAGIC = 0x01021994;
// A tmpfs answer: the size limit is half the RAM (tmpfs's default), the used
// blocks are the file data the ramfs holds, inodes likewise.
StatFs statfs(u64 total_ram_bytes);

// open(O_TMPFILE): an unnamed regular file in the directory `path` names.
Result<core::Ref<OpenFile>> open_tmpfile(Context& ctx, int dirfd, core::StringView path, u32 flags, u32 mode);
// memfd_create: an unnamed regular file (mode 0777), opened read-write.
// EINVAL for a name of more than 249 bytes or unknown flags.
constexpr u32 MEMFD_CLOEXEC = 1, MEMFD_ALLOW_SEALING = 2, MEMFD_HUGETLB = 4, MEMFD_NOEXEC_SEAL = 8, MEMFD_EXEC = 0x10;
Result<core::Ref<OpenFile>> memfd_create(core::StringView name, u32 flags);

// sendfile: from `in` (at *offset, which is advanced, or at its position) to
// `out` (at its position). The result says how many bytes moved; EAGAIN
// (nothing moved, `out` would block) is for the caller to wait on.
Result<size_t> sendfile(OpenFile& out, OpenFile& in, i64* offset, size_t count);
// copy_file_range between regular files; null offsets use the positions.
Result<size_t> copy_file_range(OpenFile& in, i64* in_offset, OpenFile& out, i64* out_offset,
    size_t count, u32 flags);
// flock: EINVAL unless LOCK_SH/LOCK_EX/LOCK_UN (| LOCK_NB), checked before the
// descriptor as Linux does; then the lock is granted (one process never conflicts).
ErrorOr check_flock_op(int op);
ErrorOr flock(OpenFile& file, int op);

} // namespace fs
