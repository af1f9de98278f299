#include "net/interfaces.h"
#include "core/format.h"
#include "core/string.h"
#include <span>
#include "net/lwip.h"
#include "net/socket.h"
#include "net/stack.h"
extern "C" {
#include "lwip/ip4.h"
#include "lwip/ip6.h"
#include "lwip/priv/nd6_priv.h"
}

namespace net {

static_assert(LWIP_IPV6_NUM_ADDRESSES <= MAX_IPV6_ADDRESSES, "every IPv6 address of a netif must fit");

namespace {

// Linux calls the loopback interface "lo" and Ethernet cards eth0, eth1...
// (in lwIP "lo" and "et" with a number shared by all netifs).
void linux_name(const netif* nif, char* out)
{
    if (nif->name[0] == 'l' && nif->name[1] == 'o') {
        memcpy(out, "lo", 3);
        return;
    }
    int ordinal = 0;
    netif* other;
    NETIF_FOREACH(other) {
        if (other->num < nif->num && other->name[0] == nif->name[0] && other->name[1] == nif->name[1]) ordinal++;
    }
    if (nif->name[0] == 'e' && nif->name[1] == 't') core::format(out, IFNAMSIZ, "eth%d", ordinal);
    else core::format(out, IFNAMSIZ, "%c%c%d", nif->name[0], nif->name[1], ordinal);
}

int prefix_of(u32 netmask)
{
    u32 m = lwip_ntohl(netmask);
    int n = 0;
    while (m & 0x80000000u) n++, m <<= 1;
    return n;
}

void describe(const netif* nif, Interface& i)
{
    memset(&i, 0, sizeof i);
    i.index = netif_get_index(nif);
    linux_name(nif, i.name);
    bool loopback = nif->name[0] == 'l' && nif->name[1] == 'o';
    if (netif_is_up(nif)) i.flags |= IFF_UP;
    if (netif_is_link_up(nif)) i.flags |= IFF_RUNNING | IFF_LOWER_UP;
    if (loopback) i.flags |= IFF_LOOPBACK;
    if (nif->flags & NETIF_FLAG_BROADCAST) i.flags |= IFF_BROADCAST;
    if (!loopback && nif->flags & (NETIF_FLAG_IGMP | NETIF_FLAG_MLD6)) i.flags |= IFF_MULTICAST;
    // lwIP's loopback has no MTU (0): it passes packets of any size. Linux's
    // is 65536, which is what programs expect to read.
    i.mtu = loopback && nif->mtu == 0 ? 65536 : nif->mtu;
    i.hw_type = loopback ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
    if (nif->hwaddr_len == 6) memcpy(i.mac, nif->hwaddr, 6);
    i.ipv4 = ip4_addr_get_u32(netif_ip4_addr(nif));
    i.has_ipv4 = i.ipv4 != 0;
    i.netmask = ip4_addr_get_u32(netif_ip4_netmask(nif));
    i.ipv4_prefix_length = u8(prefix_of(i.netmask));
    i.gateway = ip4_addr_get_u32(netif_ip4_gw(nif));
    i.ipv4_valid_seconds = ~0u;
    if (dhcp_supplied_address(nif)) {
        // lwIP counts the lease's use in minutes (its coarse timer).
        const dhcp* d = netif_dhcp_data(nif);
        u32 used = u32(d->lease_used) * DHCP_COARSE_TIMER_SECS;
        if (d->offered_t0_lease != ~0u) i.ipv4_valid_seconds = d->offered_t0_lease > used ? d->offered_t0_lease - used : 0;
    }
    i.is_default = nif == netif_default;
    for (int a = 0; a < LWIP_IPV6_NUM_ADDRESSES && i.ipv6_count < MAX_IPV6_ADDRESSES; a++) {
        u8 state = netif_ip6_addr_state(nif, a);
        if (!ip6_addr_isvalid(state) && !ip6_addr_istentative(state)) continue;
        const ip6_addr_t* addr = netif_ip6_addr(nif, a);
        Ipv6Address& out = i.ipv6[i.ipv6_count++];
        memcpy(out.address, addr->addr, 16);
        bool is_static = netif_ip6_addr_isstatic(nif, a);
        out.prefix_length = ip6_addr_isloopback(addr) ? 128 : 64; // lwIP keeps no prefix: SLAAC's and link-local's are /64
        out.scope = ip6_addr_isloopback(addr) ? RT_SCOPE_HOST : ip6_addr_islinklocal(addr) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
        if (is_static) out.flags |= IFA_F_PERMANENT;
        if (ip6_addr_istentative(state)) out.flags |= IFA_F_TENTATIVE;
        // lwIP's VALID state is its DEPRECATED value; a static address never expires.
        if (!is_static && ip6_addr_isdeprecated(state)) out.flags |= IFA_F_DEPRECATED;
        out.valid_seconds = is_static ? ~0u : netif_ip6_addr_valid_life(nif, a);
        out.preferred_seconds = is_static ? ~0u : netif_ip6_addr_pref_life(nif, a);
    }
}

// Every netif, ordered by index (lwIP keeps its list newest first).
size_t describe_all(Interface* out)
{
    size_t n = 0;
    netif* nif;
    NETIF_FOREACH(nif) {
        if (n == MAX_INTERFACES) break;
        describe(nif, out[n++]);
    }
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && out[b - 1].index > out[b].index; b--) {
            Interface t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

// IPv6 routing metrics as Linux gives them: addrconf's prefixes 256, an RA's
// default router 1024 (IP6_RT_PRIO_ADDRCONF, IP6_RT_PRIO_USER).
constexpr u32 METRIC_PREFIX = 256, METRIC_ROUTER = 1024;

class RouteList {
public:
    explicit RouteList(Route* out) : m_out(out) {}
    Route* add(u8 family, u8 dst_len, u8 protocol, u8 scope, int oif)
    {
        if (m_n == MAX_ROUTES) return nullptr;
        Route& r = m_out[m_n++];
        memset(&r, 0, sizeof r);
        r.family = family;
        r.dst_len = dst_len;
        r.protocol = protocol;
        r.scope = scope;
        r.type = RTN_UNICAST;
        r.oif = oif;
        return &r;
    }
    // An IPv6 prefix route unless the list has it already.
    void add_prefix(const u8* prefix, int oif, u32 expires)
    {
        for (size_t k = 0; k < m_n; k++)
            if (m_out[k].family == AF_INET6 && m_out[k].oif == oif && m_out[k].dst_len == 64 &&
                !memcmp(m_out[k].dst, prefix, 8))
                return;
        if (Route* r = add(AF_INET6, 64, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, oif)) {
            memcpy(r->dst, prefix, 8);
            r->metric = METRIC_PREFIX;
            r->expires_seconds = expires;
        }
    }
    size_t count() const { return m_n; }

private:
    Route* m_out;
    size_t m_n { 0 };
};

size_t routes_locked(Route* out)
{
    static Interface all[MAX_INTERFACES]; // under the stack's lock: not on an interrupt's stack
    size_t n = describe_all(all);
    RouteList list(out);
    // IPv4: the default route through the gateway, then each card's subnet.
    for (size_t k = 0; k < n; k++) {
        const Interface& i = all[k];
        if (!i.has_ipv4 || i.hw_type == ARPHRD_LOOPBACK || !(i.flags & IFF_UP)) continue;
        if (i.is_default && i.gateway)
            if (Route* r = list.add(AF_INET, 0, RTPROT_BOOT, RT_SCOPE_UNIVERSE, i.index)) memcpy(r->gateway, &i.gateway, 4);
        if (Route* r = list.add(AF_INET, i.ipv4_prefix_length, RTPROT_KERNEL, RT_SCOPE_LINK, i.index)) {
            u32 dst = i.ipv4 & i.netmask;
            memcpy(r->dst, &dst, 4);
            memcpy(r->prefsrc, &i.ipv4, 4);
        }
    }
    // IPv6, in the order Linux walks its table: the global prefixes (those a
    // router advertised on-link, and those of static addresses), fe80::/64 on
    // every card, the default routers. (::1 is in the local table alone.)
    for (const nd6_prefix_list_entry& p : std::span(prefix_list, LWIP_ND6_NUM_PREFIXES))
        if (p.netif && p.invalidation_timer > 0 && netif_is_up(p.netif))
            list.add_prefix(reinterpret_cast<const u8*>(p.prefix.addr), netif_get_index(p.netif), p.invalidation_timer);
    for (size_t k = 0; k < n; k++)
        for (size_t a = 0; a < all[k].ipv6_count; a++) {
            const Ipv6Address& addr = all[k].ipv6[a];
            if (addr.scope == RT_SCOPE_UNIVERSE && (addr.flags & IFA_F_PERMANENT) && (all[k].flags & IFF_UP))
                list.add_prefix(addr.address, all[k].index, 0);
        }
    for (size_t k = 0; k < n; k++) {
        const Interface& i = all[k];
        if (i.hw_type == ARPHRD_LOOPBACK || !(i.flags & IFF_UP) || !i.ipv6_count) continue;
        static const u8 link_local[8] = { 0xfe, 0x80 };
        list.add_prefix(link_local, i.index, 0);
    }
    for (const nd6_router_list_entry& router : std::span(default_router_list, LWIP_ND6_NUM_ROUTERS)) {
        const nd6_neighbor_cache_entry* n6 = router.neighbor_entry;
        if (!n6 || !n6->netif || router.invalidation_timer == 0) continue;
        if (Route* r = list.add(AF_INET6, 0, RTPROT_RA, RT_SCOPE_UNIVERSE, netif_get_index(n6->netif))) {
            memcpy(r->gateway, n6->next_hop_address.addr, 16);
            r->metric = METRIC_ROUTER;
            r->expires_seconds = router.invalidation_timer;
        }
    }
    return list.count();
}

Route g_routes_seen[MAX_ROUTES]; // the table when the observer last looked
size_t g_routes_seen_count;
void (*g_observer)(const InterfaceChange&);
NETIF_DECLARE_EXT_CALLBACK(g_ext_callback)

void announce_routes()
{
    static Route now[MAX_ROUTES]; // under the stack's lock
    static InterfaceChange c;
    size_t n = routes_locked(now);
    auto has = [](const Route* list, size_t count, const Route& r) {
        for (size_t k = 0; k < count; k++)
            if (list[k].same_as(r)) return true;
        return false;
    };
    for (size_t k = 0; k < g_routes_seen_count; k++)
        if (!has(now, n, g_routes_seen[k])) {
            c = { InterfaceChange::Kind::Route, true, {}, {}, g_routes_seen[k] };
            g_observer(c);
        }
    for (size_t k = 0; k < n; k++)
        if (!has(g_routes_seen, g_routes_seen_count, now[k])) {
            c = { InterfaceChange::Kind::Route, false, {}, {}, now[k] };
            g_observer(c);
        }
    memcpy(g_routes_seen, now, n * sizeof(Route));
    g_routes_seen_count = n;
}

// As lwIP decides (ip6_route, nd6): a destination in a prefix a router
// advertised on-link, or in the /64 of one of the interface's addresses.
bool on_link(const ip6_addr_t& dst, netif* nif)
{
    for (const nd6_prefix_list_entry& p : std::span(prefix_list, LWIP_ND6_NUM_PREFIXES))
        if (p.netif == nif && p.invalidation_timer > 0 && ip6_addr_netcmp_zoneless(&p.prefix, &dst)) return true;
    for (int a = 0; a < LWIP_IPV6_NUM_ADDRESSES; a++)
        if (ip6_addr_isvalid(netif_ip6_addr_state(nif, a)) && ip6_addr_netcmp_zoneless(netif_ip6_addr(nif, a), &dst))
            return true;
    return false;
}

// lwIP's state without its count of duplicate-address probes sent.
u8 ipv6_state(u8 state) { return state & u8(~IP6_ADDR_TENTATIVE_COUNT_MASK); }

// lwIP's extended status callback (LWIP_NETIF_EXT_STATUS_CALLBACK), under the stack's lock.
void on_netif_change(netif* nif, netif_nsc_reason_t reason, const netif_ext_callback_args_t* args)
{
    static InterfaceChange c; // under the stack's lock: not on an interrupt's stack
    if (!g_observer) return;
    memset(&c, 0, sizeof c);
    describe(nif, c.link);
    if (reason & (LWIP_NSC_LINK_CHANGED | LWIP_NSC_STATUS_CHANGED | LWIP_NSC_NETIF_ADDED)) {
        c.kind = InterfaceChange::Kind::Link;
        g_observer(c);
    }
    if ((reason & LWIP_NSC_IPV4_ADDRESS_CHANGED) && args) {
        // The old address goes (if there was one), then the new one comes.
        u32 old = ip4_addr_get_u32(ip_2_ip4(args->ipv4_changed.old_address));
        Interface now = c.link;
        if (old) {
            c.kind = InterfaceChange::Kind::Ipv4Address;
            c.removed = true;
            c.link.ipv4 = old;
            c.link.has_ipv4 = true;
            if (reason & LWIP_NSC_IPV4_NETMASK_CHANGED) {
                c.link.netmask = ip4_addr_get_u32(ip_2_ip4(args->ipv4_changed.old_netmask));
                c.link.ipv4_prefix_length = u8(prefix_of(c.link.netmask));
            }
            g_observer(c);
            c.link = now;
            c.removed = false;
        }
        if (now.has_ipv4) {
            c.kind = InterfaceChange::Kind::Ipv4Address;
            g_observer(c);
        }
    }
    if (reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) {
        int index = args->ipv6_addr_state_changed.addr_index;
        u8 before = ipv6_state(args->ipv6_addr_state_changed.old_state);
        u8 after = ipv6_state(netif_ip6_addr_state(nif, index));
        if (before != after) {
            c.kind = InterfaceChange::Kind::Ipv6Address;
            bool gone = !ip6_addr_isvalid(after) && !ip6_addr_istentative(after);
            if (gone && (ip6_addr_isvalid(before) || ip6_addr_istentative(before))) {
                c.removed = true;
                memcpy(c.ipv6.address, ip_2_ip6(args->ipv6_addr_state_changed.address)->addr, 16);
                c.ipv6.prefix_length = ip6_addr_isloopback(ip_2_ip6(args->ipv6_addr_state_changed.address)) ? 128 : 64;
                c.ipv6.scope = ip6_addr_islinklocal(ip_2_ip6(args->ipv6_addr_state_changed.address)) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
                g_observer(c);
            } else if (!gone) {
                // describe() lists the valid and tentative addresses in order: find this one.
                const ip6_addr_t* addr = netif_ip6_addr(nif, index);
                for (size_t a = 0; a < c.link.ipv6_count; a++)
                    if (!memcmp(c.link.ipv6[a].address, addr->addr, 16)) {
                        c.ipv6 = c.link.ipv6[a];
                        g_observer(c);
                        break;
                    }
            }
        }
    }
    announce_routes();
}

} // namespace

bool Route::same_as(const Route& o) const
{
    return family == o.family && dst_len == o.dst_len && protocol == o.protocol && oif == o.oif &&
           metric == o.metric && !memcmp(dst, o.dst, sizeof dst) && !memcmp(gateway, o.gateway, sizeof gateway);
}

Result<size_t> list_interfaces(Interface* out)
{
    TRY(start());
    StackGuard g;
    return describe_all(out);
}

Result<Interface> find_interface(const char* name)
{
    Interface all[MAX_INTERFACES];
    size_t n = TRY(list_interfaces(all));
    for (size_t i = 0; i < n; i++)
        if (strncmp(all[i].name, name, IFNAMSIZ) == 0) return all[i];
    return Errno::ENODEV;
}

Result<Interface> find_interface(int index)
{
    Interface all[MAX_INTERFACES];
    size_t n = TRY(list_interfaces(all));
    for (size_t i = 0; i < n; i++)
        if (all[i].index == index) return all[i];
    return Errno::ENODEV;
}

Result<size_t> list_routes(Route* out)
{
    TRY(start());
    StackGuard g;
    return routes_locked(out);
}

Result<Route> route_to(u8 family, const u8* address, int oif)
{
    TRY(start());
    StackGuard g;
    Route r {};
    r.family = family;
    r.type = RTN_UNICAST;
    r.protocol = 0; // a lookup's answer, not a table entry
    netif* out;
    if (family == AF_INET) {
        ip4_addr_t dst;
        memcpy(&dst.addr, address, 4);
        out = ip4_route(&dst);
        if (!out) return Errno::ENETUNREACH;
        r.dst_len = 32;
        memcpy(r.dst, address, 4);
        u32 own = ip4_addr_get_u32(netif_ip4_addr(out)), mask = ip4_addr_get_u32(netif_ip4_netmask(out));
        bool loopback = out->name[0] == 'l' && out->name[1] == 'o';
        if (ip4_addr_get_u32(&dst) == own || ip4_addr_isloopback(&dst)) {
            r.type = RTN_LOCAL;
            r.scope = RT_SCOPE_HOST;
            // Linux answers from lo for its own addresses.
            netif* nif;
            NETIF_FOREACH(nif) if (nif->name[0] == 'l' && nif->name[1] == 'o') out = nif;
            own = ip4_addr_get_u32(&dst);
        } else if (!loopback && (ip4_addr_get_u32(&dst) & mask) != (own & mask)) {
            u32 gw = ip4_addr_get_u32(netif_ip4_gw(out));
            memcpy(r.gateway, &gw, 4);
        }
        memcpy(r.prefsrc, &own, 4);
    } else {
        ip6_addr_t dst;
        memcpy(dst.addr, address, 16);
        ip6_addr_clear_zone(&dst);
        // A link-local address names no interface of its own: the one asked
        // for, else the card (Linux's first fe80::/64 route).
        if (ip6_addr_islinklocal(&dst)) out = oif > 0 ? netif_get_by_index(u8(oif)) : netif_default;
        else out = ip6_route(IP6_ADDR_ANY6, &dst);
        if (!out) return Errno::ENETUNREACH;
        r.dst_len = 128;
        memcpy(r.dst, address, 16);
        bool own = false;
        for (int a = 0; a < LWIP_IPV6_NUM_ADDRESSES; a++)
            if (ip6_addr_isvalid(netif_ip6_addr_state(out, a)) && ip6_addr_cmp_zoneless(netif_ip6_addr(out, a), &dst))
                own = true;
        if (own || ip6_addr_isloopback(&dst)) {
            r.type = RTN_LOCAL;
            netif* nif;
            NETIF_FOREACH(nif) if (nif->name[0] == 'l' && nif->name[1] == 'o') out = nif;
            memcpy(r.prefsrc, address, 16);
        } else {
            if (!ip6_addr_islinklocal(&dst) && !on_link(dst, out)) {
                bool routed = false;
                for (const nd6_router_list_entry& router : std::span(default_router_list, LWIP_ND6_NUM_ROUTERS))
                    if (router.neighbor_entry && router.neighbor_entry->netif == out && router.invalidation_timer) {
                        memcpy(r.gateway, router.neighbor_entry->next_hop_address.addr, 16);
                        r.metric = METRIC_ROUTER;
                        routed = true;
                        break;
                    }
                if (!routed) return Errno::ENETUNREACH; // no router has offered itself
            }
            if (const ip_addr_t* src = ip6_select_source_address(out, &dst)) memcpy(r.prefsrc, ip_2_ip6(src)->addr, 16);
        }
        if (!r.metric && r.type != RTN_LOCAL) r.metric = METRIC_PREFIX;
    }
    r.oif = netif_get_index(out);
    return r;
}

ErrorOr watch_interfaces(void (*observer)(const InterfaceChange&))
{
    TRY(start());
    StackGuard g;
    if (g_observer) return {};
    g_routes_seen_count = routes_locked(g_routes_seen);
    g_observer = observer;
    netif_add_ext_callback(&g_ext_callback, on_netif_change);
    return {};
}

} // namespace net
