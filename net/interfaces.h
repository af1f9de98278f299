#pragma once
// The network interfaces as Linux programs see them (lo, eth0): a snapshot of
// lwIP's netifs taken under the stack's lock, with Linux's names, indexes,
// IFF_* flags and address scopes. Netlink (net/netlink.cpp) and the SIOCGIF*
// ioctls describe interfaces from it, so both say the same thing.
#include "core/result.h"
#include "core/types.h"

namespace net {

// Linux's values (include/uapi/linux/if.h, if_arp.h, rtnetlink.h, if_addr.h).
constexpr u32 IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8, IFF_RUNNING = 0x40,
              IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000;
constexpr u16 ARPHRD_ETHER = 1, ARPHRD_LOOPBACK = 772;
constexpr u8 RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254;
constexpr u8 IFA_F_DEPRECATED = 0x20, IFA_F_TENTATIVE = 0x40, IFA_F_PERMANENT = 0x80;
constexpr size_t IFNAMSIZ = 16;
constexpr size_t MAX_INTERFACES = 8;
constexpr size_t MAX_IPV6_ADDRESSES = 3; // LWIP_IPV6_NUM_ADDRESSES

struct Ipv6Address {
    u8 address[16];
    u8 prefix_length;
    u8 flags; // IFA_F_*
    u8 scope; // RT_SCOPE_*
    u32 valid_seconds, preferred_seconds; // ~0u: forever
};

struct Interface {
    int index;
    char name[IFNAMSIZ];
    u32 flags; // IFF_*
    u32 mtu;
    u16 hw_type; // ARPHRD_*
    u8 mac[6];   // zeros for lo
    bool has_ipv4;
    u32 ipv4, netmask, gateway; // network byte order; gateway 0 when none
    bool is_default;            // the default route goes through it
    u8 ipv4_prefix_length;
    u32 ipv4_valid_seconds;     // what is left of a DHCP lease; ~0u: static, forever
    size_t ipv6_count;
    Ipv6Address ipv6[MAX_IPV6_ADDRESSES];

    u32 ipv4_broadcast() const { return ipv4 | ~netmask; }
};

// One route of the main table, as Linux's `ip route` / `ip -6 route` list it.
constexpr u8 RTPROT_KERNEL = 2, RTPROT_BOOT = 3, RTPROT_RA = 9, RTN_UNICAST = 1, RTN_LOCAL = 2;
constexpr size_t MAX_ROUTES = 24;
struct Route {
    u8 family;            // AF_INET or AF_INET6
    u8 dst_len;           // 0: the default route
    u8 protocol;          // RTPROT_*
    u8 scope;             // RT_SCOPE_*
    u8 dst[16];           // network order, the first 4 bytes for IPv4
    u8 gateway[16];       // all zeros: on-link
    u8 type;              // RTN_UNICAST, or RTN_LOCAL for our own addresses (route_to)
    u8 prefsrc[16];       // the address packets leave from; all zeros: not said
    int oif;              // the interface's index
    u32 metric;           // 0: none given (IPv4's)
    u32 expires_seconds;  // 0: never (an RA's prefix or router lifetime)

    bool same_as(const Route& o) const;
};

// What changed on an interface, as lwIP announced it (watch_interfaces).
struct InterfaceChange {
    enum class Kind : u8 { Link, Ipv4Address, Ipv6Address, Route } kind;
    bool removed;
    Interface link;   // the interface just after the change; for a removed IPv4
                      // address, with that address and its prefix
    Ipv6Address ipv6; // Kind::Ipv6Address
    Route route;      // Kind::Route
};

// Fills `out` (at most MAX_INTERFACES), ordered by index; returns how many.
// Starts the stack if needed (ENOMEM when it cannot).
Result<size_t> list_interfaces(Interface* out);
// The interface with this name or index: ENODEV when there is none.
Result<Interface> find_interface(const char* name);
Result<Interface> find_interface(int index);
// The main table: IPv4's routes, then IPv6's (on-link prefixes from router
// advertisements and static addresses, fe80::/64, default routers).
Result<size_t> list_routes(Route* out);
// The route a packet to `address` (4 or 16 bytes, by `family`) would take,
// with dst_len the whole address: ENETUNREACH when there is none. `oif`
// (0: none) is the interface an IPv6 link-local address is on.
Result<Route> route_to(u8 family, const u8* address, int oif);
// From now on calls `observer` for every change lwIP makes to an interface
// (its link, its addresses, and the routes that follow from them). It runs
// under the stack's lock, maybe in an interrupt (a DHCP reply, a timer): it
// must neither sleep nor allocate. One observer; ENOMEM when lwIP cannot start.
ErrorOr watch_interfaces(void (*observer)(const InterfaceChange&));

} // namespace net
