// Namespace operations: mkdir, unlink/rmdir, rename, link, symlink (fs/namei.c).
#include "fs/ops.h"

namespace fs {

core::Ref<Inode> ParentLookup::existing() const
{
    if (last != Last::Normal) return {};
    return parent->lookup(name.view());
}

Result<ParentLookup> lookup_parent(Context& ctx, int dirfd, core::StringView path)
{
    if (path.is_empty()) return Errno::ENOENT;
    if (path.length() >= MAX_PATH_BYTES) return Errno::ENAMETOOLONG;
    size_t end = path.length();
    while (end && path[end - 1] == '/') end--;
    ParentLookup r;
    r.trailing_slash = end < path.length();
    if (end == 0) {
        r.parent = ctx.root;
        r.last = ParentLookup::Last::Root;
        return r;
    }
    size_t start = end;
    while (start && path[start - 1] != '/') start--;
    core::StringView last = path.substr(start, end - start);
    if (start == 0) {
        r.parent = TRY(base_dir(ctx, dirfd));
    } else {
        auto dir = TRY(lookup_at(ctx, dirfd, path.substr(0, start), LOOKUP_DIRECTORY));
        r.parent = core::Ref<Directory>(dir.inode->as_directory());
    }
    if (last == ".") {
        r.last = ParentLookup::Last::Dot;
    } else if (last == "..") {
        r.last = ParentLookup::Last::DotDot;
    } else {
        if (last.length() > MAX_NAME_BYTES) return Errno::ENAMETOOLONG;
        r.name = TRY(core::String::from(last));
    }
    return r;
}

namespace {

// The checks of Linux's filename_create: the name must be new, a trailing
// slash is only for mkdir, the directory must still exist and take entries.
ErrorOr check_create(const ParentLookup& p, bool is_mkdir)
{
    if (p.last != ParentLookup::Last::Normal) return Errno::EEXIST;
    if (p.existing()) return Errno::EEXIST;
    if (p.trailing_slash && !is_mkdir) return Errno::ENOENT;
    if (p.parent->is_dead()) return Errno::ENOENT;
    if (!p.parent->allows_create()) return p.parent->create_error();
    return {};
}

} // namespace

ErrorOr mkdir_at(Context& ctx, int dirfd, core::StringView path, u32 mode)
{
    auto p = TRY(lookup_parent(ctx, dirfd, path));
    TRY(check_create(p, true));
    auto dir = TRY(Directory::create(mode & 01777 & ~ctx.umask));
    TRY(p.parent->add(p.name.view(), dir));
    return {};
}

ErrorOr unlink_at(Context& ctx, int dirfd, core::StringView path, u32 flags)
{
    if (flags & ~UNLINK_REMOVEDIR) return Errno::EINVAL;
    auto p = TRY(lookup_parent(ctx, dirfd, path));
    if (flags & UNLINK_REMOVEDIR) {
        // do_rmdir: "." is EINVAL, ".." ENOTEMPTY, "/" EBUSY.
        switch (p.last) {
        case ParentLookup::Last::Dot: return Errno::EINVAL;
        case ParentLookup::Last::DotDot: return Errno::ENOTEMPTY;
        case ParentLookup::Last::Root: return Errno::EBUSY;
        case ParentLookup::Last::Normal: break;
        }
        auto victim = p.existing();
        if (!victim) return Errno::ENOENT;
        Directory* dir = victim->as_directory();
        if (!dir) return Errno::ENOTDIR;
        if (!p.parent->allows_create()) return Errno::EACCES;
        if (dir->entry_count()) return Errno::ENOTEMPTY;
        TRY(p.parent->remove(p.name.view()));
        return {};
    }
    // do_unlinkat: anything but a plain name is EISDIR.
    if (p.last != ParentLookup::Last::Normal) return Errno::EISDIR;
    auto victim = p.existing();
    if (p.trailing_slash) {
        if (!victim) return Errno::ENOENT;
        return victim->is_directory() ? Errno::EISDIR : Errno::ENOTDIR;
    }
    if (!victim) return Errno::ENOENT;
    if (victim->is_directory()) return Errno::EISDIR;
    if (!p.parent->allows_create()) return Errno::EACCES;
    TRY(p.parent->remove(p.name.view()));
    victim->touch_changed();
    return {};
}

ErrorOr rename_at(Context& ctx, int old_dirfd, core::StringView old_path, int new_dirfd,
    core::StringView new_path, u32 flags)
{
    if (flags & ~(RENAME_FLAG_NOREPLACE | RENAME_FLAG_EXCHANGE | RENAME_FLAG_WHITEOUT)) return Errno::EINVAL;
    if ((flags & RENAME_FLAG_NOREPLACE) && (flags & RENAME_FLAG_EXCHANGE)) return Errno::EINVAL;
    // Whiteouts are for overlay filesystems; Elfin has none to make them for.
    if (flags & RENAME_FLAG_WHITEOUT) return Errno::EINVAL;
    bool exchange = flags & RENAME_FLAG_EXCHANGE;

    auto from = TRY(lookup_parent(ctx, old_dirfd, old_path));
    auto to = TRY(lookup_parent(ctx, new_dirfd, new_path));
    if (from.last != ParentLookup::Last::Normal) return Errno::EBUSY;
    if (to.last != ParentLookup::Last::Normal)
        return (flags & RENAME_FLAG_NOREPLACE) ? Errno::EEXIST : Errno::EBUSY;

    auto source = from.existing();
    if (!source) return Errno::ENOENT;
    auto target = to.existing();
    if ((flags & RENAME_FLAG_NOREPLACE) && target) return Errno::EEXIST;
    if (exchange) {
        if (!target) return Errno::ENOENT;
        if (!target->is_directory() && to.trailing_slash) return Errno::ENOTDIR;
    }
    if (!source->is_directory()) {
        if (from.trailing_slash) return Errno::ENOTDIR;
        if (!exchange && to.trailing_slash) return Errno::ENOTDIR;
    }
    // lock_rename's trap: the source may not be an ancestor of the new
    // parent, the target not one of the old parent.
    Directory* source_dir = source->as_directory();
    if (source_dir && from.parent.ptr() != to.parent.ptr() && source_dir->contains(*to.parent))
        return Errno::EINVAL;
    Directory* target_dir = target ? target->as_directory() : nullptr;
    if (target_dir && from.parent.ptr() != to.parent.ptr() && target_dir->contains(*from.parent))
        return exchange ? Errno::EINVAL : Errno::ENOTEMPTY;
    // vfs_rename.
    if (source.ptr() == target.ptr()) return {};
    if (!from.parent->allows_create() || !to.parent->allows_create()) return Errno::EACCES;
    if (to.parent->is_dead() && !target) return Errno::ENOENT;
    if (exchange) return from.parent->exchange_entries(from.name.view(), *to.parent, to.name.view());
    if (target) {
        if (source_dir && !target_dir) return Errno::ENOTDIR;
        if (!source_dir && target_dir) return Errno::EISDIR;
        if (target_dir && target_dir->entry_count()) return Errno::ENOTEMPTY;
    }
    return from.parent->rename_entry(from.name.view(), *to.parent, to.name.view());
}

ErrorOr link_at(Context& ctx, int old_dirfd, core::StringView old_path, int new_dirfd,
    core::StringView new_path, u32 flags)
{
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return Errno::EINVAL;
    u32 at = (flags & AT_EMPTY_PATH) | ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW);
    auto inode = TRY(inode_at(ctx, old_dirfd, old_path, at));
    auto p = TRY(lookup_parent(ctx, new_dirfd, new_path));
    TRY(check_create(p, false));
    // Pipes and eventfds live on their own (pseudo) filesystems.
    if (!inode->is_regular() && !inode->is_symlink() && !inode->is_char_device() && !inode->is_directory())
        return Errno::EXDEV;
    if (inode->is_directory()) return Errno::EPERM;
    if (inode->nlink() == 0) {
        // Only an O_TMPFILE file (without O_EXCL) may get a name back.
        RamFile* file = inode->as_regular();
        if (!file || !file->linkable_when_unnamed()) return Errno::ENOENT;
    }
    TRY(p.parent->add(p.name.view(), inode));
    inode->touch_changed();
    return {};
}

ErrorOr symlink_at(Context& ctx, core::StringView target, int new_dirfd, core::StringView path)
{
    if (target.is_empty()) return Errno::ENOENT;
    auto p = TRY(lookup_parent(ctx, new_dirfd, path));
    TRY(check_create(p, false));
    auto link = TRY(Symlink::create(target));
    TRY(p.parent->add(p.name.view(), link));
    return {};
}

ErrorOr make_node_at(Context& ctx, int dirfd, core::StringView path, core::Ref<Inode> node)
{
    auto p = TRY(lookup_parent(ctx, dirfd, path));
    TRY(check_create(p, false));
    TRY(p.parent->add(p.name.view(), std::move(node)));
    return {};
}

u32 set_umask(Context& ctx, u32 mask)
{
    u32 old = ctx.umask;
    ctx.umask = mask & 0777;
    return old;
}

} // namespace fs
