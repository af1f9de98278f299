#pragma once
// AF_UNIX sockets: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, in the kernel
// alone (no lwIP). Names are filesystem paths (bind makes an S_IFSOCK file),
// abstract names (sun_path[0] == 0) or autobound ones; messages carry
// descriptors (SCM_RIGHTS) and credentials (SCM_CREDENTIALS). Linux's
// net/unix/af_unix.c is the model, errnos and address lengths included.
#include "net/socket.h"

namespace net {

// socket(AF_UNIX, type, protocol): EPROTONOSUPPORT for a protocol other than
// 0, ESOCKTNOSUPPORT for another type.
Result<core::Ref<Socket>> make_unix_socket(int type, int protocol);

// socketpair(AF_UNIX, type, protocol): two sockets connected to each other.
struct SocketPair {
    core::Ref<Socket> first, second;
};
Result<SocketPair> make_unix_pair(int type, int protocol);

} // namespace net
