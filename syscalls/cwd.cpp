// getcwd, chdir, fchdir.
#include "fs/errno_guard.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/syscall.h"

namespace sys {

Ret sys_getcwd(const Args& a)
{
    auto path = TRY(fs::getcwd(fs::current()));
    size_t len = path.length() + 1; // with the NUL, which is what Linux returns
    if (len > a[1]) return Errno::ERANGE;
    TRY(mm::copy_to_user(a[0], path.c_str(), len));
    return i64(len);
}

Ret sys_chdir(const Args& a)
{
    auto path = TRY(fs::copy_path_from_user(a[0]));
    TRY(fs::chdir(fs::current(), path.view()));
    return i64(0);
}

Ret sys_fchdir(const Args& a)
{
    TRY(fs::fchdir(fs::current(), a.fd(0))); // O_PATH descriptors too, as Linux
    return i64(0);
}

} // namespace sys
