// TCP sockets on lwIP's raw API. A connection's state lives in a TcpConn in
// lwIP's heap, which lwIP's callbacks (in the card's interrupt, under the
// stack's lock) fill: received segments, the peer's FIN, errors, and for a
// listener the connections it accepted. The TcpSocket inode points at its
// TcpConn; accept() wraps a queued TcpConn in a new TcpSocket.
#include "net/socket_internal.h"
#include "core/string.h"
#include "mm/heap.h"

namespace net {

namespace {

constexpr int TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5, TCP_KEEPCNT = 6,
              TCP_DEFER_ACCEPT = 9, TCP_FASTOPEN = 23;
constexpr int SO_REUSEADDR = 2, SO_KEEPALIVE = 9, SO_ACCEPTCONN = 30;
constexpr u32 RX_SLOTS = 256;    // segments (pbuf chains) waiting to be read
constexpr u32 MAX_BACKLOG = 512; // SOMAXCONN is 4096; lwIP's backlog is a u8 count
constexpr size_t CHUNK = 64 * 1024;

class TcpSocket;

struct TcpConn {
    tcp_pcb* pcb;
    TcpSocket* owner; // null while waiting in a listener's queue
    // Received data: chains of pbufs, the first partly read.
    pbuf* rx[RX_SLOTS];
    u32 rx_head, rx_count;
    u32 rx_bytes;
    bool fin;        // the peer will send nothing more
    bool connected;
    bool connecting;
    Errno error;     // pending (SO_ERROR) when has_error
    bool has_error;
    bool reset;      // the connection is gone (pcb freed by lwIP)
    bool shut_wr;    // shutdown(SHUT_WR) sent our FIN
    // A listener's accepted connections.
    TcpConn** queue;
    u32 q_head, q_count, q_cap;
};

TcpConn* conn_new()
{
    auto* c = static_cast<TcpConn*>(mem_malloc(sizeof(TcpConn)));
    if (c) memset(c, 0, sizeof *c);
    return c;
}

void set_error(TcpConn* c, Errno e)
{
    c->error = e;
    c->has_error = true;
}

void conn_free_data(TcpConn* c)
{
    while (c->rx_count) {
        pbuf_free(c->rx[c->rx_head]);
        c->rx_head = (c->rx_head + 1) % RX_SLOTS;
        c->rx_count--;
    }
    c->rx_bytes = 0;
}

void conn_close(TcpConn* c);

void notify_conn(TcpConn* c);

err_t on_recv(void* arg, tcp_pcb* pcb, pbuf* p, err_t err)
{
    auto* c = static_cast<TcpConn*>(arg);
    if (!c) {
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (!p) {
        c->fin = true;
    } else {
        if (c->rx_count == RX_SLOTS) return ERR_MEM; // lwIP keeps it and offers it again
        c->rx[(c->rx_head + c->rx_count) % RX_SLOTS] = p;
        c->rx_count++;
        c->rx_bytes += p->tot_len;
    }
    notify_conn(c);
    return ERR_OK;
}

err_t on_sent(void* arg, tcp_pcb*, u16)
{
    if (arg) notify_conn(static_cast<TcpConn*>(arg));
    return ERR_OK;
}

void on_error(void* arg, err_t err)
{
    auto* c = static_cast<TcpConn*>(arg);
    if (!c) return;
    c->pcb = nullptr; // lwIP has freed it
    c->reset = true;
    if (c->connecting && (err == ERR_RST || err == ERR_ABRT)) set_error(c, Errno::ECONNREFUSED);
    else if (err == ERR_TIMEOUT || (c->connecting && err == ERR_CLSD)) set_error(c, Errno::ETIMEDOUT);
    else set_error(c, err == ERR_ABRT ? Errno::ECONNABORTED : Errno::ECONNRESET);
    c->connecting = false;
    c->fin = true;
    notify_conn(c);
}

err_t on_connected(void* arg, tcp_pcb*, err_t err)
{
    auto* c = static_cast<TcpConn*>(arg);
    if (!c) return ERR_OK;
    c->connecting = false;
    if (err == ERR_OK) c->connected = true;
    else set_error(c, errno_of(err));
    notify_conn(c);
    return ERR_OK;
}

void attach(TcpConn* c, tcp_pcb* pcb)
{
    c->pcb = pcb;
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
}

err_t on_accept(void* arg, tcp_pcb* newpcb, err_t err)
{
    auto* l = static_cast<TcpConn*>(arg);
    if (!l || err != ERR_OK || !newpcb) return ERR_VAL;
    if (l->q_count == l->q_cap) return ERR_MEM; // the queue is full: lwIP drops the connection
    TcpConn* c = conn_new();
    if (!c) return ERR_MEM;
    attach(c, newpcb);
    c->connected = true;
    tcp_backlog_delayed(newpcb); // counts against the backlog until accept() takes it
    l->queue[(l->q_head + l->q_count) % l->q_cap] = c;
    l->q_count++;
    notify_conn(l);
    return ERR_OK;
}

class TcpSocket final : public Socket {
public:
    TcpSocket(int family, TcpConn* c) : Socket(family, SOCK_STREAM), m_conn(c) { c->owner = this; }
    // Every lwIP callback and every shutdown calls notify_conn.
    bool reports_readiness() const override { return true; }
    ~TcpSocket() override
    {
        StackGuard g;
        m_conn->owner = nullptr;
        conn_close(m_conn);
    }
    TcpConn* conn() { return m_conn; }

    ErrorOr bind(const SockAddr& a) override
    {
        u16 port;
        ip_addr_t ip = TRY(parse_address(a, m_family, &port));
        StackGuard g;
        if (!m_conn->pcb || m_bound) return Errno::EINVAL;
        // `::` on a dual-stack socket takes IPv4 too.
        if (m_family == AF_INET6 && !m_v6only && ip_addr_isany(&ip)) ip = *IP_ANY_TYPE;
        if (m_reuseaddr) ip_set_option(m_conn->pcb, SOF_REUSEADDR);
        err_t e = tcp_bind(m_conn->pcb, &ip, port);
        if (e != ERR_OK) return errno_of(e);
        m_bound = true;
        return {};
    }

    ErrorOr listen(int backlog) override
    {
        StackGuard g;
        TcpConn* c = m_conn;
        if (c->queue) { // already listening: a new backlog
            return {};
        }
        if (!c->pcb || c->connected || c->connecting) return Errno::EINVAL;
        if (!m_bound) {
            // Linux binds an ephemeral port (on every address) first.
            ip_addr_t any = m_family == AF_INET6 && !m_v6only ? *IP_ANY_TYPE : *IP4_ADDR_ANY;
            if (m_family == AF_INET6 && m_v6only) any = *IP6_ADDR_ANY;
            err_t e = tcp_bind(c->pcb, &any, 0);
            if (e != ERR_OK) return errno_of(e);
            m_bound = true;
        }
        u32 cap = backlog < 1 ? 1 : u32(backlog) > MAX_BACKLOG ? MAX_BACKLOG : u32(backlog);
        auto** q = static_cast<TcpConn**>(mem_malloc(u16(cap * sizeof(TcpConn*))));
        if (!q) return Errno::ENOBUFS;
        err_t e = ERR_OK;
        tcp_pcb* lpcb = tcp_listen_with_backlog_and_err(c->pcb, u8(cap > 255 ? 255 : cap), &e);
        if (!lpcb) {
            mem_free(q);
            return errno_of(e);
        }
        c->pcb = lpcb; // the old pcb was freed
        c->queue = q;
        c->q_cap = cap;
        tcp_arg(lpcb, c);
        tcp_accept(lpcb, on_accept);
        return {};
    }

    Result<core::Ref<Socket>> accept(bool nonblocking, SockAddr* peer) override
    {
        TcpConn* c = m_conn;
        if (!c->queue) return Errno::EINVAL;
        TRY(wait_until([c] { return c->q_count > 0; }, nonblocking, 0));
        TcpConn* nc;
        {
            StackGuard g;
            if (!c->q_count) return Errno::EAGAIN; // another thread took it
            nc = c->queue[c->q_head];
            c->q_head = (c->q_head + 1) % c->q_cap;
            c->q_count--;
            if (nc->pcb) {
                tcp_backlog_accepted(nc->pcb);
                if (peer) *peer = make_address(nc->pcb->remote_ip, nc->pcb->remote_port, m_family);
            } else if (peer) {
                *peer = make_address(*IP4_ADDR_ANY, 0, m_family);
            }
        }
        auto* s = new (std::nothrow) TcpSocket(m_family, nc);
        if (!s) {
            StackGuard g;
            conn_close(nc);
            return Errno::ENOMEM;
        }
        s->m_bound = true;
        return core::Ref<Socket>(s);
    }

    ErrorOr connect(const SockAddr& a, bool nonblocking) override
    {
        u16 port;
        ip_addr_t ip = TRY(parse_address(a, m_family, &port));
        TcpConn* c = m_conn;
        {
            StackGuard g;
            if (c->queue) return Errno::EINVAL;
            if (c->connected) return Errno::EISCONN;
            if (c->connecting) return Errno::EALREADY;
            if (c->has_error || !c->pcb) {
                // A finished attempt: its error, once.
                if (c->has_error) {
                    c->has_error = false;
                    return c->error;
                }
                return Errno::EINVAL;
            }
            if (port == 0) return Errno::ECONNREFUSED;
            if (m_family == AF_INET6 && !IP_IS_V4(&ip)) IP_SET_TYPE_VAL(ip, IPADDR_TYPE_V6);
            // An unbound dual-stack pcb takes the peer's type.
            if (!m_bound) IP_SET_TYPE_VAL(c->pcb->local_ip, IP_GET_TYPE(&ip));
            err_t e = tcp_connect(c->pcb, &ip, port, on_connected);
            if (e != ERR_OK) return errno_of(e);
            m_bound = true;
            c->connecting = true;
        }
        if (nonblocking) return Errno::EINPROGRESS;
        TRY(wait_until([c] { return !c->connecting; }, false, m_sndtimeo_ns));
        StackGuard g;
        if (c->has_error) {
            c->has_error = false;
            return c->error;
        }
        return {};
    }

    Result<size_t> send(const fs::IoBuffer& buf, size_t n, u32 msg_flags, const SockAddr* to, bool nonblocking) override
    {
        TcpConn* c = m_conn;
        if (to && !c->connected) return Errno::EPIPE; // Linux: a `to` on an unconnected stream
        bool dontwait = nonblocking || (msg_flags & MSG_DONTWAIT);
        size_t done = 0;
        u8* bounce = nullptr;
        size_t bounce_size = n < CHUNK ? n : CHUNK;
        if (bounce_size) {
            bounce = static_cast<u8*>(mm::kmalloc(bounce_size));
            if (!bounce) return Errno::ENOMEM;
        }
        ErrorOr status {};
        while (done < n || n == 0) {
            size_t want = n - done < CHUNK ? n - done : CHUNK;
            if (want) {
                auto r = buf.copy_in(bounce, done, want);
                if (r.is_error()) {
                    status = r.error();
                    break;
                }
            }
            size_t pos = 0;
            while (pos < want || n == 0) {
                auto w = wait_until([c] {
                    return !c->pcb || c->has_error || c->shut_wr || (!c->connected && !c->connecting)
                        || (c->connected && tcp_sndbuf(c->pcb) > 0 && tcp_sndqueuelen(c->pcb) < TCP_SND_QUEUELEN - 4);
                }, dontwait, m_sndtimeo_ns);
                if (w.is_error()) {
                    status = w.error();
                    break;
                }
                StackGuard g;
                if (c->has_error) {
                    c->has_error = false;
                    status = c->error;
                    break;
                }
                if (!c->connected) {
                    status = Errno::EPIPE; // Linux's sk_stream_wait_connect
                    break;
                }
                if (!c->pcb || m_shut_wr) {
                    status = Errno::EPIPE;
                    break;
                }
                if (n == 0) break;
                size_t room = tcp_sndbuf(c->pcb);
                size_t take = want - pos < room ? want - pos : room;
                if (take > 0xffff) take = 0xffff;
                u8 flags = TCP_WRITE_FLAG_COPY | ((msg_flags & MSG_MORE) || pos + take < want || done + want < n ? TCP_WRITE_FLAG_MORE : 0);
                err_t e = tcp_write(c->pcb, bounce + pos, u16(take), flags);
                if (e == ERR_MEM) {
                    tcp_output(c->pcb);
                    if (dontwait) {
                        status = Errno::EAGAIN;
                        break;
                    }
                    continue; // the queue is full: wait for acknowledgements
                }
                if (e != ERR_OK) {
                    status = errno_of(e);
                    break;
                }
                pos += take;
                if (!(msg_flags & MSG_MORE)) tcp_output(c->pcb);
            }
            done += pos;
            if (status.is_error() || n == 0) break;
        }
        if (bounce) mm::kfree(bounce);
        if (status.is_error() && done == 0) return status.error();
        return done;
    }

    Result<size_t> recv(fs::IoBuffer& buf, size_t n, u32 msg_flags, SockAddr* from, bool nonblocking, u32* flags_out) override
    {
        TcpConn* c = m_conn;
        if (c->queue) return Errno::ENOTCONN;
        if (!c->connected && !c->reset && !c->connecting && !c->has_error) return Errno::ENOTCONN;
        bool dontwait = nonblocking || (msg_flags & MSG_DONTWAIT);
        if (n == 0) return size_t(0);
        size_t done = 0;
        size_t chunk = 0;
        u8* bounce = nullptr;
        ErrorOr status {};
        while (done < n) {
            auto w = wait_until([c, this] { return c->rx_bytes > 0 || c->fin || c->has_error || m_shut_rd; },
                                dontwait || (done > 0 && !(msg_flags & MSG_WAITALL)), m_rcvtimeo_ns);
            if (w.is_error()) {
                status = w.error();
                break;
            }
            // A bounce buffer for what has arrived (the queue only grows
            // until this thread takes from it), not for the program's whole
            // buffer: a server reading a short request into 16 KiB then
            // costs a small allocation, not a large one's page mappings.
            size_t avail = __atomic_load_n(&c->rx_bytes, __ATOMIC_RELAXED);
            size_t need = n - done < CHUNK ? n - done : CHUNK;
            if (avail < need) need = avail ? avail : 1; // 0: the end of the stream, or an error
            if (need > chunk) {
                mm::kfree(bounce);
                bounce = static_cast<u8*>(mm::kmalloc(need));
                chunk = bounce ? need : 0;
                if (!bounce) {
                    status = Errno::ENOMEM;
                    break;
                }
            }
            size_t got = 0;
            {
                StackGuard g;
                if (!c->rx_bytes) {
                    if (c->has_error && !done) {
                        c->has_error = false;
                        status = c->error;
                    }
                    break; // end of stream (or error)
                }
                size_t want = n - done < chunk ? n - done : chunk;
                // Copy out of the queued chains, oldest first.
                u32 slot = c->rx_head;
                for (u32 i = 0; i < c->rx_count && got < want; i++, slot = (slot + 1) % RX_SLOTS) {
                    pbuf* p = c->rx[slot];
                    size_t take = want - got < p->tot_len ? want - got : p->tot_len;
                    pbuf_copy_partial(p, bounce + got, u16(take), 0);
                    got += take;
                }
                if (!(msg_flags & MSG_PEEK)) {
                    size_t left = got;
                    while (left) {
                        pbuf* p = c->rx[c->rx_head];
                        if (left >= p->tot_len) {
                            left -= p->tot_len;
                            pbuf_free(p);
                            c->rx_head = (c->rx_head + 1) % RX_SLOTS;
                            c->rx_count--;
                        } else {
                            c->rx[c->rx_head] = pbuf_free_header(p, u16(left));
                            left = 0;
                        }
                    }
                    c->rx_bytes -= u32(got);
                    if (c->pcb) {
                        // Open the window again, in pieces lwIP's u16 takes.
                        for (size_t r = got; r;) {
                            u16 part = r > 0xffff ? 0xffff : u16(r);
                            tcp_recved(c->pcb, part);
                            r -= part;
                        }
                    }
                }
            }
            auto r = buf.copy_out(done, bounce, got);
            if (r.is_error()) {
                status = r.error();
                break;
            }
            done += got;
            if (msg_flags & MSG_PEEK) break;
        }
        mm::kfree(bounce);
        (void)from;
        (void)flags_out;
        if (status.is_error() && done == 0) return status.error();
        return done;
    }

    ErrorOr shutdown(int how) override
    {
        if (how < SHUT_RD || how > SHUT_RDWR) return Errno::EINVAL;
        StackGuard g;
        TcpConn* c = m_conn;
        if (c->queue) {
            // Linux wakes accept() and refuses further connections.
            m_shut_rd = true;
            notify_conn(c);
            return {};
        }
        if (!c->connected) return Errno::ENOTCONN;
        bool rd = how != SHUT_WR, wr = how != SHUT_RD;
        if (rd) m_shut_rd = true;
        if (wr && !m_shut_wr) {
            m_shut_wr = true;
            c->shut_wr = true;
            if (c->pcb) {
                tcp_shutdown(c->pcb, 0, 1); // FIN after what is queued
                tcp_output(c->pcb);
            }
        }
        notify_conn(c);
        return {};
    }

    Result<SockAddr> local_address() override
    {
        StackGuard g;
        tcp_pcb* p = m_conn->pcb;
        if (!p) return make_address(*IP4_ADDR_ANY, 0, m_family);
        return make_address(p->local_ip, p->local_port, m_family);
    }

    Result<SockAddr> peer_address() override
    {
        StackGuard g;
        tcp_pcb* p = m_conn->pcb;
        if (!m_conn->connected || !p) return Errno::ENOTCONN;
        return make_address(p->remote_ip, p->remote_port, m_family);
    }

    u32 bytes_readable() override
    {
        StackGuard g;
        return m_conn->rx_bytes;
    }

    u32 poll(u32) override
    {
        StackGuard g;
        TcpConn* c = m_conn;
        u32 m = 0;
        if (c->queue) return c->q_count ? fs::POLLIN | fs::POLLRDNORM : 0;
        if (c->rx_bytes || c->fin || m_shut_rd) m |= fs::POLLIN | fs::POLLRDNORM;
        if (c->fin) m |= fs::POLLRDHUP;
        if (c->has_error) m |= fs::POLLERR;
        if (c->connected && c->pcb && !m_shut_wr && tcp_sndbuf(c->pcb) >= TCP_SNDLOWAT / 2
            && tcp_sndqueuelen(c->pcb) < TCP_SNDQUEUELOWAT)
            m |= fs::POLLOUT | fs::POLLWRNORM;
        if ((c->fin && m_shut_wr) || c->reset) m |= fs::POLLHUP;
        if (c->reset) m |= fs::POLLIN | fs::POLLRDNORM | fs::POLLOUT | fs::POLLWRNORM;
        if (!c->connected && !c->connecting && !c->reset && !c->has_error) m |= fs::POLLOUT | fs::POLLHUP; // never connected
        return m;
    }

protected:
    ErrorOr set_protocol_option(SocketOption o, int v) override
    {
        StackGuard g;
        tcp_pcb* p = m_conn->pcb;
        if (o.level == SOL_SOCKET) {
            if (o.name == SO_REUSEADDR) {
                if (p) {
                    if (v) ip_set_option(p, SOF_REUSEADDR);
                    else ip_reset_option(p, SOF_REUSEADDR);
                }
                return {};
            }
            if (o.name == SO_KEEPALIVE) {
                m_keepalive = v;
                if (p) {
                    if (v) ip_set_option(p, SOF_KEEPALIVE);
                    else ip_reset_option(p, SOF_KEEPALIVE);
                }
                return {};
            }
            return Errno::ENOPROTOOPT;
        }
        if (o.level != IPPROTO_TCP) return Errno::ENOPROTOOPT;
        switch (o.name) {
        case TCP_NODELAY:
            m_nodelay = v;
            if (p) {
                if (v) tcp_nagle_disable(p);
                else tcp_nagle_enable(p);
            }
            return {};
        case TCP_KEEPIDLE: case TCP_KEEPINTVL: case TCP_KEEPCNT:
            if (v < 1 || (o.name == TCP_KEEPCNT ? v > 127 : v > 32767)) return Errno::EINVAL;
            if (o.name == TCP_KEEPIDLE) m_keepidle = v;
            else if (o.name == TCP_KEEPINTVL) m_keepintvl = v;
            else m_keepcnt = v;
            if (p) {
                p->keep_idle = u32(m_keepidle) * 1000;
                p->keep_intvl = u32(m_keepintvl) * 1000;
                p->keep_cnt = u32(m_keepcnt);
            }
            return {};
        case TCP_DEFER_ACCEPT: m_defer_accept = v < 0 ? 0 : v; return {};
        case TCP_FASTOPEN:
            // A server's queue length for Fast Open, on a socket that is
            // closed or listening (as Linux). Kept and reported: lwIP makes
            // no TFO cookies, so clients fall back to the usual handshake,
            // which RFC 7413 has them do whenever a server does not answer
            // with a cookie.
            if (v < 0 || m_conn->connected || m_conn->connecting) return Errno::EINVAL;
            m_fastopen_qlen = v;
            return {};
        case TCP_MAXSEG: return {};
        default: return Errno::ENOPROTOOPT;
        }
    }

    Result<int> get_protocol_option(SocketOption o) override
    {
        StackGuard g;
        if (o.level == SOL_SOCKET) {
            if (o.name == SO_KEEPALIVE) return int(m_keepalive);
            if (o.name == SO_ACCEPTCONN) return int(m_conn->queue != nullptr);
            return Errno::ENOPROTOOPT;
        }
        if (o.level != IPPROTO_TCP) return Errno::ENOPROTOOPT;
        switch (o.name) {
        case TCP_NODELAY: return int(m_nodelay);
        case TCP_KEEPIDLE: return m_keepidle;
        case TCP_KEEPINTVL: return m_keepintvl;
        case TCP_KEEPCNT: return m_keepcnt;
        case TCP_DEFER_ACCEPT: return m_defer_accept;
        case TCP_FASTOPEN: return m_fastopen_qlen;
        case TCP_MAXSEG: return int(m_conn->pcb ? tcp_mss(m_conn->pcb) : TCP_MSS);
        default: return Errno::ENOPROTOOPT;
        }
    }

    int take_error() override
    {
        StackGuard g;
        if (!m_conn->has_error) return 0;
        m_conn->has_error = false;
        return int(m_conn->error);
    }

private:
    TcpConn* m_conn;
    bool m_bound { false };
    bool m_shut_rd { false }, m_shut_wr { false };
    bool m_nodelay { false }, m_keepalive { false };
    int m_keepidle { 7200 }, m_keepintvl { 75 }, m_keepcnt { 9 }, m_defer_accept { 0 };
    int m_fastopen_qlen { 0 };
};

void notify_conn(TcpConn* c) { notify(c->owner); }

// Under the lock: the socket is gone; the connection closes gracefully (lwIP
// sends what is queued, then FIN) and its state is freed.
void conn_close(TcpConn* c)
{
    conn_free_data(c);
    if (c->queue) {
        while (c->q_count) {
            TcpConn* q = c->queue[c->q_head];
            c->q_head = (c->q_head + 1) % c->q_cap;
            c->q_count--;
            conn_close(q);
        }
        mem_free(c->queue);
        c->queue = nullptr;
    }
    if (tcp_pcb* p = c->pcb) {
        tcp_arg(p, nullptr);
        if (p->state == LISTEN) {
            tcp_close(p);
        } else {
            tcp_recv(p, nullptr); // lwIP's default takes what still comes
            tcp_sent(p, nullptr);
            tcp_err(p, nullptr);
            if (tcp_close(p) != ERR_OK) tcp_abort(p);
        }
        c->pcb = nullptr;
    }
    mem_free(c);
}

} // namespace

Result<core::Ref<Socket>> make_tcp_socket(int family)
{
    StackGuard g;
    TcpConn* c = conn_new();
    if (!c) return Errno::ENOBUFS;
    tcp_pcb* pcb = tcp_new_ip_type(family == AF_INET6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);
    if (!pcb) {
        mem_free(c);
        return Errno::ENOBUFS;
    }
    attach(c, pcb);
    auto* s = new (std::nothrow) TcpSocket(family, c);
    if (!s) {
        conn_close(c);
        return Errno::ENOMEM;
    }
    return core::Ref<Socket>(s);
}

} // namespace net
