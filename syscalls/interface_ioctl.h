#pragma once
// The SIOCGIF* ioctls any socket answers (net/interfaces.h describes the
// interfaces): syscalls/fd.cpp's ioctl hands a socket's request here.
#include "net/socket.h"
#include "syscalls/syscall.h"

namespace sys {

// ENOTTY for a request that is not one of them.
Ret interface_ioctl(net::Socket& s, u32 request, u64 arg);

} // namespace sys
