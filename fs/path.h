#pragma once
// Path resolution as Linux does it: absolute or relative to a base directory,
// "." and ".." (".." of the root is the root), repeated slashes, a trailing
// slash demanding a directory, symlinks followed up to MAX_SYMLINKS in one
// lookup, ENOENT / ENOTDIR / ENAMETOOLONG / ELOOP. We run as root, so directory
// search permission is never refused.
#include "fs/errno_guard.h"
#include "core/ref.h"
#include "core/string.h"
#include "fs/ramfs.h"

namespace fs {

enum LookupFlags : u32 {
    LOOKUP_FOLLOW = 0,
    // Do not follow a symlink in the last component (lstat, O_NOFOLLOW). A
    // trailing slash still follows it, as on Linux.
    LOOKUP_NOFOLLOW = 1,
    // A missing last component is not an error: the result names the directory
    // it would be created in (O_CREAT).
    LOOKUP_ALLOW_MISSING = 2,
    // The last component must be a directory (O_DIRECTORY), as with a trailing slash.
    LOOKUP_DIRECTORY = 4,
};

struct LookupResult {
    core::Ref<Directory> parent; // the directory holding the last component
    core::Ref<Inode> inode;      // null when missing (LOOKUP_ALLOW_MISSING only)
    core::String name;           // the last component; empty when the path is "/"
    bool trailing_slash { false };
};

// `root` is where "/" and ".." stop; `base` is where a relative path starts.
Result<LookupResult> lookup(const core::Ref<Directory>& root, const core::Ref<Directory>& base,
    core::StringView path, u32 flags);

// The inode a path names (it must exist).
Result<core::Ref<Inode>> resolve(const core::Ref<Directory>& root, const core::Ref<Directory>& base,
    core::StringView path, u32 flags = LOOKUP_FOLLOW);

// The absolute path of a directory (getcwd); ENOENT when it has been removed.
Result<core::String> path_of(const core::Ref<Directory>& root, Directory& dir);

} // namespace fs
