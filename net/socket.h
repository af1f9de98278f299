#pragma once
// Sockets: AF_INET and AF_INET6, SOCK_STREAM (TCP) and SOCK_DGRAM (UDP), on
// lwIP's raw API (net/stack.h); AF_NETLINK route sockets (net/netlink.cpp); AF_UNIX in the
// kernel alone (net/unix.h). A socket is an inode (fs::InodeType::Socket)
// so read, write, close, fstat, poll, select and epoll work on it as on any
// descriptor; the socket calls (syscalls/socket.cpp) reach it through
// Socket::from. Errnos are Linux's.
//
// What lwIP hands over in callbacks (segments, datagrams, new connections)
// is kept in lwIP's own heap, since callbacks run in the card's interrupt;
// the Socket object itself is made and freed in thread context only.
#include "core/ref.h"
#include "fs/inode.h"
#include "core/vector.h"
#include "fs/io_buffer.h"
#include "fs/open_file.h"

namespace net {

// Linux's values.
constexpr int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
constexpr int AF_NETLINK = 16;
constexpr int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5;
constexpr u32 SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
constexpr int IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_IPV6 = 41;
constexpr int SOL_SOCKET = 1;
constexpr u32 MSG_OOB = 1, MSG_PEEK = 2, MSG_DONTROUTE = 4, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40,
              MSG_EOR = 0x80, MSG_WAITALL = 0x100, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000,
              MSG_CMSG_CLOEXEC = 0x40000000;
constexpr int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;

// A socket address in Linux's layout (sockaddr_in, sockaddr_in6, sockaddr_un)
// and its length: at most sizeof(sockaddr_storage).
struct SockAddr {
    u8 bytes[128] {};
    u32 len { 0 };
};

// struct ucred (SO_PEERCRED, SCM_CREDENTIALS).
struct Ucred {
    i32 pid;
    u32 uid, gid;
};

// Ancillary data travelling with a message (AF_UNIX): descriptions passed
// with SCM_RIGHTS and the sender's SCM_CREDENTIALS.
struct Ancillary {
    core::Vector<core::Ref<fs::OpenFile>> files;
    bool has_creds { false };
    Ucred creds {};
};

struct SocketOption {
    int level, name;
};

class Socket : public fs::Inode {
public:
    static Result<core::Ref<Socket>> create(int family, int type, int protocol);
    // The socket behind an inode, or nullptr (ENOTSOCK).
    static Socket* from(fs::Inode& inode);
    ~Socket() override;

    int family() const { return m_family; }
    int type() const { return m_type; }
    // listen and accept: SOCK_STREAM and SOCK_SEQPACKET.
    bool is_connection_based() const { return m_type == SOCK_STREAM || m_type == SOCK_SEQPACKET; }

    virtual ErrorOr bind(const SockAddr& a) = 0;
    virtual ErrorOr listen(int backlog) = 0;
    // A new connected socket and its peer's address.
    virtual Result<core::Ref<Socket>> accept(bool nonblocking, SockAddr* peer) = 0;
    virtual ErrorOr connect(const SockAddr& a, bool nonblocking) = 0;
    // `to` may be null (connected). Returns the bytes taken.
    virtual Result<size_t> send(const fs::IoBuffer& buf, size_t n, u32 msg_flags, const SockAddr* to, bool nonblocking) = 0;
    // `from` may be null; *msg_flags_out gets MSG_TRUNC for a datagram cut short.
    virtual Result<size_t> recv(fs::IoBuffer& buf, size_t n, u32 msg_flags, SockAddr* from, bool nonblocking,
                                u32* msg_flags_out) = 0;
    virtual ErrorOr shutdown(int how) = 0;
    virtual Result<SockAddr> local_address() = 0;
    virtual Result<SockAddr> peer_address() = 0;
    // setsockopt/getsockopt on an int option (the common ones are ints).
    ErrorOr set_option(SocketOption o, const u8* value, u32 len);
    Result<u32> get_option(SocketOption o, u8* value, u32 len);
    virtual u32 bytes_readable() = 0; // FIONREAD
    // FIONREAD's answer: bytes_readable, or an errno where Linux refuses (a
    // listening AF_UNIX socket: EINVAL).
    virtual Result<u32> fionread() { return bytes_readable(); }
    // send/recv with ancillary data (sendmsg/recvmsg): the kinds that carry
    // none ignore it (and report none).
    virtual Result<size_t> send_message(const fs::IoBuffer& buf, size_t n, u32 msg_flags, const SockAddr* to,
                                        bool nonblocking, Ancillary&)
    {
        return send(buf, n, msg_flags, to, nonblocking);
    }
    virtual Result<size_t> recv_message(fs::IoBuffer& buf, size_t n, u32 msg_flags, SockAddr* from, bool nonblocking,
                                        u32* msg_flags_out, Ancillary&)
    {
        return recv(buf, n, msg_flags, from, nonblocking, msg_flags_out);
    }
    // SO_PEERCRED: Linux's answer for a socket with no peer credentials.
    virtual Ucred peer_credentials() { return { 0, ~0u, ~0u }; }

    // fs::Inode
    Result<size_t> read(u64, fs::IoBuffer& buf, size_t n, u32 flags) override;
    Result<size_t> write(u64, const fs::IoBuffer& buf, size_t n, u32 flags) override;
    ErrorOr truncate(u64) override { return Errno::EINVAL; }
    bool is_seekable() const override { return false; }
    bool can_fsync() const override { return false; }
    bool has_poll() const override { return true; }

protected:
    Socket(int family, int type) : fs::Inode(fs::InodeType::Socket, 0777), m_family(family), m_type(type) {}
    // Options the protocol handles itself (TCP_NODELAY, SO_KEEPALIVE...):
    // ENOPROTOOPT when not one of its own.
    virtual ErrorOr set_protocol_option(SocketOption o, int value) = 0;
    virtual Result<int> get_protocol_option(SocketOption o) = 0;
    // The pending error, cleared (SO_ERROR).
    virtual int take_error() = 0;
    // Sleeps until ready() (called under the stack's lock) is true; EAGAIN
    // when nonblocking or past the timeout (SO_RCVTIMEO/SO_SNDTIMEO, ns),
    // ERESTARTSYS on a signal.
    template<typename Ready>
    ErrorOr wait_until(Ready ready, bool nonblocking, u64 timeout_ns);

    int m_family, m_type;
    bool m_v6only { false };
    bool m_reuseaddr { false }, m_reuseport { false };
    int m_rcvbuf { 256 * 1024 }, m_sndbuf { 256 * 1024 };
    u64 m_rcvtimeo_ns { 0 }, m_sndtimeo_ns { 0 };
    int m_linger_onoff { 0 }, m_linger_secs { 0 };
};

} // namespace net
