// Extended attributes: the in-memory file system stores none, and says so as
// a Linux file system without xattr support does (EOPNOTSUPP) — after the
// path or descriptor has been checked, so ENOENT/EBADF/EFAULT come first.
#include "fs/errno_guard.h"
#include "fs/abi.h"
#include "fs/vfs.h"
#include "syscalls/syscall.h"

namespace sys {

namespace {
Ret by_path(u64 path_ptr, bool follow)
{
    auto path = TRY(mm::copy_string_from_user(path_ptr, 4096));
    TRY(fs::inode_at(fs::current(), fs::AT_FDCWD, path.view(), follow ? 0 : fs::AT_SYMLINK_NOFOLLOW));
    return Errno::EOPNOTSUPP;
}
Ret by_fd(int fd)
{
    TRY(fs::current_fds().get_raw(fd));
    return Errno::EOPNOTSUPP;
}
} // namespace

Ret sys_getxattr(const Args& a) { return by_path(a[0], true); }
Ret sys_lgetxattr(const Args& a) { return by_path(a[0], false); }
Ret sys_fgetxattr(const Args& a) { return by_fd(a.fd(0)); }
Ret sys_listxattr(const Args& a) { return by_path(a[0], true); }
Ret sys_llistxattr(const Args& a) { return by_path(a[0], false); }
Ret sys_flistxattr(const Args& a) { return by_fd(a.fd(0)); }
Ret sys_setxattr(const Args& a) { return by_path(a[0], true); }
Ret sys_lsetxattr(const Args& a) { return by_path(a[0], false); }
Ret sys_fsetxattr(const Args& a) { return by_fd(a.fd(0)); }
Ret sys_removexattr(const Args& a) { return by_path(a[0], true); }
Ret sys_lremovexattr(const Args& a) { return by_path(a[0], false); }
Ret sys_fremovexattr(const Args& a) { return by_fd(a.fd(0)); }

} // namespace sys
