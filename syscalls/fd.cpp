// close, dup, dup2, dup3, fcntl, ioctl.
#include "fs/errno_guard.h"
#include "fs/pipe.h"
#include "net/socket.h"
#include "syscalls/interface_ioctl.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "syscalls/syscall.h"

namespace sys {

namespace {

// fcntl commands (include/uapi/asm-generic/fcntl.h, linux/fcntl.h).
constexpr int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5,
              F_SETLK = 6, F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_OFD_GETLK = 36,
              F_OFD_SETLK = 37, F_OFD_SETLKW = 38, F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031,
              F_GETPIPE_SZ = 1032;
constexpr u64 FD_CLOEXEC = 1;
constexpr i16 F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

struct Flock {
    i16 l_type;
    i16 l_whence;
    i64 l_start;
    i64 l_len;
    i32 l_pid;
};
static_assert(sizeof(Flock) == 32);

// ioctl requests.
constexpr u32 TCGETS = 0x5401, TIOCGWINSZ = 0x5413, FIONREAD = 0x541b, FIONBIO = 0x5421,
              FIONCLEX = 0x5450, FIOCLEX = 0x5451;

// The kernel's struct termios (not glibc's larger one).
struct Termios {
    u32 c_iflag, c_oflag, c_cflag, c_lflag;
    u8 c_line;
    u8 c_cc[19];
};
static_assert(sizeof(Termios) == 36);

struct Winsize {
    u16 ws_row, ws_col, ws_xpixel, ws_ypixel;
};

// What a freshly opened Linux serial console reports: ICRNL|IXON, OPOST|ONLCR,
// B38400|CS8|CREAD|HUPCL, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN,
// and the default control characters (^C ^\ DEL ^U ^D, VMIN 1, ^Q ^S ^Z ^R ^O ^W ^V).
constexpr Termios CONSOLE_TERMIOS = {
    02400, 05, 02277, 0105073, 0,
    { 3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0, 0, 0 },
};

// Locks: a single process never conflicts with itself, so a lock is always
// granted and F_GETLK always finds the range free (l_type F_UNLCK, the rest
// as given). The arguments are checked as Linux's fcntl_getlk/fcntl_setlk do.
Ret file_lock(fs::OpenFile& f, int cmd, u64 arg)
{
    Flock fl;
    TRY(mm::copy_from_user(&fl, arg, sizeof fl));
    bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
    bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
    if (get && fl.l_type != F_RDLCK && fl.l_type != F_WRLCK) return Errno::EINVAL;
    if (ofd && fl.l_pid != 0) return Errno::EINVAL;
    // flock64_to_posix_lock: the range.
    i64 base;
    switch (fl.l_whence) {
    case 0: base = 0; break;
    case 1: base = static_cast<i64>(f.offset()); break;
    case 2: base = static_cast<i64>(f.inode().size()); break;
    default: return Errno::EINVAL;
    }
    i64 start;
    if (__builtin_add_overflow(base, fl.l_start, &start)) return Errno::EOVERFLOW;
    if (start < 0) return Errno::EINVAL;
    if (fl.l_len > 0) {
        if (fl.l_len - 1 > INT64_MAX - start) return Errno::EOVERFLOW;
    } else if (fl.l_len < 0) {
        if (start + fl.l_len < 0) return Errno::EINVAL;
    }
    if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK) return Errno::EINVAL;
    if (get) {
        fl.l_type = F_UNLCK;
        TRY(mm::copy_to_user(arg, &fl, sizeof fl));
        return i64(0);
    }
    if (fl.l_type == F_RDLCK && !f.can_read()) return Errno::EBADF;
    if (fl.l_type == F_WRLCK && !f.can_write()) return Errno::EBADF;
    return i64(0);
}

// Not every FIFO is a pipe: a standard stream redirected on the host is one too.
fs::Pipe* as_pipe(fs::OpenFile& f) { return fs::stream_cast<fs::Pipe>(f.inode()); }

} // namespace

Ret sys_close(const Args& a)
{
    TRY(fs::current_fds().close(a.fd(0)));
    return i64(0);
}

Ret sys_dup(const Args& a) { return i64(TRY(fs::current_fds().dup(a.fd(0)))); }

// The descriptors are unsigned ints in Linux: anything past INT_MAX is EBADF.
static int fd_arg(u64 v) { return static_cast<u32>(v) > 0x7fffffffu ? -1 : static_cast<int>(v); }

Ret sys_dup2(const Args& a) { return i64(TRY(fs::current_fds().dup2(fd_arg(a[0]), fd_arg(a[1])))); }

Ret sys_dup3(const Args& a)
{
    return i64(TRY(fs::current_fds().dup3(fd_arg(a[0]), fd_arg(a[1]), static_cast<u32>(a[2]))));
}

Ret sys_fcntl(const Args& a)
{
    auto& fds = fs::current_fds();
    int fd = a.fd(0);
    int cmd = static_cast<int>(a[1]);
    u64 arg = a[2];
    auto f = TRY(fds.get_raw(fd));
    // An O_PATH descriptor allows only these (Linux's check_fcntl_cmd).
    if (f->is_path_only() && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD
        && cmd != F_SETFD && cmd != F_GETFL)
        return Errno::EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        return i64(TRY(fds.dup_from(fd, arg, cmd == F_DUPFD_CLOEXEC)));
    case F_GETFD:
        return i64(TRY(fds.cloexec(fd)) ? FD_CLOEXEC : 0);
    case F_SETFD:
        TRY(fds.set_cloexec(fd, arg & FD_CLOEXEC));
        return i64(0);
    case F_GETFL:
        return i64(f->flags());
    case F_SETFL:
        f->set_status_flags(static_cast<u32>(arg));
        return i64(0);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return file_lock(*f, cmd, arg);
    case F_SETOWN:
        f->set_owner(static_cast<i32>(arg));
        return i64(0);
    case F_GETOWN:
        return i64(f->owner());
    case F_GETPIPE_SZ:
        if (auto* p = as_pipe(*f)) return i64(p->capacity());
        return Errno::EBADF; // not a pipe
    case F_SETPIPE_SZ:
        if (auto* p = as_pipe(*f)) return i64(TRY(p->set_capacity(static_cast<u32>(arg))));
        return Errno::EBADF;
    }
    return Errno::EINVAL;
}

Ret sys_ioctl(const Args& a)
{
    auto& fds = fs::current_fds();
    int fd = a.fd(0);
    auto f = TRY(fds.get(fd));
    u32 request = static_cast<u32>(a[1]);
    u64 arg = a[2];
    fs::Inode& inode = f->inode();
    // The requests every file answers (do_vfs_ioctl).
    switch (request) {
    case FIOCLEX:
        TRY(fds.set_cloexec(fd, true));
        return i64(0);
    case FIONCLEX:
        TRY(fds.set_cloexec(fd, false));
        return i64(0);
    case FIONBIO: {
        int on;
        TRY(mm::copy_from_user(&on, arg, sizeof on));
        u32 flags = f->flags();
        f->set_status_flags(on ? flags | fs::O_NONBLOCK : flags & ~fs::O_NONBLOCK);
        return i64(0);
    }
    case FIONREAD:
        if (inode.is_regular()) {
            u64 size = inode.size();
            int avail = static_cast<int>(size > f->offset() ? size - f->offset() : 0);
            TRY(mm::copy_to_user(arg, &avail, sizeof avail));
            return i64(0);
        }
        if (auto* p = as_pipe(*f)) {
            int avail = static_cast<int>(p->available());
            TRY(mm::copy_to_user(arg, &avail, sizeof avail));
            return i64(0);
        }
        if (auto* s = net::Socket::from(inode)) {
            int avail = static_cast<int>(TRY(s->fionread()));
            TRY(mm::copy_to_user(arg, &avail, sizeof avail));
            return i64(0);
        }
        break;
    }
    if (auto* s = net::Socket::from(inode)) return interface_ioctl(*s, request, arg);
    if (!inode.is_tty()) return Errno::ENOTTY;
    switch (request) {
    case TCGETS:
        TRY(mm::copy_to_user(arg, &CONSOLE_TERMIOS, sizeof CONSOLE_TERMIOS));
        return i64(0);
    case TIOCGWINSZ: {
        Winsize ws { 24, 80, 0, 0 };
        TRY(mm::copy_to_user(arg, &ws, sizeof ws));
        return i64(0);
    }
    }
    return Errno::ENOTTY;
}

} // namespace sys
