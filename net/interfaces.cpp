#include "net/interfaces.h"
#include "core/format.h"
#include "core/string.h"
#include "net/lwip.h"
#include "net/stack.h"

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

} // namespace

Result<size_t> list_interfaces(Interface* out)
{
    TRY(start());
    StackGuard g;
    size_t n = 0;
    netif* nif;
    NETIF_FOREACH(nif) {
        if (n == MAX_INTERFACES) break;
        describe(nif, out[n++]);
    }
    // lwIP keeps its list newest first.
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && out[b - 1].index > out[b].index; b--) {
            Interface t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
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

} // namespace net
