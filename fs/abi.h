#pragma once
// Linux x86-64 constants the VFS speaks in: open flags, *at() flags, file types.
// The numbers are the ABI, so they are spelled out here rather than taken from a libc.
#include "fs/errno_guard.h"
#include "core/result.h"
#include "core/types.h"

namespace fs {

using core::ErrorOr;

// open(2) flags (asm-generic/fcntl.h as used by x86-64).
constexpr u32 O_RDONLY = 0;
constexpr u32 O_WRONLY = 01;
constexpr u32 O_RDWR = 02;
constexpr u32 O_ACCMODE = 03;
constexpr u32 O_CREAT = 0100;
constexpr u32 O_EXCL = 0200;
constexpr u32 O_NOCTTY = 0400;
constexpr u32 O_TRUNC = 01000;
constexpr u32 O_APPEND = 02000;
constexpr u32 O_NONBLOCK = 04000;
constexpr u32 O_DSYNC = 010000;
constexpr u32 O_ASYNC = 020000;
constexpr u32 O_DIRECT = 040000;
constexpr u32 O_LARGEFILE = 0100000;
constexpr u32 O_DIRECTORY = 0200000;
constexpr u32 O_NOFOLLOW = 0400000;
constexpr u32 O_NOATIME = 01000000;
constexpr u32 O_CLOEXEC = 02000000;
constexpr u32 O_SYNC = 04010000;
constexpr u32 O_PATH = 010000000;
constexpr u32 O_TMPFILE = 020200000;
constexpr u32 VALID_OPEN_FLAGS = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND
    | O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW
    | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE;
// The status flags fcntl(F_SETFL) may change.
constexpr u32 SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

// *at() flags.
constexpr int AT_FDCWD = -100;
constexpr u32 AT_SYMLINK_NOFOLLOW = 0x100;
constexpr u32 AT_EACCESS = 0x200;
constexpr u32 AT_SYMLINK_FOLLOW = 0x400;
constexpr u32 AT_NO_AUTOMOUNT = 0x800;
constexpr u32 AT_EMPTY_PATH = 0x1000;
constexpr u32 AT_STATX_SYNC_TYPE = 0x6000;

// Mode bits (the type in S_IFMT, then permissions).
constexpr u32 S_IFMT = 0170000;
constexpr u32 S_IFSOCK = 0140000;
constexpr u32 S_IFLNK = 0120000;
constexpr u32 S_IFREG = 0100000;
constexpr u32 S_IFBLK = 0060000;
constexpr u32 S_IFDIR = 0040000;
constexpr u32 S_IFCHR = 0020000;
constexpr u32 S_IFIFO = 0010000;
constexpr u32 S_IALLUGO = 07777;

// d_type values for getdents64.
constexpr u8 DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8,
             DT_LNK = 10, DT_SOCK = 12;

// Named apart from libc's SEEK_SET, F_OK, PATH_MAX... which are macros on the host.
// lseek whence.
constexpr int WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2, WHENCE_DATA = 3, WHENCE_HOLE = 4;

// access(2) modes: F_OK, X_OK, W_OK, R_OK.
constexpr int ACCESS_EXISTS = 0, ACCESS_X = 1, ACCESS_W = 2, ACCESS_R = 4;

constexpr size_t MAX_PATH_BYTES = 4096; // PATH_MAX, including the terminating NUL
constexpr size_t MAX_NAME_BYTES = 255;  // NAME_MAX
constexpr int MAX_SYMLINKS = 40;        // MAXSYMLINKS: links followed in one lookup
// Linux clamps one read/write to this many bytes (INT_MAX rounded down to a page).
constexpr size_t MAX_RW_COUNT = 0x7ffff000;

// The userspace dev_t encoding (glibc makedev / kernel new_encode_dev).
constexpr u64 make_dev(u32 major, u32 minor)
{
    return (u64(major & 0xfffff000u) << 32) | (u64(major & 0xfffu) << 8)
        | (u64(minor & 0xffffff00u) << 12) | u64(minor & 0xffu);
}
constexpr u32 dev_major(u64 dev) { return u32(((dev >> 32) & 0xfffff000u) | ((dev >> 8) & 0xfffu)); }
constexpr u32 dev_minor(u64 dev) { return u32(((dev >> 12) & 0xffffff00u) | (dev & 0xffu)); }

} // namespace fs
