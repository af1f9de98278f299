#include "fs/path.h"

namespace fs {

namespace {

size_t skip_slashes(core::StringView s, size_t at)
{
    while (at < s.length() && s[at] == '/') at++;
    return at;
}

// `a` followed by `b`, as an owned string (a symlink's target and the rest of the path).
Result<core::String> concat(core::StringView a, core::StringView b)
{
    size_t len = a.length() + b.length();
    if (len >= MAX_PATH_BYTES) return Errno::ENAMETOOLONG;
    // On the heap: kernel stacks are too small for a PATH_MAX buffer.
    char* buf = new (std::nothrow) char[len];
    if (!buf) return Errno::ENOMEM;
    memcpy(buf, a.chars(), a.length());
    memcpy(buf + a.length(), b.chars(), b.length());
    auto s = core::String::from({ buf, len });
    delete[] buf;
    return s;
}

} // namespace

Result<LookupResult> lookup(const core::Ref<Directory>& root, const core::Ref<Directory>& base,
    core::StringView path, u32 flags)
{
    if (path.is_empty()) return Errno::ENOENT;
    if (path.length() >= MAX_PATH_BYTES) return Errno::ENAMETOOLONG;

    core::String expanded; // the path after symlink substitution, once there was one
    core::StringView rest = path;
    core::Ref<Directory> dir = path[0] == '/' ? root : base;
    int links = 0;

    size_t at = 0;
    for (;;) {
        at = skip_slashes(rest, at);
        if (at == rest.length()) {
            // Nothing but slashes: the path names the directory we are in ("/").
            LookupResult r;
            r.parent = core::Ref<Directory>(dir->parent());
            r.inode = dir;
            r.trailing_slash = true;
            return r;
        }
        size_t end = rest.find('/', at);
        if (end == SIZE_MAX) end = rest.length();
        core::StringView name = rest.substr(at, end - at);
        size_t next = skip_slashes(rest, end);
        bool is_last = next == rest.length();
        bool trailing = is_last && end != rest.length();
        if (name.length() > MAX_NAME_BYTES) return Errno::ENAMETOOLONG;

        core::Ref<Inode> child;
        if (name == ".")
            child = dir;
        else if (name == "..")
            child = dir.ptr() == root.ptr() ? root : core::Ref<Directory>(dir->parent());
        else
            child = dir->lookup(name);

        if (!child) {
            if (!is_last || !(flags & LOOKUP_ALLOW_MISSING)) return Errno::ENOENT;
            LookupResult r;
            r.parent = dir;
            r.name = TRY(core::String::from(name));
            r.trailing_slash = trailing;
            return r;
        }

        if (child->is_symlink() && (!is_last || trailing || !(flags & LOOKUP_NOFOLLOW))) {
            if (++links > MAX_SYMLINKS) return Errno::ELOOP;
            core::StringView target = child->as_symlink()->target();
            // The rest keeps its leading slash, so a trailing slash survives.
            core::String joined = TRY(concat(target, rest.substr(end)));
            expanded = std::move(joined);
            rest = expanded.view();
            at = 0;
            if (rest[0] == '/') dir = root;
            continue;
        }

        if (is_last) {
            if ((trailing || (flags & LOOKUP_DIRECTORY)) && !child->is_directory()) return Errno::ENOTDIR;
            LookupResult r;
            r.parent = dir;
            r.inode = child;
            r.name = TRY(core::String::from(name));
            r.trailing_slash = trailing;
            return r;
        }
        if (!child->is_directory()) return Errno::ENOTDIR;
        dir = core::Ref<Directory>(child->as_directory());
        at = end;
    }
}

Result<core::Ref<Inode>> resolve(const core::Ref<Directory>& root, const core::Ref<Directory>& base,
    core::StringView path, u32 flags)
{
    auto r = TRY(lookup(root, base, path, flags & ~u32(LOOKUP_ALLOW_MISSING)));
    return r.inode;
}

Result<core::String> path_of(const core::Ref<Directory>& root, Directory& dir)
{
    // First the length, then the names, filled in backwards, one per step up.
    size_t len = 0;
    for (Directory* d = &dir; d != root.ptr(); d = d->parent()) {
        core::StringView name = d->name_in_parent();
        if (name.is_empty()) return Errno::ENOENT; // removed, or outside the root
        len += name.length() + 1;
    }
    if (len == 0) return core::String::from("/");
    char* buf = new (std::nothrow) char[len];
    if (!buf) return Errno::ENOMEM;
    size_t at = len;
    for (Directory* d = &dir; d != root.ptr(); d = d->parent()) {
        core::StringView name = d->name_in_parent();
        at -= name.length();
        memcpy(buf + at, name.chars(), name.length());
        buf[--at] = '/';
    }
    auto s = core::String::from({ buf, len });
    delete[] buf;
    return s;
}

} // namespace fs
