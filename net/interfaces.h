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

// Fills `out` (at most MAX_INTERFACES), ordered by index; returns how many.
// Starts the stack if needed (ENOMEM when it cannot).
Result<size_t> list_interfaces(Interface* out);
// The interface with this name or index: ENODEV when there is none.
Result<Interface> find_interface(const char* name);
Result<Interface> find_interface(int index);

} // namespace net
