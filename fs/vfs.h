#pragma once
// The process's view of the file system (root, cwd, descriptors, umask) and
// the operations the syscalls are made of. Elfin runs one process, so there is
// one current Context; the unit tests make their own.
#include "fs/errno_guard.h"
#include "core/own.h"
#include "core/ref.h"
#include "core/string.h"
#include "fs/fd_table.h"
#include "fs/initramfs.h"
#include "fs/open_file.h"
#include "fs/path.h"
#include "fs/ramfs.h"

namespace fs {

struct Context {
    core::Ref<Directory> root;
    core::Ref<Directory> cwd;
    FdTable fds;
    u32 umask { 022 };

    static Result<core::Own<Context>> create(core::Ref<Directory> root);
};

// ---- Boot: the calls the kernel makes, in this order -----------------------

// Unpacks the initramfs into a new root, adds /dev, /proc (fs/procfs.h: with
// /proc/self/exe -> the manifest's exe) and /sys (fs/sysfs.h), makes the current Context and moves
// to the manifest's cwd. `data` must stay mapped for the kernel's life (file
// data is read in place). EINVAL with `why` set for a corrupt archive or
// manifest; ENOENT/ENOTDIR when the manifest's cwd is not a directory.
ErrorOr unpack_initramfs(const u8* data, size_t size, Manifest& manifest, const char** why = nullptr);
// Descriptors 0, 1 and 2. Those whose host end is a terminal (bit `fd` of
// `tty_mask`) share one read-write description of /dev/console, as Linux's
// init gets them; the others are each a host stream (make_host_stream):
// fd 0 read-only, 1 and 2 write-only, as a shell's pipes and redirections are.
ErrorOr init_stdio(Context& ctx, u32 tty_mask = 7);
ErrorOr init_stdio(u32 tty_mask = 7); // on current()

// The current Context (VERIFYs that unpack_initramfs ran).
Context& current();
bool has_current();
FdTable& current_fds();
core::Ref<Directory> cwd();

// For the loader: the inode a path names from the current cwd, symlinks
// followed. Then check_executable(*inode) and inode->as_regular()->contents().
Result<core::Ref<Inode>> resolve_path(core::StringView path);

// Builds a root as unpack_initramfs does, without touching the current Context.
Result<core::Ref<Directory>> build_root(const u8* data, size_t size, Manifest& manifest,
    UnpackStats* stats = nullptr, const char** why = nullptr);
// Points /proc/self/exe at `path` (/proc must be mounted: build_root does).
ErrorOr set_exe_path(Directory& root, core::StringView path);

// ---- Operations (paths already copied from the program) --------------------

// The directory a relative path starts from: the cwd for AT_FDCWD, else the
// descriptor's directory (EBADF, ENOTDIR).
Result<core::Ref<Directory>> base_dir(Context& ctx, int dirfd);
// Path lookup relative to dirfd. For an absolute path dirfd is ignored.
Result<LookupResult> lookup_at(Context& ctx, int dirfd, core::StringView path, u32 lookup_flags);
// The inode a (dirfd, path, AT_* flags) names; AT_EMPTY_PATH with "" names
// the descriptor itself; AT_SYMLINK_NOFOLLOW stops at a final symlink.
Result<core::Ref<Inode>> inode_at(Context& ctx, int dirfd, core::StringView path, u32 at_flags);

// open/openat without installing a descriptor (init_stdio, the loader).
Result<core::Ref<OpenFile>> open_file(Context& ctx, int dirfd, core::StringView path, u32 flags, u32 mode);
// openat: returns the new descriptor.
Result<int> open_at(Context& ctx, int dirfd, core::StringView path, u32 flags, u32 mode);

// EINVAL for an access mode or AT_* flags faccessat2 does not know.
ErrorOr check_access_args(int mode, u32 at_flags);
// faccessat2: EINVAL for a bad mode or flags; as root, only X_OK on a
// non-directory without any x bit is refused (EACCES).
ErrorOr access_at(Context& ctx, int dirfd, core::StringView path, int mode, u32 at_flags);
// EACCES unless `inode` is a regular file with an x bit (execve as root).
ErrorOr check_executable(Inode& inode);

// readlinkat: the target; EINVAL when the path is not a symlink.
Result<core::String> readlink_at(Context& ctx, int dirfd, core::StringView path);

ErrorOr chdir(Context& ctx, core::StringView path);
ErrorOr fchdir(Context& ctx, int fd);
Result<core::String> getcwd(Context& ctx);

} // namespace fs
