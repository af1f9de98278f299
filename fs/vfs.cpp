#include "fs/vfs.h"
#include "fs/devices.h"
#include "fs/procfs.h"
#include "fs/sysfs.h"

#ifdef ELFIN_KERNEL
namespace fs {
void register_kernel_proc_source(); // fs/procfs_kernel.cpp
}
#endif

namespace fs {

namespace {
// Made by unpack_initramfs; no global constructor (the kernel has none that work).
Context* g_current = nullptr;

Result<core::Ref<Directory>> ensure_dir(Directory& parent, core::StringView name, u32 perms)
{
    core::Ref<Inode> existing = parent.lookup(name);
    if (existing && existing->is_directory()) return core::Ref<Directory>(existing->as_directory());
    auto dir = TRY(Directory::create(perms));
    TRY(parent.put(name, dir));
    return dir;
}
} // namespace

Result<core::Own<Context>> Context::create(core::Ref<Directory> root)
{
    auto ctx = TRY(core::make<Context>());
    ctx->cwd = root;
    ctx->root = std::move(root);
    return ctx;
}

// ---- Boot ------------------------------------------------------------------

ErrorOr set_exe_path(Directory& root, core::StringView path) { return proc_set_exe(root, path); }

Result<core::Ref<Directory>> build_root(const u8* data, size_t size, Manifest& manifest,
    UnpackStats* stats, const char** why)
{
    auto root = TRY(Directory::create(0755));
    TRY(unpack_into(*root, data, size, manifest, stats, why));
    auto dev = TRY(ensure_dir(*root, "dev", 0755));
    TRY(populate_dev(*dev));
    TRY(mount_proc(*root, manifest));
    TRY(mount_sys(*root));
    return root;
}

ErrorOr unpack_initramfs(const u8* data, size_t size, Manifest& manifest, const char** why)
{
    VERIFY(!g_current);
#ifdef ELFIN_KERNEL
    register_kernel_proc_source();
#endif
    auto root = TRY(build_root(data, size, manifest, nullptr, why));
    auto ctx = TRY(Context::create(root));
    if (manifest.present) {
        auto r = chdir(*ctx, manifest.cwd.view());
        if (r.is_error()) {
            if (why) *why = "the manifest's cwd is not a directory in the image";
            return r.error();
        }
    }
    g_current = ctx.leak();
    return {};
}

ErrorOr init_stdio(Context& ctx, u32 tty_mask)
{
    core::Ref<OpenFile> console;
    if (tty_mask & 7) console = TRY(open_file(ctx, AT_FDCWD, "/dev/console", O_RDWR, 0));
    for (int fd = 0; fd < 3; fd++) {
        if (tty_mask & (1u << fd)) {
            TRY(ctx.fds.install_at(fd, console, false));
            continue;
        }
        auto stream = TRY(make_host_stream(fd));
        auto file = TRY(OpenFile::create_pseudo(stream, (fd == 0 ? O_RDONLY : O_WRONLY) | O_LARGEFILE));
        TRY(ctx.fds.install_at(fd, file, false));
    }
    return {};
}

ErrorOr init_stdio(u32 tty_mask) { return init_stdio(current(), tty_mask); }

Context& current()
{
    VERIFY(g_current);
    return *g_current;
}

bool has_current() { return g_current; }
FdTable& current_fds() { return current().fds; }
core::Ref<Directory> cwd() { return current().cwd; }

Result<core::Ref<Inode>> resolve_path(core::StringView path)
{
    Context& ctx = current();
    return resolve(ctx.root, ctx.cwd, path);
}

// ---- Operations ------------------------------------------------------------

Result<core::Ref<Directory>> base_dir(Context& ctx, int dirfd)
{
    if (dirfd == AT_FDCWD) return ctx.cwd;
    auto file = TRY(ctx.fds.get_raw(dirfd));
    Directory* dir = file->inode().as_directory();
    if (!dir) return Errno::ENOTDIR;
    return core::Ref<Directory>(dir);
}

Result<LookupResult> lookup_at(Context& ctx, int dirfd, core::StringView path, u32 lookup_flags)
{
    if (path.is_empty()) return Errno::ENOENT;
    core::Ref<Directory> base = path[0] == '/' ? ctx.root : TRY(base_dir(ctx, dirfd));
    // /proc/<pid>/fd and cwd follow the descriptors and the cwd.
    if (proc_lookup_may_need_refresh(*ctx.root, *base, path)) TRY(proc_refresh(ctx));
    return lookup(ctx.root, base, path, lookup_flags);
}

Result<core::Ref<Inode>> inode_at(Context& ctx, int dirfd, core::StringView path, u32 at_flags)
{
    if (path.is_empty()) {
        if (!(at_flags & AT_EMPTY_PATH)) return Errno::ENOENT;
        if (dirfd == AT_FDCWD) return core::Ref<Inode>(ctx.cwd);
        auto file = TRY(ctx.fds.get_raw(dirfd));
        return file->inode_ref();
    }
    u32 flags = (at_flags & AT_SYMLINK_NOFOLLOW) ? LOOKUP_NOFOLLOW : LOOKUP_FOLLOW;
    auto r = TRY(lookup_at(ctx, dirfd, path, flags));
    return r.inode;
}

Result<core::Ref<OpenFile>> open_file(Context& ctx, int dirfd, core::StringView path, u32 flags, u32 mode)
{
    flags &= VALID_OPEN_FLAGS; // open() ignores unknown bits
    if ((flags & O_TMPFILE) == O_TMPFILE) return Errno::EOPNOTSUPP;
    if (flags & O_PATH) flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
    if ((flags & O_CREAT) && (flags & O_DIRECTORY)) return Errno::EINVAL; // Linux >= 6.4
    u32 acc = flags & O_ACCMODE;

    u32 lflags = 0;
    if (flags & O_CREAT) lflags |= LOOKUP_ALLOW_MISSING;
    if ((flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL))) lflags |= LOOKUP_NOFOLLOW;
    if (flags & O_DIRECTORY) lflags |= LOOKUP_DIRECTORY;
    auto r = TRY(lookup_at(ctx, dirfd, path, lflags));

    core::Ref<Inode> inode = r.inode;
    bool created = false;
    if (!inode) {
        if (r.trailing_slash) return Errno::EISDIR;
        if (!r.parent->allows_create()) return r.parent->create_error();
        auto file = TRY(RamFile::create(mode & ~ctx.umask & S_IALLUGO));
        TRY(r.parent->add(r.name.view(), file));
        inode = file;
        created = true;
    } else {
        if ((flags & O_CREAT) && (flags & O_EXCL)) return Errno::EEXIST;
        if ((flags & O_CREAT) && inode->is_directory()) return Errno::EISDIR;
        if (!(flags & O_PATH)) {
            if (inode->is_symlink()) return Errno::ELOOP; // O_NOFOLLOW met a symlink
            if (inode->is_directory() && (acc != O_RDONLY || (flags & O_TRUNC))) return Errno::EISDIR;
            // /proc and /sys: a file without write bits cannot be opened for
            // writing, not even by root (as proc_sys_permission does).
            if ((acc != O_RDONLY || (flags & O_TRUNC)) && !r.parent->allows_create()
                && !inode->is_directory() && !(inode->permissions() & 0222))
                return Errno::EACCES;
        }
    }
    if (!(flags & O_PATH)) TRY(inode->on_open());
    auto file = TRY(OpenFile::create(inode, flags));
    if ((flags & O_TRUNC) && !created && !(flags & O_PATH) && inode->is_regular())
        TRY(inode->truncate(0));
    return file;
}

Result<int> open_at(Context& ctx, int dirfd, core::StringView path, u32 flags, u32 mode)
{
    auto file = TRY(open_file(ctx, dirfd, path, flags, mode));
    bool is_dir = file->inode().is_directory();
    int fd = TRY(ctx.fds.install(std::move(file), flags & O_CLOEXEC));
    // Listing /proc/self/fd shows the listing's own descriptor, as on Linux.
    if (is_dir && !path.is_empty()) {
        auto base = base_dir(ctx, path[0] == '/' ? AT_FDCWD : dirfd);
        if (!base.is_error() && proc_lookup_may_need_refresh(*ctx.root, *base.value(), path))
            (void)proc_refresh(ctx);
    }
    return fd;
}

ErrorOr check_executable(Inode& inode)
{
    if (!inode.is_regular()) return Errno::EACCES;
    if (!(inode.permissions() & 0111)) return Errno::EACCES;
    return {};
}

ErrorOr check_access_args(int mode, u32 at_flags)
{
    if (mode & ~(ACCESS_R | ACCESS_W | ACCESS_X)) return Errno::EINVAL;
    if (at_flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno::EINVAL;
    return {};
}

ErrorOr access_at(Context& ctx, int dirfd, core::StringView path, int mode, u32 at_flags)
{
    TRY(check_access_args(mode, at_flags));
    auto inode = TRY(inode_at(ctx, dirfd, path, at_flags));
    // Root may read and write anything; executing needs some x bit (a
    // directory can always be searched).
    if ((mode & ACCESS_X) && !inode->is_directory() && !(inode->permissions() & 0111))
        return Errno::EACCES;
    return {};
}

Result<core::String> readlink_at(Context& ctx, int dirfd, core::StringView path)
{
    auto inode = TRY(inode_at(ctx, dirfd, path, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
    Symlink* link = inode->as_symlink();
    if (!link) return path.is_empty() ? Errno::ENOENT : Errno::EINVAL;
    return core::String::from(link->target());
}

ErrorOr chdir(Context& ctx, core::StringView path)
{
    auto inode = TRY(inode_at(ctx, AT_FDCWD, path, 0));
    Directory* dir = inode->as_directory();
    if (!dir) return Errno::ENOTDIR;
    ctx.cwd = core::Ref<Directory>(dir);
    return {};
}

ErrorOr fchdir(Context& ctx, int fd)
{
    auto file = TRY(ctx.fds.get_raw(fd));
    Directory* dir = file->inode().as_directory();
    if (!dir) return Errno::ENOTDIR;
    ctx.cwd = core::Ref<Directory>(dir);
    return {};
}

Result<core::String> getcwd(Context& ctx) { return path_of(ctx.root, *ctx.cwd); }

} // namespace fs
