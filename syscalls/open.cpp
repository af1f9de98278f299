// open, openat, creat, access, faccessat, faccessat2.
#include "fs/errno_guard.h"
#include "fs/ops.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/syscall.h"

namespace sys {

namespace {
Ret do_open(int dirfd, u64 path_addr, u32 flags, u32 mode)
{
    auto path = TRY(fs::copy_path_from_user(path_addr));
    if ((flags & fs::O_TMPFILE) == fs::O_TMPFILE) {
        auto file = TRY(fs::open_tmpfile(fs::current(), dirfd, path.view(), flags, mode));
        return i64(TRY(fs::current_fds().install(std::move(file), flags & fs::O_CLOEXEC)));
    }
    return i64(TRY(fs::open_at(fs::current(), dirfd, path.view(), flags, mode)));
}

Ret do_access(int dirfd, u64 path_addr, u64 mode, u64 flags)
{
    // Both are C ints; they are checked before the path is read, as Linux does.
    int m = static_cast<int>(mode);
    u32 f = static_cast<u32>(flags);
    TRY(fs::check_access_args(m, f));
    auto path = TRY(fs::copy_path_from_user(path_addr));
    TRY(fs::access_at(fs::current(), dirfd, path.view(), m, f));
    return i64(0);
}
} // namespace

Ret sys_open(const Args& a) { return do_open(fs::AT_FDCWD, a[0], static_cast<u32>(a[1]), static_cast<u32>(a[2])); }
Ret sys_creat(const Args& a)
{
    return do_open(fs::AT_FDCWD, a[0], fs::O_CREAT | fs::O_WRONLY | fs::O_TRUNC, static_cast<u32>(a[1]));
}
Ret sys_openat(const Args& a) { return do_open(a.fd(0), a[1], static_cast<u32>(a[2]), static_cast<u32>(a[3])); }

Ret sys_access(const Args& a) { return do_access(fs::AT_FDCWD, a[0], a[1], 0); }
Ret sys_faccessat(const Args& a) { return do_access(a.fd(0), a[1], a[2], 0); }
Ret sys_faccessat2(const Args& a) { return do_access(a.fd(0), a[1], a[2], a[3]); }

} // namespace sys
