// read, write, readv, writev, pread64, pwrite64, lseek. A read or write that
// would block on a pipe or eventfd waits (syscalls/blocking.h).
#include "fs/errno_guard.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/blocking.h"
#include "syscalls/syscall.h"
#include "mm/address_space.h"

namespace sys {

namespace {
Result<core::Ref<fs::OpenFile>> file(int fd) { return fs::current_fds().get(fd); }

// Linux caps one transfer at MAX_RW_COUNT and refuses (access_ok) a buffer
// that runs past the top of user space before transferring anything; a buffer
// inside user space that is only partly mapped transfers what comes first.
constexpr u64 MAX_RW_COUNT = 0x7ffff000;
Result<size_t> checked_len(u64 addr, u64 len)
{
    if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
    if (addr + len < addr || addr + len > mm::USER_TOP) return Errno::EFAULT;
    return size_t(len);
}
} // namespace

Ret sys_read(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    size_t len = TRY(checked_len(a[1], a[2]));
    fs::UserBuffer buf(a[1], len);
    return i64(TRY(maybe_wait(*f, [&] { return f->read(buf, len); })));
}

Ret sys_write(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    size_t len = TRY(checked_len(a[1], a[2]));
    fs::UserBuffer buf(a[1], len);
    return i64(TRY(maybe_wait_write(*f, buf, len, [&](const fs::IoBuffer& b, size_t n) { return f->write(b, n); })));
}

Ret sys_pread64(const Args& a)
{
    i64 pos = static_cast<i64>(a[3]);
    if (pos < 0) return Errno::EINVAL; // before the descriptor, as Linux
    auto f = TRY(file(a.fd(0)));
    size_t len = TRY(checked_len(a[1], a[2]));
    fs::UserBuffer buf(a[1], len);
    return i64(TRY(f->pread(buf, len, pos)));
}

Ret sys_pwrite64(const Args& a)
{
    i64 pos = static_cast<i64>(a[3]);
    if (pos < 0) return Errno::EINVAL;
    auto f = TRY(file(a.fd(0)));
    size_t len = TRY(checked_len(a[1], a[2]));
    fs::UserBuffer buf(a[1], len);
    return i64(TRY(f->pwrite(buf, len, pos)));
}

Ret sys_readv(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    if (!f->can_read()) return Errno::EBADF; // checked before the vector, as Linux
    core::Vector<fs::UserSegment> segs;
    size_t total = TRY(fs::copy_iovecs_from_user(a[1], a[2], segs));
    if (segs.is_empty()) return i64(0);
    fs::UserBuffer buf(segs.data(), segs.size());
    return i64(TRY(maybe_wait(*f, [&] { return f->read(buf, total); })));
}

Ret sys_writev(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    if (!f->can_write()) return Errno::EBADF;
    core::Vector<fs::UserSegment> segs;
    size_t total = TRY(fs::copy_iovecs_from_user(a[1], a[2], segs));
    if (segs.is_empty()) return i64(0);
    fs::UserBuffer buf(segs.data(), segs.size());
    return i64(TRY(maybe_wait_write(*f, buf, total, [&](const fs::IoBuffer& b, size_t n) { return f->write(b, n); })));
}

Ret sys_lseek(const Args& a)
{
    auto f = TRY(file(a.fd(0)));
    u32 whence = static_cast<u32>(a[2]);
    if (whence > static_cast<u32>(fs::WHENCE_HOLE)) return Errno::EINVAL;
    return TRY(f->seek(static_cast<i64>(a[1]), static_cast<int>(whence)));
}

} // namespace sys
