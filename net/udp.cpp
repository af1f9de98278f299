// UDP sockets on lwIP's raw API: datagrams that arrive (in the card's
// interrupt) wait in a ring kept in lwIP's heap, with their sender.
#include "net/socket_internal.h"
#include "core/string.h"
#include "mm/heap.h"

namespace net {

namespace {

constexpr int SO_BROADCAST = 6;
constexpr u32 RX_DATAGRAMS = 128;
constexpr size_t MAX_DATAGRAM = 65507;

class UdpSocket;

struct Datagram {
    pbuf* p;
    ip_addr_t from;
    u16 port;
};

struct UdpConn {
    udp_pcb* pcb;
    UdpSocket* owner;
    Datagram rx[RX_DATAGRAMS];
    u32 head, count;
};

void on_datagram(void* arg, udp_pcb*, pbuf* p, const ip_addr_t* addr, u16 port);

class UdpSocket final : public Socket {
public:
    UdpSocket(int family, UdpConn* c) : Socket(family, SOCK_DGRAM), m_conn(c) { c->owner = this; }
    // Writable always; readable once a datagram's arrival called notify.
    bool reports_readiness() const override { return true; }
    ~UdpSocket() override
    {
        StackGuard g;
        udp_recv(m_conn->pcb, nullptr, nullptr);
        udp_remove(m_conn->pcb);
        while (m_conn->count) {
            pbuf_free(m_conn->rx[m_conn->head].p);
            m_conn->head = (m_conn->head + 1) % RX_DATAGRAMS;
            m_conn->count--;
        }
        mem_free(m_conn);
    }

    ErrorOr bind(const SockAddr& a) override
    {
        u16 port;
        ip_addr_t ip = TRY(parse_address(a, m_family, &port));
        StackGuard g;
        if (m_bound) return Errno::EINVAL;
        if (m_family == AF_INET6 && !m_v6only && ip_addr_isany(&ip)) ip = *IP_ANY_TYPE;
        if (m_reuseaddr) ip_set_option(m_conn->pcb, SOF_REUSEADDR);
        err_t e = udp_bind(m_conn->pcb, &ip, port);
        if (e != ERR_OK) return errno_of(e);
        m_bound = true;
        return {};
    }
    ErrorOr listen(int) override { return Errno::EOPNOTSUPP; }
    Result<core::Ref<Socket>> accept(bool, SockAddr*) override { return Errno::EOPNOTSUPP; }

    ErrorOr connect(const SockAddr& a, bool) override
    {
        StackGuard g;
        if (a.len >= 2 && (a.bytes[0] | a.bytes[1] << 8) == AF_UNSPEC) {
            udp_disconnect(m_conn->pcb);
            m_connected = false;
            return {};
        }
        u16 port;
        ip_addr_t ip = TRY(parse_address(a, m_family, &port));
        err_t e = udp_connect(m_conn->pcb, &ip, port);
        if (e != ERR_OK) return errno_of(e);
        m_connected = m_bound = true;
        return {};
    }

    Result<size_t> send(const fs::IoBuffer& buf, size_t n, u32, const SockAddr* to, bool) override
    {
        if (n > MAX_DATAGRAM) return Errno::EMSGSIZE;
        ip_addr_t ip;
        u16 port = 0;
        if (to) ip = TRY(parse_address(*to, m_family, &port));
        else if (!m_connected) return Errno::EDESTADDRREQ;
        u8* bounce = static_cast<u8*>(mm::kmalloc(n ? n : 1));
        if (!bounce) return Errno::ENOMEM;
        auto r = buf.copy_in(bounce, 0, n);
        if (r.is_error()) {
            mm::kfree(bounce);
            return r.error();
        }
        err_t e;
        {
            StackGuard g;
            pbuf* p = pbuf_alloc(PBUF_TRANSPORT, u16(n), PBUF_RAM);
            if (!p) {
                mm::kfree(bounce);
                return Errno::ENOBUFS;
            }
            pbuf_take(p, bounce, u16(n));
            if (to && port == 0) e = ERR_VAL;
            else e = to ? udp_sendto(m_conn->pcb, p, &ip, port) : udp_send(m_conn->pcb, p);
            pbuf_free(p);
            m_bound = true;
        }
        mm::kfree(bounce);
        if (e == ERR_VAL && to && port == 0) return Errno::EINVAL;
        if (e != ERR_OK) return errno_of(e);
        return n;
    }

    Result<size_t> recv(fs::IoBuffer& buf, size_t n, u32 msg_flags, SockAddr* from, bool nonblocking, u32* flags_out) override
    {
        UdpConn* c = m_conn;
        TRY(wait_until([c] { return c->count > 0; }, nonblocking || (msg_flags & MSG_DONTWAIT), m_rcvtimeo_ns));
        Datagram d;
        {
            StackGuard g;
            if (!c->count) return Errno::EAGAIN;
            d = c->rx[c->head];
            if (!(msg_flags & MSG_PEEK)) {
                c->head = (c->head + 1) % RX_DATAGRAMS;
                c->count--;
            } else {
                pbuf_ref(d.p);
            }
        }
        size_t len = d.p->tot_len, take = n < len ? n : len;
        u8* bounce = static_cast<u8*>(mm::kmalloc(take ? take : 1));
        ErrorOr status {};
        if (!bounce) status = Errno::ENOMEM;
        {
            StackGuard g;
            if (bounce) pbuf_copy_partial(d.p, bounce, u16(take), 0);
            pbuf_free(d.p);
        }
        if (!status.is_error()) status = buf.copy_out(0, bounce, take);
        if (bounce) mm::kfree(bounce);
        TRY(status);
        if (from) *from = make_address(d.from, d.port, m_family);
        if (flags_out && take < len) *flags_out |= MSG_TRUNC;
        return (msg_flags & MSG_TRUNC) ? len : take;
    }

    ErrorOr shutdown(int how) override
    {
        if (how < SHUT_RD || how > SHUT_RDWR) return Errno::EINVAL;
        if (!m_connected) return Errno::ENOTCONN;
        return {};
    }

    Result<SockAddr> local_address() override
    {
        StackGuard g;
        return make_address(m_conn->pcb->local_ip, m_conn->pcb->local_port, m_family);
    }
    Result<SockAddr> peer_address() override
    {
        StackGuard g;
        if (!m_connected) return Errno::ENOTCONN;
        return make_address(m_conn->pcb->remote_ip, m_conn->pcb->remote_port, m_family);
    }
    u32 bytes_readable() override
    {
        StackGuard g;
        return m_conn->count ? m_conn->rx[m_conn->head].p->tot_len : 0;
    }
    u32 poll(u32) override
    {
        StackGuard g;
        u32 m = fs::POLLOUT | fs::POLLWRNORM;
        if (m_conn->count) m |= fs::POLLIN | fs::POLLRDNORM;
        return m;
    }

protected:
    ErrorOr set_protocol_option(SocketOption o, int v) override
    {
        if (o.level == SOL_SOCKET && o.name == SO_BROADCAST) {
            StackGuard g;
            if (v) ip_set_option(m_conn->pcb, SOF_BROADCAST);
            else ip_reset_option(m_conn->pcb, SOF_BROADCAST);
            return {};
        }
        if (o.level == SOL_SOCKET) return {}; // SO_REUSEADDR (kept by Socket), SO_KEEPALIVE: no effect on UDP
        return Errno::ENOPROTOOPT;
    }
    Result<int> get_protocol_option(SocketOption o) override
    {
        if (o.level == SOL_SOCKET && o.name == SO_BROADCAST) {
            StackGuard g;
            return int(ip_get_option(m_conn->pcb, SOF_BROADCAST) != 0);
        }
        return Errno::ENOPROTOOPT;
    }
    int take_error() override { return 0; }

private:
    UdpConn* m_conn;
    bool m_bound { false }, m_connected { false };
};

void on_datagram(void* arg, udp_pcb*, pbuf* p, const ip_addr_t* addr, u16 port)
{
    auto* c = static_cast<UdpConn*>(arg);
    if (!c || c->count == RX_DATAGRAMS) { // no room: dropped, as a full receive buffer does
        pbuf_free(p);
        return;
    }
    c->rx[(c->head + c->count) % RX_DATAGRAMS] = { p, *addr, port };
    c->count++;
    notify(c->owner);
}

} // namespace

Result<core::Ref<Socket>> make_udp_socket(int family)
{
    StackGuard g;
    auto* c = static_cast<UdpConn*>(mem_malloc(sizeof(UdpConn)));
    if (!c) return Errno::ENOBUFS;
    memset(c, 0, sizeof *c);
    c->pcb = udp_new_ip_type(family == AF_INET6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);
    if (!c->pcb) {
        mem_free(c);
        return Errno::ENOBUFS;
    }
    udp_recv(c->pcb, on_datagram, c);
    auto* s = new (std::nothrow) UdpSocket(family, c);
    if (!s) {
        udp_remove(c->pcb);
        mem_free(c);
        return Errno::ENOMEM;
    }
    return core::Ref<Socket>(s);
}

} // namespace net
