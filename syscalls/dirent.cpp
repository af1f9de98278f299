// getdents64.
#include "fs/errno_guard.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/syscall.h"

namespace sys {

Ret sys_getdents64(const Args& a)
{
    auto f = TRY(fs::current_fds().get(a.fd(0)));
    size_t count = static_cast<u32>(a[2]); // unsigned int in Linux
    fs::UserBuffer buf(a[1], count);
    return i64(TRY(f->read_dir(buf, count)));
}

} // namespace sys
