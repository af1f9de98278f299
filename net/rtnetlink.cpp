#include "net/rtnetlink.h"
#include "core/string.h"
#include "net/interfaces.h"
#include "net/socket.h"

namespace net {

namespace {

constexpr u16 IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_TXQLEN = 13,
              IFLA_OPERSTATE = 16, IFLA_LINKMODE = 17;
constexpr u8 IF_OPER_UNKNOWN = 0, IF_OPER_DOWN = 2, IF_OPER_UP = 6;
constexpr u16 IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_CACHEINFO = 6, IFA_FLAGS = 8;
constexpr u16 RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7, RTA_CACHEINFO = 12,
              RTA_TABLE = 15, RTA_PREF = 20;
constexpr u8 RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255, ICMPV6_ROUTER_PREF_MEDIUM = 0;
constexpr u32 RTM_F_CLONED = 0x200;
constexpr u32 USER_HZ = 100; // rta_expires counts clock ticks (sysconf(_SC_CLK_TCK))
constexpr u32 RTNLGRP_LINK = 1, RTNLGRP_IPV4_IFADDR = 5, RTNLGRP_IPV4_ROUTE = 7, RTNLGRP_IPV6_IFADDR = 9,
              RTNLGRP_IPV6_ROUTE = 11;

struct IfInfoMsg {
    u8 family, pad;
    u16 type;
    i32 index;
    u32 flags, change;
};
struct IfAddrMsg {
    u8 family, prefixlen, flags, scope;
    u32 index;
};
struct RtMsg {
    u8 family, dst_len, src_len, tos, table, protocol, scope, type;
    u32 flags;
};
struct IfaCacheinfo {
    u32 preferred, valid, created, updated;
};
struct RtaCacheinfo {
    u32 clntref, lastuse;
    i32 expires;
    u32 error, used, id, ts, tsage;
};

// Builds one message: the header first, its length set by finish().
class Writer {
public:
    Writer(u16 type, u16 flags, u32 seq, u32 pid)
    {
        NlMsgHdr h { 0, type, flags, seq, pid };
        m_status = append_bytes(m_bytes, &h, sizeof h);
    }
    void put(const void* p, size_t n)
    {
        if (m_status.is_error()) return;
        m_status = append_bytes(m_bytes, p, n);
        static const u8 zeros[4] {};
        if (!m_status.is_error() && nlmsg_align(n) != n) m_status = append_bytes(m_bytes, zeros, nlmsg_align(n) - n);
    }
    void attr(u16 type, const void* p, size_t n)
    {
        u16 h[2] = { u16(4 + n), type };
        put(h, sizeof h);
        put(p, n);
    }
    void attr_u32(u16 type, u32 v) { attr(type, &v, sizeof v); }
    void attr_u8(u16 type, u8 v) { attr(type, &v, sizeof v); }
    void attr_string(u16 type, const char* s) { attr(type, s, strlen(s) + 1); }
    Result<Bytes> finish()
    {
        TRY(m_status);
        u32 len = u32(m_bytes.size());
        memcpy(m_bytes.data(), &len, sizeof len);
        return std::move(m_bytes);
    }

private:
    Bytes m_bytes;
    ErrorOr m_status {};
};

Result<Bytes> link_message(const Interface& i, u16 flags, u32 seq, u32 pid)
{
    Writer w(RTM_NEWLINK, flags, seq, pid);
    IfInfoMsg m { 0, 0, i.hw_type, i.index, i.flags, 0 };
    w.put(&m, sizeof m);
    w.attr_string(IFLA_IFNAME, i.name);
    // No queue stands before the card (lwIP writes frames straight into its
    // ring) nor before lo: Linux says 0 for such devices.
    w.attr_u32(IFLA_TXQLEN, 0);
    w.attr_u8(IFLA_OPERSTATE, i.hw_type == ARPHRD_LOOPBACK ? IF_OPER_UNKNOWN : (i.flags & IFF_LOWER_UP) ? IF_OPER_UP : IF_OPER_DOWN);
    w.attr_u8(IFLA_LINKMODE, 0);
    w.attr_u32(IFLA_MTU, i.mtu);
    w.attr(IFLA_ADDRESS, i.mac, 6);
    static const u8 ether_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const u8 none[6] {};
    w.attr(IFLA_BROADCAST, i.hw_type == ARPHRD_ETHER ? ether_broadcast : none, 6);
    return w.finish();
}

Result<Bytes> ipv4_address_message(const Interface& i, u16 type, u16 flags, u32 seq, u32 pid)
{
    Writer w(type, flags, seq, pid);
    bool loopback = i.hw_type == ARPHRD_LOOPBACK;
    // A leased address is "dynamic" with the lease's lifetime, as dhclient adds it on Linux.
    u8 flags4 = i.ipv4_valid_seconds == ~0u ? IFA_F_PERMANENT : 0;
    IfAddrMsg m { AF_INET, i.ipv4_prefix_length, flags4, loopback ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE, u32(i.index) };
    w.put(&m, sizeof m);
    w.attr(IFA_ADDRESS, &i.ipv4, 4);
    w.attr(IFA_LOCAL, &i.ipv4, 4);
    if (i.flags & IFF_BROADCAST) {
        u32 b = i.ipv4_broadcast();
        w.attr(IFA_BROADCAST, &b, 4);
    }
    w.attr_string(IFA_LABEL, i.name);
    w.attr_u32(IFA_FLAGS, flags4);
    IfaCacheinfo c { i.ipv4_valid_seconds, i.ipv4_valid_seconds, 0, 0 };
    w.attr(IFA_CACHEINFO, &c, sizeof c);
    return w.finish();
}

Result<Bytes> ipv6_address_message(const Interface& i, const Ipv6Address& a, u16 type, u16 flags, u32 seq, u32 pid)
{
    Writer w(type, flags, seq, pid);
    IfAddrMsg m { AF_INET6, a.prefix_length, a.flags, a.scope, u32(i.index) };
    w.put(&m, sizeof m);
    w.attr(IFA_ADDRESS, a.address, 16);
    IfaCacheinfo c { a.preferred_seconds, a.valid_seconds, 0, 0 };
    w.attr(IFA_CACHEINFO, &c, sizeof c);
    w.attr_u32(IFA_FLAGS, a.flags);
    return w.finish();
}

// A route of the main table, or (`lookup`) the answer to RTM_GETROUTE for
// one destination, which Linux's IPv4 marks as a clone from its route cache.
Result<Bytes> route_message(const Route& r, u16 type, u16 flags, u32 seq, u32 pid, bool lookup = false)
{
    Writer w(type, flags, seq, pid);
    bool v6 = r.family == AF_INET6;
    size_t alen = v6 ? 16 : 4;
    // Linux's IPv4 keeps local routes in the main table while no rule asks
    // for more (its tables are merged); IPv6's are in the local table.
    u8 table = r.type == RTN_LOCAL && v6 ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
    RtMsg m { r.family, r.dst_len, 0, 0, table, r.protocol, r.scope, r.type, lookup && !v6 ? RTM_F_CLONED : 0 };
    w.put(&m, sizeof m);
    w.attr_u32(RTA_TABLE, table);
    if (r.dst_len) w.attr(RTA_DST, r.dst, alen);
    if (r.metric) w.attr_u32(RTA_PRIORITY, r.metric);
    static const u8 zeros[16] {};
    if (memcmp(r.prefsrc, zeros, alen)) w.attr(RTA_PREFSRC, r.prefsrc, alen);
    if (memcmp(r.gateway, zeros, alen)) w.attr(RTA_GATEWAY, r.gateway, alen);
    w.attr_u32(RTA_OIF, u32(r.oif));
    if (v6) {
        RtaCacheinfo c {};
        c.expires = i32(r.expires_seconds * USER_HZ);
        w.attr(RTA_CACHEINFO, &c, sizeof c);
        w.attr_u8(RTA_PREF, ICMPV6_ROUTER_PREF_MEDIUM);
    }
    return w.finish();
}

Result<Bytes> done_message(u32 seq, u32 pid)
{
    Writer w(NLMSG_DONE, NLM_F_MULTI, seq, pid);
    i32 zero = 0;
    w.put(&zero, sizeof zero);
    return w.finish();
}

ErrorOr dump(u16 type, u8 family, u32 seq, u32 pid, core::Vector<Bytes>& out)
{
    Interface all[MAX_INTERFACES];
    size_t n = TRY(list_interfaces(all));
    // Linux dumps one address family after the other: AF_INET, then AF_INET6.
    bool v4 = family != AF_INET6, v6 = family != AF_INET;
    if (type == RTM_GETLINK) {
        for (size_t k = 0; k < n; k++) TRY(out.append(TRY(link_message(all[k], NLM_F_MULTI, seq, pid))));
    } else if (type == RTM_GETADDR) {
        for (size_t k = 0; k < n && v4; k++)
            if (all[k].has_ipv4) TRY(out.append(TRY(ipv4_address_message(all[k], RTM_NEWADDR, NLM_F_MULTI, seq, pid))));
        for (size_t k = 0; k < n && v6; k++)
            for (size_t a = 0; a < all[k].ipv6_count; a++)
                TRY(out.append(TRY(ipv6_address_message(all[k], all[k].ipv6[a], RTM_NEWADDR, NLM_F_MULTI, seq, pid))));
    } else {
        // The main table, what `ip route` and `ip -6 route` show.
        Route routes[MAX_ROUTES];
        size_t count = TRY(list_routes(routes));
        for (size_t k = 0; k < count; k++)
            if ((routes[k].family == AF_INET && v4) || (routes[k].family == AF_INET6 && v6))
                TRY(out.append(TRY(route_message(routes[k], RTM_NEWROUTE, NLM_F_MULTI, seq, pid))));
    }
    return out.append(TRY(done_message(seq, pid)));
}

// RTM_GETLINK for one link: by ifi_index, else by IFLA_IFNAME.
ErrorOr get_link(const u8* msg, const NlMsgHdr& h, u32 portid, RouteReply& reply)
{
    if (h.len < sizeof h + sizeof(IfInfoMsg)) return Errno::EINVAL;
    IfInfoMsg m;
    memcpy(&m, msg + sizeof h, sizeof m);
    char name[IFNAMSIZ] {};
    if (m.index <= 0) {
        for (size_t at = sizeof h + sizeof m; at + 4 <= h.len;) {
            u16 a[2];
            memcpy(a, msg + at, sizeof a);
            if (a[0] < 4 || at + a[0] > h.len) return Errno::EINVAL;
            if (a[1] == IFLA_IFNAME) {
                size_t n = a[0] - 4u;
                memcpy(name, msg + at + 4, n < IFNAMSIZ - 1 ? n : IFNAMSIZ - 1);
                break;
            }
            at += nlmsg_align(a[0]);
        }
        if (!name[0]) return Errno::EINVAL;
    }
    Interface i = m.index > 0 ? TRY(find_interface(m.index)) : TRY(find_interface(static_cast<const char*>(name)));
    return reply.messages.append(TRY(link_message(i, 0, h.seq, portid)));
}

// RTM_GETROUTE for one destination (`ip route get`): the route lwIP would
// take to RTA_DST (the unspecified address when there is none), through
// RTA_OIF for a link-local one.
ErrorOr get_route(const u8* msg, const NlMsgHdr& h, u32 portid, RouteReply& reply)
{
    if (h.len < sizeof h + sizeof(RtMsg)) return Errno::EINVAL;
    RtMsg m;
    memcpy(&m, msg + sizeof h, sizeof m);
    if (m.family != AF_INET && m.family != AF_INET6) return Errno::EAFNOSUPPORT;
    size_t alen = m.family == AF_INET6 ? 16 : 4;
    u8 dst[16] {};
    u32 oif = 0;
    for (size_t at = sizeof h + sizeof m; at + 4 <= h.len;) {
        u16 a[2];
        memcpy(a, msg + at, sizeof a);
        if (a[0] < 4 || at + a[0] > h.len) return Errno::EINVAL;
        if (a[1] == RTA_DST) {
            if (a[0] - 4u != alen) return Errno::EINVAL;
            memcpy(dst, msg + at + 4, alen);
        }
        if (a[1] == RTA_OIF && a[0] == 8) memcpy(&oif, msg + at + 4, 4);
        at += nlmsg_align(a[0]);
    }
    Route r = TRY(route_to(m.family, dst, int(oif)));
    return reply.messages.append(TRY(route_message(r, RTM_NEWROUTE, 0, h.seq, portid, true)));
}

} // namespace

u32 change_group(const InterfaceChange& c)
{
    switch (c.kind) {
    case InterfaceChange::Kind::Link: return RTNLGRP_LINK;
    case InterfaceChange::Kind::Ipv4Address: return RTNLGRP_IPV4_IFADDR;
    case InterfaceChange::Kind::Ipv6Address: return RTNLGRP_IPV6_IFADDR;
    case InterfaceChange::Kind::Route: return c.route.family == AF_INET6 ? RTNLGRP_IPV6_ROUTE : RTNLGRP_IPV4_ROUTE;
    }
    return 0;
}

Result<Bytes> change_message(const InterfaceChange& c)
{
    switch (c.kind) {
    case InterfaceChange::Kind::Link: return link_message(c.link, 0, 0, 0);
    case InterfaceChange::Kind::Ipv4Address:
        return ipv4_address_message(c.link, c.removed ? RTM_DELADDR : RTM_NEWADDR, 0, 0, 0);
    case InterfaceChange::Kind::Ipv6Address:
        return ipv6_address_message(c.link, c.ipv6, c.removed ? RTM_DELADDR : RTM_NEWADDR, 0, 0, 0);
    case InterfaceChange::Kind::Route: return route_message(c.route, c.removed ? RTM_DELROUTE : RTM_NEWROUTE, 0, 0, 0);
    }
    return Errno::EINVAL;
}

ErrorOr append_bytes(Bytes& b, const void* p, size_t n)
{
    size_t need = b.size() + n;
    if (need > 0) TRY(b.reserve(need));
    for (size_t k = 0; k < n; k++) TRY(b.append(static_cast<const u8*>(p)[k]));
    return {};
}

ErrorOr handle_route_request(const u8* msg, u32 portid, RouteReply& reply)
{
    NlMsgHdr h;
    memcpy(&h, msg, sizeof h);
    reply = {};
    // As rtnetlink_rcv_msg: only requests; control messages are skipped.
    if (!(h.flags & NLM_F_REQUEST) || h.type < NLMSG_MIN_TYPE) return {};
    if (h.type > RTM_MAX) {
        reply.error = int(Errno::EOPNOTSUPP);
        return {};
    }
    if (h.len < sizeof h + 1) return {}; // not even the family byte: ignored
    u8 family = msg[sizeof h];
    bool get = (h.type & 3) == 2;
    ErrorOr r {};
    if (get && (h.flags & NLM_F_DUMP) == NLM_F_DUMP &&
        (h.type == RTM_GETLINK || h.type == RTM_GETADDR || h.type == RTM_GETROUTE)) {
        reply.dump = true;
        r = dump(h.type, family, h.seq, portid, reply.messages);
    } else if (get && h.type == RTM_GETLINK) {
        r = get_link(msg, h, portid, reply);
    } else if (get && h.type == RTM_GETROUTE) {
        r = get_route(msg, h, portid, reply);
    } else {
        r = Errno::EOPNOTSUPP; // changes, and what Elfin has no table for
    }
    if (r.is_error()) {
        if (r.error() == Errno::ENOMEM) return r.error();
        reply.messages.clear();
        reply.dump = false;
        reply.error = int(r.error());
    }
    return {};
}

Result<Bytes> error_message(const u8* request, int error, u32 portid, bool cap_ack)
{
    NlMsgHdr h;
    memcpy(&h, request, sizeof h);
    bool whole = error != 0 && !cap_ack;
    Writer w(NLMSG_ERROR, whole ? 0 : NLM_F_CAPPED, h.seq, portid);
    i32 e = -error;
    w.put(&e, sizeof e);
    w.put(request, whole ? h.len : sizeof h);
    return w.finish();
}

} // namespace net
