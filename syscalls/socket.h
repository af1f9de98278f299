#pragma once
// What the socket calls (syscalls/socket.cpp) and the message calls
// (syscalls/socket_msg.cpp) share.
#include "core/ref.h"
#include "fs/open_file.h"
#include "net/socket.h"
#include "syscalls/syscall.h"

namespace sys {

struct SocketFile {
    core::Ref<fs::OpenFile> file;
    net::Socket* socket;
    bool nonblocking() const { return file->flags() & fs::O_NONBLOCK; }
};

// ENOTSOCK for a descriptor that is not a socket.
Result<SocketFile> socket_of(int fd);
// A sockaddr from the program: EINVAL past 128 bytes (sizeof(sockaddr_storage)).
Result<net::SockAddr> read_address(u64 addr, u64 len);
// sendto's and sendmsg's destination: null for a null address (the
// connected peer), else the address read into `storage`.
Result<const net::SockAddr*> read_destination(u64 addr, u64 len, net::SockAddr& storage);
// Writes an address to (addr, *lenp): as much as fits, and its full length.
ErrorOr write_address(const net::SockAddr& a, u64 addr, u64 lenp);

// recvfrom/recvmsg report the sender of a datagram, and AF_UNIX's of stream
// bytes too (unix_copy_addr); a TCP stream reports none.
inline bool reports_sender(const net::Socket& s) { return s.type() != net::SOCK_STREAM || s.family() == net::AF_UNIX; }

} // namespace sys
