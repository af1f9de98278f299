// No #pragma once: included first by every fs/ header, and again is harmless.
//
// With C++20, libstdc++'s <atomic> (used by core/ref.h) pulls in <cerrno>, whose
// E* macros turn core::Errno's enumerators into numbers. Including <atomic> (and
// with it every libstdc++ header that uses the macros) here and then removing
// the macros, before any core header is read, keeps core::Errno intact;
// <cerrno>'s include guard stops them coming back. (Belongs in core/; see the
// note in docs/filesystem.md.)
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
