#include "syscalls/interface_ioctl.h"
#include "core/string.h"
#include "mm/user_ptr.h"
#include "net/interfaces.h"

namespace sys {

namespace {

// include/uapi/linux/sockios.h
constexpr u32 SIOCGIFNAME = 0x8910, SIOCGIFCONF = 0x8912, SIOCGIFFLAGS = 0x8913, SIOCGIFADDR = 0x8915,
              SIOCGIFBRDADDR = 0x8919, SIOCGIFNETMASK = 0x891b, SIOCGIFMTU = 0x8921, SIOCGIFHWADDR = 0x8927,
              SIOCGIFINDEX = 0x8933;

// struct ifreq: the name, then a union whose largest member (struct ifmap) makes it 40 bytes.
struct IfReq {
    char name[net::IFNAMSIZ];
    union {
        u8 addr[16]; // struct sockaddr
        i16 flags;
        i32 ivalue;
        u8 map[24];
    };
};
static_assert(sizeof(IfReq) == 40);

struct IfConf {
    i32 len, pad;
    u64 buf;
};

void put_ipv4(u8* sockaddr, u32 address)
{
    memset(sockaddr, 0, 16);
    sockaddr[0] = net::AF_INET;
    memcpy(sockaddr + 4, &address, 4);
}

// Linux's dev_ifconf: one entry per IPv4 address (so per interface here),
// or with no buffer the length they need.
Ret interface_list(u64 arg)
{
    IfConf c;
    TRY(mm::copy_from_user(&c, arg, sizeof c));
    net::Interface all[net::MAX_INTERFACES];
    size_t n = TRY(net::list_interfaces(all));
    i32 len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!all[i].has_ipv4) continue;
        if (c.buf) {
            if (c.len - len < i32(sizeof(IfReq))) break;
            IfReq r {};
            memcpy(r.name, all[i].name, sizeof r.name);
            put_ipv4(r.addr, all[i].ipv4);
            TRY(mm::copy_to_user(c.buf + u64(len), &r, sizeof r));
        }
        len += i32(sizeof(IfReq));
    }
    TRY(mm::copy_to_user(arg + offsetof(IfConf, len), &len, sizeof len));
    return i64(0);
}

} // namespace

Ret interface_ioctl(net::Socket& s, u32 request, u64 arg)
{
    switch (request) {
    case SIOCGIFCONF: return interface_list(arg);
    case SIOCGIFNAME: case SIOCGIFFLAGS: case SIOCGIFMTU: case SIOCGIFHWADDR: case SIOCGIFINDEX: break;
    // The IPv4 ones are AF_INET's (devinet_ioctl); other families do not know them.
    case SIOCGIFADDR: case SIOCGIFBRDADDR: case SIOCGIFNETMASK:
        if (s.family() != net::AF_INET) return Errno::ENOTTY;
        break;
    default: return Errno::ENOTTY;
    }
    IfReq r;
    TRY(mm::copy_from_user(&r, arg, sizeof r));
    net::Interface i;
    if (request == SIOCGIFNAME) {
        i = TRY(net::find_interface(int(r.ivalue)));
        memcpy(r.name, i.name, sizeof r.name);
    } else {
        r.name[sizeof r.name - 1] = 0;
        i = TRY(net::find_interface(static_cast<const char*>(r.name)));
    }
    switch (request) {
    case SIOCGIFFLAGS: r.flags = i16(i.flags & 0xffff); break; // IFF_LOWER_UP does not fit: netlink has it
    case SIOCGIFMTU: r.ivalue = i32(i.mtu); break;
    case SIOCGIFINDEX: r.ivalue = i.index; break;
    case SIOCGIFHWADDR:
        memset(r.addr, 0, sizeof r.addr);
        memcpy(r.addr, &i.hw_type, 2);
        memcpy(r.addr + 2, i.mac, 6);
        break;
    case SIOCGIFADDR: case SIOCGIFBRDADDR: case SIOCGIFNETMASK:
        if (!i.has_ipv4) return Errno::EADDRNOTAVAIL;
        put_ipv4(r.addr, request == SIOCGIFADDR ? i.ipv4 : request == SIOCGIFNETMASK ? i.netmask
                         : (i.flags & net::IFF_BROADCAST) ? i.ipv4_broadcast() : 0);
        break;
    }
    TRY(mm::copy_to_user(arg, &r, sizeof r));
    return i64(0);
}

} // namespace sys
