#include "net/socket_internal.h"
#include "core/string.h"
#include "net/unix.h"

namespace net {

namespace {
constexpr int SO_DEBUG = 1, SO_REUSEADDR = 2, SO_TYPE = 3, SO_ERROR = 4, SO_DONTROUTE = 5, SO_BROADCAST = 6,
              SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_LINGER = 13, SO_REUSEPORT = 15,
              SO_PASSCRED = 16, SO_PEERCRED = 17,
              SO_RCVTIMEO = 20, SO_SNDTIMEO = 21, SO_ACCEPTCONN = 30, SO_PROTOCOL = 38, SO_DOMAIN = 39;
constexpr int IPV6_V6ONLY = 26;

u16 be16(const u8* p) { return u16(p[0] << 8 | p[1]); }
void put_be16(u8* p, u16 v) { p[0] = u8(v >> 8), p[1] = u8(v); }

int buffer_size(int requested, int minimum)
{
    constexpr u32 MAX = 212992;
    u32 v = u32(requested) < MAX ? u32(requested) : MAX;
    return int(v * 2) > minimum ? int(v * 2) : minimum;
}

struct Timeval {
    i64 sec, usec;
};
} // namespace

Result<ip_addr_t> parse_address(const SockAddr& a, int family, u16* port)
{
    if (a.len < 2) return Errno::EINVAL;
    u16 fam = u16(a.bytes[0] | a.bytes[1] << 8);
    ip_addr_t ip;
    if (family == AF_INET) {
        if (a.len < 16) return Errno::EINVAL;
        if (fam != AF_INET) return Errno::EAFNOSUPPORT;
        u32 addr;
        memcpy(&addr, a.bytes + 4, 4);
        ip_addr_set_ip4_u32_val(ip, addr);
    } else {
        if (a.len < 24) return Errno::EINVAL;
        if (fam != AF_INET6) return Errno::EAFNOSUPPORT;
        ip6_addr_t a6;
        memcpy(a6.addr, a.bytes + 8, 16);
        ip6_addr_clear_zone(&a6);
        if (ip6_addr_isipv4mappedipv6(&a6)) {
            ip_addr_set_ip4_u32_val(ip, a6.addr[3]);
        } else {
            ip_addr_copy_from_ip6(ip, a6);
        }
    }
    *port = be16(a.bytes + 2);
    return ip;
}

SockAddr make_address(const ip_addr_t& ip, u16 port, int family)
{
    SockAddr a;
    if (family == AF_INET) {
        a.len = 16;
        a.bytes[0] = AF_INET;
        put_be16(a.bytes + 2, port);
        u32 v = IP_IS_V4(&ip) ? ip4_addr_get_u32(ip_2_ip4(&ip)) : 0;
        memcpy(a.bytes + 4, &v, 4);
        return a;
    }
    a.len = 28;
    a.bytes[0] = AF_INET6;
    put_be16(a.bytes + 2, port);
    if (IP_IS_V4(&ip)) {
        // ::ffff:a.b.c.d, as Linux shows an IPv4 peer of a dual-stack socket.
        if (!ip4_addr_isany(ip_2_ip4(&ip))) {
            a.bytes[18] = a.bytes[19] = 0xff;
            u32 v = ip4_addr_get_u32(ip_2_ip4(&ip));
            memcpy(a.bytes + 20, &v, 4);
        }
    } else {
        memcpy(a.bytes + 8, ip_2_ip6(&ip)->addr, 16);
    }
    return a;
}

Errno errno_of(err_t e)
{
    switch (e) {
    case ERR_MEM: return Errno::ENOMEM;
    case ERR_BUF: return Errno::ENOBUFS;
    case ERR_TIMEOUT: return Errno::ETIMEDOUT;
    case ERR_RTE: return Errno::ENETUNREACH;
    case ERR_INPROGRESS: return Errno::EINPROGRESS;
    case ERR_VAL: return Errno::EINVAL;
    case ERR_WOULDBLOCK: return Errno::EAGAIN;
    case ERR_USE: return Errno::EADDRINUSE;
    case ERR_ALREADY: return Errno::EALREADY;
    case ERR_ISCONN: return Errno::EISCONN;
    case ERR_CONN: return Errno::ENOTCONN;
    case ERR_IF: return Errno::ENETDOWN;
    case ERR_ABRT: return Errno::ECONNABORTED;
    case ERR_RST: return Errno::ECONNRESET;
    case ERR_CLSD: return Errno::ENOTCONN;
    case ERR_ARG: return Errno::EINVAL;
    default: return Errno::EIO;
    }
}

void notify(Socket* s)
{
    if (exiting()) return;
    if (s) fs::readiness_changed(*s);
    core::sched::wake_all(events());
}

Result<core::Ref<Socket>> Socket::create(int family, int type, int protocol)
{
    if (family == AF_NETLINK) return make_netlink_socket(type, protocol);
    if (family == AF_UNIX) return make_unix_socket(type, protocol);
    if (family != AF_INET && family != AF_INET6) return Errno::EAFNOSUPPORT;
    if (type == SOCK_STREAM) {
        if (protocol != 0 && protocol != IPPROTO_TCP) return Errno::EPROTONOSUPPORT;
    } else if (type == SOCK_DGRAM) {
        if (protocol != 0 && protocol != IPPROTO_UDP) return Errno::EPROTONOSUPPORT;
    } else {
        return Errno::ESOCKTNOSUPPORT; // SOCK_RAW, SOCK_SEQPACKET...
    }
    TRY(start());
    return type == SOCK_STREAM ? make_tcp_socket(family) : make_udp_socket(family);
}

Socket* Socket::from(fs::Inode& inode)
{
    return inode.type() == fs::InodeType::Socket ? static_cast<Socket*>(&inode) : nullptr;
}

Socket::~Socket() = default;

Result<size_t> Socket::read(u64, fs::IoBuffer& buf, size_t n, u32 flags)
{
    return recv(buf, n, 0, nullptr, flags & fs::O_NONBLOCK, nullptr);
}

Result<size_t> Socket::write(u64, const fs::IoBuffer& buf, size_t n, u32 flags)
{
    return send(buf, n, 0, nullptr, flags & fs::O_NONBLOCK);
}

ErrorOr Socket::set_option(SocketOption o, const u8* value, u32 len)
{
    if (o.level == SOL_SOCKET && (o.name == SO_RCVTIMEO || o.name == SO_SNDTIMEO)) {
        Timeval tv;
        if (len < sizeof tv) return Errno::EINVAL;
        memcpy(&tv, value, sizeof tv);
        if (tv.usec < 0 || tv.usec >= 1000000) return Errno::EDOM;
        u64 ns = tv.sec < 0 ? 0 : u64(tv.sec) * 1000000000ull + u64(tv.usec) * 1000;
        (o.name == SO_RCVTIMEO ? m_rcvtimeo_ns : m_sndtimeo_ns) = ns;
        return {};
    }
    if (o.level == SOL_SOCKET && o.name == SO_LINGER) {
        if (len < 8) return Errno::EINVAL;
        memcpy(&m_linger_onoff, value, 4);
        memcpy(&m_linger_secs, value + 4, 4);
        return {};
    }
    if (len < sizeof(int)) return Errno::EINVAL;
    int v;
    memcpy(&v, value, sizeof v);
    if (o.level == SOL_SOCKET) {
        switch (o.name) {
        case SO_REUSEADDR: m_reuseaddr = v; return set_protocol_option(o, v);
        case SO_REUSEPORT: m_reuseport = v; return {};
        // Linux doubles the value for its bookkeeping and reports that.
        // sock_setsockopt: capped at net.core.rmem_max/wmem_max (212992;
        // a negative value is a large u32), doubled, at least the minimum.
        case SO_RCVBUF: m_rcvbuf = buffer_size(v, 2304); return {};
        case SO_SNDBUF: m_sndbuf = buffer_size(v, 4608); return {};
        case SO_KEEPALIVE: case SO_BROADCAST: case SO_PASSCRED: return set_protocol_option(o, v);
        case SO_DEBUG: case SO_DONTROUTE: return {};
        case SO_TYPE: case SO_ERROR: case SO_ACCEPTCONN: case SO_PROTOCOL: case SO_DOMAIN: return Errno::ENOPROTOOPT;
        default: return Errno::ENOPROTOOPT;
        }
    }
    if (o.level == IPPROTO_IPV6 && o.name == IPV6_V6ONLY) {
        if (m_family != AF_INET6) return Errno::ENOPROTOOPT;
        m_v6only = v;
        return {};
    }
    return set_protocol_option(o, v);
}

Result<u32> Socket::get_option(SocketOption o, u8* value, u32 len)
{
    if (o.level == SOL_SOCKET && (o.name == SO_RCVTIMEO || o.name == SO_SNDTIMEO)) {
        u64 ns = o.name == SO_RCVTIMEO ? m_rcvtimeo_ns : m_sndtimeo_ns;
        Timeval tv { i64(ns / 1000000000ull), i64(ns % 1000000000ull / 1000) };
        u32 n = len < sizeof tv ? len : u32(sizeof tv);
        memcpy(value, &tv, n);
        return n;
    }
    if (o.level == SOL_SOCKET && o.name == SO_LINGER) {
        int l[2] = { m_linger_onoff, m_linger_secs };
        u32 n = len < sizeof l ? len : u32(sizeof l);
        memcpy(value, l, n);
        return n;
    }
    if (o.level == SOL_SOCKET && o.name == SO_PEERCRED) {
        Ucred c = peer_credentials();
        u32 n = len < sizeof c ? len : u32(sizeof c);
        memcpy(value, &c, n);
        return n;
    }
    int v;
    if (o.level == SOL_SOCKET) {
        switch (o.name) {
        case SO_TYPE: v = m_type; break;
        case SO_DOMAIN: v = m_family; break;
        case SO_PROTOCOL:
            v = m_family != AF_INET && m_family != AF_INET6 ? 0 : m_type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
            break;
        case SO_ERROR: v = take_error(); break;
        case SO_REUSEADDR: v = m_reuseaddr; break;
        case SO_REUSEPORT: v = m_reuseport; break;
        case SO_RCVBUF: v = m_rcvbuf; break;
        case SO_SNDBUF: v = m_sndbuf; break;
        case SO_DEBUG: case SO_DONTROUTE: v = 0; break;
        default: v = TRY(get_protocol_option(o)); break;
        }
    } else if (o.level == IPPROTO_IPV6 && o.name == IPV6_V6ONLY && m_family == AF_INET6) {
        v = m_v6only;
    } else {
        v = TRY(get_protocol_option(o));
    }
    u32 n = len < sizeof v ? len : u32(sizeof v);
    memcpy(value, &v, n);
    return n;
}

} // namespace net
