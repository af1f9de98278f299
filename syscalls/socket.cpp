// socket, socketpair, bind, listen, accept, accept4, connect, sendto,
// recvfrom, shutdown, getsockname, getpeername, setsockopt, getsockopt: the
// decoding of Linux's arguments; the sockets themselves are net/socket.h.
// sendmsg, recvmsg and their batches: syscalls/socket_msg.cpp.
#include "syscalls/socket.h"
#include "syscalls/fd_pair.h"
#include "fs/abi.h"
#include "fs/user_io.h"
#include "fs/vfs.h"
#include "net/unix.h"

namespace sys {

using net::SockAddr;
using net::Socket;

Result<SocketFile> socket_of(int fd)
{
    auto f = TRY(fs::current_fds().get(fd));
    Socket* s = Socket::from(f->inode());
    if (!s) return Errno::ENOTSOCK;
    return SocketFile { std::move(f), s };
}

Result<SockAddr> read_address(u64 addr, u64 len)
{
    if (i64(int(len)) < 0 || len > 128) return Errno::EINVAL;
    SockAddr a;
    a.len = u32(len);
    u32 n = a.len < sizeof a.bytes ? a.len : u32(sizeof a.bytes);
    TRY(mm::copy_from_user(a.bytes, addr, n));
    if (a.len > sizeof a.bytes) a.len = sizeof a.bytes;
    return a;
}

Result<const SockAddr*> read_destination(u64 addr, u64 len, SockAddr& storage)
{
    if (!addr) return nullptr;
    storage = TRY(read_address(addr, len));
    return &storage;
}

ErrorOr write_address(const SockAddr& a, u64 addr, u64 lenp)
{
    if (!addr) return {};
    int len;
    TRY(mm::copy_from_user(&len, lenp, sizeof len));
    if (len < 0) return Errno::EINVAL;
    u32 n = u32(len) < a.len ? u32(len) : a.len;
    TRY(mm::copy_to_user(addr, a.bytes, n));
    int full = int(a.len);
    TRY(mm::copy_to_user(lenp, &full, sizeof full));
    return {};
}

namespace {

// accept's and recvfrom's (addr, *lenp), checked before they wait: EFAULT,
// or EINVAL for a negative length. A null addr asks for no address.
ErrorOr check_address_length(u64 addr, u64 lenp)
{
    if (!addr) return {};
    int len;
    TRY(mm::copy_from_user(&len, lenp, sizeof len));
    if (len < 0) return Errno::EINVAL;
    return {};
}

// socket's and socketpair's type argument: the kind, and SOCK_NONBLOCK and
// SOCK_CLOEXEC apart; EINVAL for other flag bits.
struct SocketType {
    int type;
    u32 flags;
};

Result<SocketType> split_type(u64 arg)
{
    u32 type = u32(arg);
    u32 flags = type & (net::SOCK_NONBLOCK | net::SOCK_CLOEXEC);
    type &= ~flags;
    if (type & ~0xfu) return Errno::EINVAL;
    return SocketType { int(type), flags };
}

Result<core::Ref<fs::OpenFile>> open_socket(core::Ref<Socket> s, u32 flags)
{
    return fs::OpenFile::create_pseudo(s, fs::O_RDWR | (flags & net::SOCK_NONBLOCK ? fs::O_NONBLOCK : 0));
}

Ret install(core::Ref<Socket> s, u32 flags)
{
    auto file = TRY(open_socket(std::move(s), flags));
    return i64(TRY(fs::current_fds().install(std::move(file), flags & net::SOCK_CLOEXEC)));
}

Ret do_accept(const Args& a, u32 flags)
{
    if (flags & ~(net::SOCK_NONBLOCK | net::SOCK_CLOEXEC)) return Errno::EINVAL;
    auto sf = TRY(socket_of(a.fd(0)));
    if (!sf.socket->is_connection_based()) return Errno::EOPNOTSUPP;
    TRY(check_address_length(a[1], a[2]));
    SockAddr peer;
    auto s = TRY(sf.socket->accept(sf.nonblocking(), &peer));
    TRY(write_address(peer, a[1], a[2]));
    return install(std::move(s), flags);
}

Ret do_send(int fd, const fs::IoBuffer& buf, size_t n, u32 flags, u64 addr, u64 addrlen)
{
    auto sf = TRY(socket_of(fd));
    SockAddr storage;
    const SockAddr* to = TRY(read_destination(addr, addrlen, storage));
    return i64(TRY(sf.socket->send(buf, n, flags, to, sf.nonblocking())));
}

} // namespace

Ret sys_socket(const Args& a)
{
    auto t = TRY(split_type(a[1]));
    auto s = TRY(Socket::create(int(a[0]), t.type, int(a[2])));
    return install(std::move(s), t.flags);
}

Ret sys_socketpair(const Args& a)
{
    int family = int(a[0]);
    auto t = TRY(split_type(a[1]));
    if (family != net::AF_UNIX) {
        // Linux makes the socket (its family's errnos), whose kind then has
        // no pairs: sock_no_socketpair.
        (void)TRY(Socket::create(family, t.type, int(a[2])));
        return Errno::EOPNOTSUPP;
    }
    auto pair = TRY(net::make_unix_pair(t.type, int(a[2])));
    auto first = TRY(open_socket(std::move(pair.first), t.flags));
    auto second = TRY(open_socket(std::move(pair.second), t.flags));
    return install_pair(std::move(first), std::move(second), t.flags & net::SOCK_CLOEXEC, a[3]);
}

Ret sys_bind(const Args& a)
{
    auto sf = TRY(socket_of(a.fd(0)));
    auto addr = TRY(read_address(a[1], a[2]));
    TRY(sf.socket->bind(addr));
    return i64(0);
}

Ret sys_listen(const Args& a)
{
    auto sf = TRY(socket_of(a.fd(0)));
    if (!sf.socket->is_connection_based()) return Errno::EOPNOTSUPP;
    int backlog = int(a[1]);
    TRY(sf.socket->listen(backlog < 0 ? 4096 : backlog > 4096 ? 4096 : backlog));
    return i64(0);
}

Ret sys_accept(const Args& a) { return do_accept(a, 0); }
Ret sys_accept4(const Args& a) { return do_accept(a, u32(a[3])); }

Ret sys_connect(const Args& a)
{
    auto sf = TRY(socket_of(a.fd(0)));
    auto addr = TRY(read_address(a[1], a[2]));
    TRY(sf.socket->connect(addr, sf.nonblocking()));
    return i64(0);
}

Ret sys_sendto(const Args& a)
{
    fs::UserBuffer buf(a[1], a[2]);
    return do_send(a.fd(0), buf, a[2], u32(a[3]), a[4], a[5]);
}

Ret sys_recvfrom(const Args& a)
{
    auto sf = TRY(socket_of(a.fd(0)));
    TRY(check_address_length(a[4], a[5]));
    fs::UserBuffer buf(a[1], a[2]);
    SockAddr from;
    size_t n = TRY(sf.socket->recv(buf, a[2], u32(a[3]), &from, sf.nonblocking(), nullptr));
    // A TCP stream has no sender to report: Linux leaves the address alone.
    if (a[4] && reports_sender(*sf.socket)) TRY(write_address(from, a[4], a[5]));
    return i64(n);
}

Ret sys_shutdown(const Args& a)
{
    auto sf = TRY(socket_of(a.fd(0)));
    TRY(sf.socket->shutdown(int(a[1])));
    return i64(0);
}

namespace {
// getsockname and getpeername: the socket's own or its peer's address.
Ret socket_name(const Args& a, bool peer)
{
    auto sf = TRY(socket_of(a.fd(0)));
    auto addr = TRY(peer ? sf.socket->peer_address() : sf.socket->local_address());
    if (!a[1]) return Errno::EFAULT;
    TRY(write_address(addr, a[1], a[2]));
    return i64(0);
}
} // namespace

Ret sys_getsockname(const Args& a) { return socket_name(a, false); }
Ret sys_getpeername(const Args& a) { return socket_name(a, true); }

Ret sys_setsockopt(const Args& a)
{
    auto sf = TRY(socket_of(a.fd(0)));
    u32 len = u32(a[4]);
    if (i32(len) < 0) return Errno::EINVAL;
    u8 value[16] {};
    u32 n = len < sizeof value ? len : u32(sizeof value);
    if (n) TRY(mm::copy_from_user(value, a[3], n));
    TRY(sf.socket->set_option({ int(a[1]), int(a[2]) }, value, len));
    return i64(0);
}

Ret sys_getsockopt(const Args& a)
{
    auto sf = TRY(socket_of(a.fd(0)));
    int len;
    TRY(mm::copy_from_user(&len, a[4], sizeof len));
    if (len < 0) return Errno::EINVAL;
    u8 value[16] {};
    u32 n = TRY(sf.socket->get_option({ int(a[1]), int(a[2]) }, value, u32(len) < sizeof value ? u32(len) : u32(sizeof value)));
    TRY(mm::copy_to_user(a[3], value, n));
    int out = int(n);
    TRY(mm::copy_to_user(a[4], &out, sizeof out));
    return i64(0);
}

} // namespace sys
