// AF_NETLINK sockets of protocol NETLINK_ROUTE (SOCK_RAW or SOCK_DGRAM): what
// glibc's getifaddrs and if_nameindex and `ip addr`/`ip link`/`ip monitor`
// ask. A request sent to the kernel (port id 0) is answered at once
// (net/rtnetlink.cpp) and the replies wait in the socket's queue, one datagram
// each, except a dump's messages, which a read packs into one datagram as far
// as they fit, as Linux's netlink_dump does. Datagrams to another netlink
// socket's port id, or to a group, are delivered to it or its members.
//
// Notifications: lwIP tells net/interfaces.cpp of every change to a link, an
// address or the routes (DHCP's lease, SLAAC's address, the end of duplicate
// address detection), under the stack's lock and often in an interrupt, where
// nothing may be allocated. So the change is copied into a ring of the last
// EVENTS changes and the sockets in its group are woken; each socket turns
// the changes it has not seen into messages on its next look (recv, poll,
// FIONREAD), in thread context. A socket that fell a whole ring behind lost
// some: its next read says ENOBUFS, as Linux's netlink_overrun.
//
// Everything else runs in thread context under the giant lock
// (core/giant.h). The list of sockets, their groups and the ring are also read
// by the change observer, so they are changed under the stack's lock; the
// queue is touched in thread context only, and what may sleep (user copies,
// the wait) happens with it left consistent.
#include "net/socket_internal.h"
#include "core/process.h"
#include "core/string.h"
#include "mm/heap.h"
#include "net/rtnetlink.h"

namespace net {

namespace {

constexpr int SOCK_RAW = 3, NETLINK_ROUTE = 0, SOL_NETLINK = 270;
constexpr int NETLINK_ADD_MEMBERSHIP = 1, NETLINK_DROP_MEMBERSHIP = 2, NETLINK_BROADCAST_ERROR = 4,
              NETLINK_NO_ENOBUFS = 5, NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12;
constexpr u32 RTNLGRP_MAX = 32; // groups a NETLINK_ROUTE socket may join (Linux has a few more)
// Linux sizes a dump's datagram as NLMSG_GOODSIZE (a 4 KiB page less the
// skb's bookkeeping) or the largest read seen, up to 32 KiB.
constexpr size_t NLMSG_GOODSIZE = 3776, MAX_DUMP_DATAGRAM = 32768;
constexpr size_t MAX_MESSAGE = 64 * 1024;

struct SockAddrNl {
    u16 family, pad;
    u32 pid, groups;
};

struct Queued {
    Bytes bytes;
    u32 from_pid { 0 };
    u32 dump { 0 }; // 0: a datagram of its own; else the dump it belongs to
};

class NetlinkSocket;
NetlinkSocket* g_sockets; // every netlink socket, linked through m_next
u32 g_dumps;              // numbers the dumps

// The ring of the last changes, numbered from 0 by g_change_serial.
constexpr size_t EVENTS = 64;
struct Change {
    InterfaceChange change;
    u32 group;
};
Change g_changes[EVENTS];
u64 g_change_serial; // the number the next change gets

constexpr u32 group_bit(u32 group) { return group >= 1 && group <= 32 ? 1u << (group - 1) : 0; }
void on_interface_change(const InterfaceChange& change);

Result<SockAddrNl> parse(const SockAddr& a)
{
    if (a.len < sizeof(SockAddrNl)) return Errno::EINVAL;
    SockAddrNl nl;
    memcpy(&nl, a.bytes, sizeof nl);
    if (nl.family != AF_NETLINK) return Errno::EINVAL;
    return nl;
}

SockAddr make(u32 pid, u32 groups)
{
    SockAddrNl nl { AF_NETLINK, 0, pid, groups };
    SockAddr a;
    memcpy(a.bytes, &nl, sizeof nl);
    a.len = sizeof nl;
    return a;
}

class NetlinkSocket final : public Socket {
public:
    explicit NetlinkSocket(int type) : Socket(AF_NETLINK, type)
    {
        StackGuard g;
        m_next = g_sockets;
        g_sockets = this;
    }
    ~NetlinkSocket() override
    {
        StackGuard g;
        for (NetlinkSocket** p = &g_sockets; *p; p = &(*p)->m_next)
            if (*p == this) {
                *p = m_next;
                break;
            }
    }

    NetlinkSocket* next() const { return m_next; }
    // In the change observer, under the stack's lock.
    void changed(u32 group)
    {
        if (m_bound && (m_groups & group_bit(group))) notify(this);
    }

    ErrorOr bind(const SockAddr& a) override
    {
        SockAddrNl nl = TRY(parse(a));
        if (m_bound && nl.pid != m_portid) return Errno::EINVAL;
        if (!m_bound) TRY(nl.pid ? bind_port(nl.pid) : autobind());
        return set_groups(nl.groups);
    }
    ErrorOr listen(int) override { return Errno::EOPNOTSUPP; }
    Result<core::Ref<Socket>> accept(bool, SockAddr*) override { return Errno::EOPNOTSUPP; }

    ErrorOr connect(const SockAddr& a, bool) override
    {
        if (a.len >= 2 && (a.bytes[0] | a.bytes[1] << 8) == AF_UNSPEC) {
            m_dst_pid = m_dst_groups = 0;
            return {};
        }
        SockAddrNl nl = TRY(parse(a));
        if (!m_bound) TRY(autobind());
        m_dst_pid = nl.pid;
        m_dst_groups = nl.groups;
        return {};
    }

    Result<size_t> send(const fs::IoBuffer& buf, size_t n, u32, const SockAddr* to, bool) override
    {
        u32 dst_pid = m_dst_pid, dst_groups = m_dst_groups;
        if (to) {
            SockAddrNl nl = TRY(parse(*to));
            dst_pid = nl.pid;
            dst_groups = nl.groups;
        }
        if (n > MAX_MESSAGE || n > size_t(m_sndbuf)) return Errno::EMSGSIZE;
        if (!m_bound) TRY(autobind());
        Bytes data;
        TRY(data.reserve(n ? n : 1));
        for (size_t k = 0; k < n; k++) TRY(data.append(0));
        TRY(buf.copy_in(data.data(), 0, n));
        // To a group (the lowest one named, as Linux's netlink_sendmsg): a
        // copy for each member but the sender; then to the port id as ever
        // (to the kernel, as a request, for 0).
        if (u32 bit = dst_groups & -dst_groups) {
            for (NetlinkSocket* s = g_sockets; s; s = s->m_next) {
                // As netlink_broadcast: not the sender, nor the port id the
                // message goes to anyway (so no socket without a port id).
                if (s == this || !(s->m_groups & bit) || !s->m_bound || s->m_portid == dst_pid) continue;
                Bytes copy;
                TRY(append_bytes(copy, data.data(), data.size()));
                s->deliver({ std::move(copy), m_portid, 0 });
            }
        }
        if (dst_pid) {
            NetlinkSocket* peer = find(dst_pid);
            if (!peer) return Errno::ECONNREFUSED;
            peer->deliver({ std::move(data), m_portid, 0 });
            return n;
        }
        TRY(handle_requests(data));
        return n;
    }

    Result<size_t> recv(fs::IoBuffer& buf, size_t n, u32 msg_flags, SockAddr* from, bool nonblocking,
                        u32* flags_out) override
    {
        for (;;) {
            take_changes();
            if (int e = take_error()) return Errno(e);
            if (!m_queue.is_empty()) break;
            TRY(wait_until([this] { return !m_queue.is_empty() || m_error || changes_waiting(); },
                           nonblocking || (msg_flags & MSG_DONTWAIT), m_rcvtimeo_ns));
        }
        size_t seen = n < MAX_DUMP_DATAGRAM ? n : MAX_DUMP_DATAGRAM;
        if (seen > m_largest_read) m_largest_read = seen;
        TRY(pack_head());
        Queued d;
        if (msg_flags & MSG_PEEK) {
            d.from_pid = m_queue[0].from_pid;
            TRY(append_bytes(d.bytes, m_queue[0].bytes.data(), m_queue[0].bytes.size()));
        } else {
            d = std::move(m_queue[0]);
            m_queue.remove(0);
            m_queued_bytes -= d.bytes.size();
        }
        size_t len = d.bytes.size(), take = n < len ? n : len;
        if (take) TRY(buf.copy_out(0, d.bytes.data(), take));
        if (from) *from = make(d.from_pid, 0);
        if (flags_out && take < len) *flags_out |= MSG_TRUNC;
        return (msg_flags & MSG_TRUNC) ? len : take;
    }

    ErrorOr shutdown(int) override { return Errno::EOPNOTSUPP; }
    Result<SockAddr> local_address() override { return make(m_portid, m_groups); }
    Result<SockAddr> peer_address() override { return make(m_dst_pid, m_dst_groups); }
    u32 bytes_readable() override
    {
        take_changes();
        if (m_queue.is_empty()) return 0;
        if (pack_head().is_error()) return 0;
        return u32(m_queue[0].bytes.size());
    }
    u32 poll(u32) override
    {
        StackGuard g;
        u32 m = fs::POLLOUT | fs::POLLWRNORM;
        if (!m_queue.is_empty() || changes_waiting()) m |= fs::POLLIN | fs::POLLRDNORM;
        if (m_error) m |= fs::POLLERR;
        return m;
    }

protected:
    ErrorOr set_protocol_option(SocketOption o, int v) override
    {
        if (o.level == SOL_SOCKET) return {}; // SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST: nothing to do here
        if (o.level != SOL_NETLINK) return Errno::ENOPROTOOPT;
        switch (o.name) {
        case NETLINK_ADD_MEMBERSHIP:
        case NETLINK_DROP_MEMBERSHIP: {
            u32 g = u32(v);
            if (g == 0 || g > RTNLGRP_MAX) return Errno::EINVAL;
            return set_groups(o.name == NETLINK_ADD_MEMBERSHIP ? m_groups | group_bit(g) : m_groups & ~group_bit(g));
        }
        case NETLINK_BROADCAST_ERROR: m_broadcast_error = v; return {};
        case NETLINK_NO_ENOBUFS: m_no_enobufs = v; return {};
        case NETLINK_CAP_ACK: m_cap_ack = v; return {};
        case NETLINK_EXT_ACK: m_ext_ack = v; return {}; // no extended attributes are ever added
        case NETLINK_GET_STRICT_CHK: m_strict = v; return {};
        default: return Errno::ENOPROTOOPT;
        }
    }
    Result<int> get_protocol_option(SocketOption o) override
    {
        if (o.level != SOL_NETLINK) return Errno::ENOPROTOOPT;
        switch (o.name) {
        case NETLINK_BROADCAST_ERROR: return int(m_broadcast_error);
        case NETLINK_NO_ENOBUFS: return int(m_no_enobufs);
        case NETLINK_CAP_ACK: return int(m_cap_ack);
        case NETLINK_EXT_ACK: return int(m_ext_ack);
        case NETLINK_GET_STRICT_CHK: return int(m_strict);
        default: return Errno::ENOPROTOOPT;
        }
    }
    int take_error() override
    {
        int e = m_error;
        m_error = 0;
        return e;
    }

private:
    static NetlinkSocket* find(u32 pid)
    {
        for (NetlinkSocket* s = g_sockets; s; s = s->m_next)
            if (s->m_bound && s->m_portid == pid) return s;
        return nullptr;
    }

    ErrorOr bind_port(u32 pid)
    {
        if (find(pid)) return Errno::EADDRINUSE;
        StackGuard g;
        m_portid = pid;
        m_bound = true;
        m_seen = g_change_serial; // a member hears nothing before it has a port id
        return {};
    }

    // The changes already made are heard with the groups joined before them:
    // a socket hears of a change only if it was a member when it happened.
    ErrorOr set_groups(u32 groups)
    {
        if (groups) TRY(watch_interfaces(on_interface_change));
        take_changes();
        StackGuard g;
        if (!m_groups) m_seen = g_change_serial;
        m_groups = groups;
        return {};
    }

    // Under the stack's lock: whether a change in one of our groups waits.
    bool changes_waiting() const
    {
        if (!m_bound || !m_groups || m_seen == g_change_serial) return false;
        if (g_change_serial - m_seen > EVENTS) return true; // lost some: ENOBUFS waits
        for (u64 k = m_seen; k < g_change_serial; k++)
            if (m_groups & group_bit(g_changes[k % EVENTS].group)) return true;
        return false;
    }

    // The changes not yet seen, as messages on the queue (thread context).
    void take_changes()
    {
        for (;;) {
            InterfaceChange c;
            {
                StackGuard g;
                // Linux broadcasts the kernel's messages to port id 0's
                // group: a member without a port id of its own hears nothing.
                if (!m_bound || !m_groups || m_seen >= g_change_serial) {
                    m_seen = g_change_serial;
                    return;
                }
                if (g_change_serial - m_seen > EVENTS) {
                    m_seen = g_change_serial - EVENTS;
                    overrun();
                }
                const Change& e = g_changes[m_seen++ % EVENTS];
                if (!(m_groups & group_bit(e.group))) continue;
                c = e.change;
            }
            auto message = change_message(c);
            if (message.is_error()) overrun();
            else deliver({ std::move(message.value()), 0, 0 });
        }
    }

    // A message for this socket is lost: the next read says ENOBUFS, unless
    // NETLINK_NO_ENOBUFS (as Linux's netlink_overrun).
    void overrun()
    {
        if (!m_no_enobufs) m_error = int(Errno::ENOBUFS);
    }

    // As Linux's netlink_autobind: the process id first, then -4096, -4097...
    ErrorOr autobind()
    {
        u32 pid = u32(core::process().pid);
        for (u32 rover = u32(-4096); find(pid); rover--) pid = rover;
        return bind_port(pid);
    }

    // Over the receive buffer a reply is dropped and the next read says
    // ENOBUFS (unless NETLINK_NO_ENOBUFS), as Linux's netlink_overrun.
    void deliver(Queued q)
    {
        if (m_queued_bytes + q.bytes.size() > size_t(m_rcvbuf) || m_queue.append(std::move(q)).is_error()) {
            overrun();
        } else {
            m_queued_bytes += m_queue.last().bytes.size();
        }
        notify(this);
    }

    // The messages of one datagram, one request after the other, as
    // netlink_rcv_skb: a message whose length is impossible ends the datagram.
    ErrorOr handle_requests(const Bytes& data)
    {
        for (size_t at = 0; at + sizeof(NlMsgHdr) <= data.size();) {
            const u8* msg = data.data() + at;
            NlMsgHdr h;
            memcpy(&h, msg, sizeof h);
            if (h.len < sizeof h || h.len > data.size() - at) break;
            RouteReply reply;
            TRY(handle_route_request(msg, m_portid, reply));
            u32 dump = 0;
            if (reply.dump) {
                if (++g_dumps == 0) g_dumps++; // 0 means no dump
                dump = g_dumps;
            }
            for (auto& m : reply.messages) deliver({ std::move(m), 0, dump });
            if (!reply.dump && (reply.error || (h.flags & NLM_F_ACK)))
                deliver({ TRY(error_message(msg, reply.error, m_portid, m_cap_ack)), 0, 0 });
            at += nlmsg_align(h.len);
        }
        return {};
    }

    // The first queued message, joined with the dump's messages after it
    // while they fit in one datagram; done once, so a peek and the read after
    // it see the same datagram.
    ErrorOr pack_head()
    {
        Queued& head = m_queue[0];
        if (!head.dump) return {};
        size_t capacity = m_largest_read > NLMSG_GOODSIZE ? m_largest_read : NLMSG_GOODSIZE;
        while (m_queue.size() > 1 && m_queue[1].dump == head.dump &&
               head.bytes.size() + m_queue[1].bytes.size() <= capacity) {
            TRY(append_bytes(head.bytes, m_queue[1].bytes.data(), m_queue[1].bytes.size()));
            m_queue.remove(1);
        }
        head.dump = 0;
        return {};
    }

    NetlinkSocket* m_next { nullptr };
    bool m_bound { false };
    u32 m_portid { 0 }, m_groups { 0 };
    u64 m_seen { 0 }; // the serial of the first change not yet taken
    u32 m_dst_pid { 0 }, m_dst_groups { 0 };
    core::Vector<Queued> m_queue;
    size_t m_queued_bytes { 0 };
    size_t m_largest_read { 0 };
    int m_error { 0 };
    bool m_broadcast_error { false }, m_no_enobufs { false }, m_cap_ack { false }, m_ext_ack { false },
        m_strict { false };
};

// The observer of interface changes (net/interfaces.h): under the stack's
// lock, maybe in an interrupt.
void on_interface_change(const InterfaceChange& change)
{
    Change& slot = g_changes[g_change_serial % EVENTS];
    slot.change = change;
    slot.group = change_group(change);
    g_change_serial++;
    for (NetlinkSocket* s = g_sockets; s; s = s->next()) s->changed(slot.group);
}

} // namespace

Result<core::Ref<Socket>> make_netlink_socket(int type, int protocol)
{
    if (type != SOCK_RAW && type != SOCK_DGRAM) return Errno::ESOCKTNOSUPPORT;
    if (protocol != NETLINK_ROUTE) return Errno::EPROTONOSUPPORT;
    auto* s = new (std::nothrow) NetlinkSocket(type);
    if (!s) return Errno::ENOMEM;
    return core::Ref<Socket>(s);
}

} // namespace net
