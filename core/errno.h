#pragma once
// Linux's errno numbers (asm-generic/errno-base.h + errno.h), x86-64.
#if 1 // both builds: libstdc++'s <atomic> includes <cerrno> even with -ffreestanding
// On the host (unit tests, the tool) libstdc++ headers pull in <cerrno>, whose
// E* macros would turn the enumerators below into numbers. Include it now and
// drop the macros; its include guard stops them coming back. Host code that
// needs the C library's values uses core::Errno or the numbers from errno itself.
#include <atomic>
#include <cerrno>
#undef EPERM
#undef ENOENT
#undef ESRCH
#undef EINTR
#undef EIO
#undef ENXIO
#undef E2BIG
#undef ENOEXEC
#undef EBADF
#undef ECHILD
#undef EAGAIN
#undef ENOMEM
#undef EACCES
#undef EFAULT
#undef ENOTBLK
#undef EBUSY
#undef EEXIST
#undef EXDEV
#undef ENODEV
#undef ENOTDIR
#undef EISDIR
#undef EINVAL
#undef ENFILE
#undef EMFILE
#undef ENOTTY
#undef ETXTBSY
#undef EFBIG
#undef ENOSPC
#undef ESPIPE
#undef EROFS
#undef EMLINK
#undef EPIPE
#undef EDOM
#undef ERANGE
#undef EDEADLK
#undef ENAMETOOLONG
#undef ENOLCK
#undef ENOSYS
#undef ENOTEMPTY
#undef ELOOP
#undef ENOMSG
#undef EIDRM
#undef ENODATA
#undef ETIME
#undef EOVERFLOW
#undef EBADFD
#undef EILSEQ
#undef ENOTSOCK
#undef EDESTADDRREQ
#undef EMSGSIZE
#undef EPROTOTYPE
#undef ENOPROTOOPT
#undef EPROTONOSUPPORT
#undef ESOCKTNOSUPPORT
#undef EOPNOTSUPP
#undef EAFNOSUPPORT
#undef EADDRINUSE
#undef EADDRNOTAVAIL
#undef ENETDOWN
#undef ENETUNREACH
#undef ECONNABORTED
#undef ECONNRESET
#undef ENOBUFS
#undef EISCONN
#undef ENOTCONN
#undef ETIMEDOUT
#undef ECONNREFUSED
#undef EHOSTUNREACH
#undef EALREADY
#undef EINPROGRESS
#undef ECANCELED
#endif
namespace core {
enum class Errno : int {
    EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
    EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, ENOTBLK = 15,
    EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
    ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29,
    EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33, ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36,
    ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42, EIDRM = 43, ENODATA = 61,
    ETIME = 62, EOVERFLOW = 75, EBADFD = 77, EILSEQ = 84, ENOTSOCK = 88, EDESTADDRREQ = 89,
    EMSGSIZE = 90, EPROTOTYPE = 91, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, ESOCKTNOSUPPORT = 94, EOPNOTSUPP = 95,
    EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101,
    ECONNABORTED = 103, ECONNRESET = 104, ENOBUFS = 105, EISCONN = 106, ENOTCONN = 107,
    ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTUNREACH = 113, EALREADY = 114, EINPROGRESS = 115,
    ECANCELED = 125,
    // Kernel-internal (never seen by a program): a syscall interrupted by a
    // signal. The dispatcher turns them into a restart or EINTR as Linux does
    // (core/signal_frame.cpp): ERESTARTSYS restarts if the handler has
    // SA_RESTART, ERESTARTNOINTR always, ERESTARTNOHAND and
    // ERESTART_RESTARTBLOCK only when no handler runs.
    ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516,
};

constexpr const char* errno_name(Errno e)
{
    switch (e) {
#define E(x) case Errno::x: return #x;
        E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF)
        E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV)
        E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY)
        E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK)
        E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG) E(EIDRM) E(ENODATA)
        E(ETIME) E(EOVERFLOW) E(EBADFD) E(EILSEQ) E(ENOTSOCK) E(EDESTADDRREQ) E(EMSGSIZE)
        E(EPROTOTYPE) E(ENOPROTOOPT) E(EPROTONOSUPPORT) E(ESOCKTNOSUPPORT) E(EOPNOTSUPP) E(EAFNOSUPPORT)
        E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETDOWN) E(ENETUNREACH) E(ECONNABORTED) E(ECONNRESET)
        E(ENOBUFS) E(EISCONN) E(ENOTCONN) E(ETIMEDOUT) E(ECONNREFUSED) E(EHOSTUNREACH)
        E(EALREADY) E(EINPROGRESS) E(ECANCELED) E(ERESTARTSYS) E(ERESTARTNOINTR) E(ERESTARTNOHAND)
        E(ERESTART_RESTARTBLOCK)
#undef E
    }
    return "E?";
}
} // namespace core
