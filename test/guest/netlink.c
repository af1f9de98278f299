// The network interfaces as programs see them: glibc's getifaddrs,
// if_nameindex and if_nametoindex (netlink and ioctls underneath), the
// SIOCGIF* ioctls, and NETLINK_ROUTE sockets spoken to directly (dumps,
// sequence numbers, acknowledgements, errors, MSG_PEEK|MSG_TRUNC).
//
//   netlink                 lo only (127.0.0.1, ::1): natively and in any VM
//   netlink eth0 A.B.C.D dhcp|static GATEWAY
//                           also eth0 up with that IPv4 address and a /24,
//                           a MAC and an IPv6 link-local address (`--net user`);
//                           leased (dynamic, with a lifetime) or static (permanent);
//                           routes to its /24 and by default through GATEWAY,
//                           fe80::/64, `route get` answers through GATEWAY; and
//                           the IPv6 addresses and routes it hears of (groups
//                           joined before its dump) end where a new dump does
//   netlink ra PREFIX ROUTER
//                           hears what a router's advertisement does (VM only:
//                           test/integration/net_notify.py sends it)
//   netlink dhcp A.B.C.D GATEWAY
//                           hears the DHCP lease come (VM only, as `ra`)
// Runs natively too (but `ra` and `dhcp`).
#include "check.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

static const char *eth_address; // the eth0 expectation, from the arguments
static int eth_static;          // ... and whether it is static rather than leased
static const char *eth_gateway;

static const struct ifaddrs *find(const struct ifaddrs *list, const char *name, int family)
{
    for (const struct ifaddrs *i = list; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == family && strcmp(i->ifa_name, name) == 0)
            return i;
    return NULL;
}

static unsigned ipv4_of(const struct sockaddr *sa) { return ((const struct sockaddr_in *)sa)->sin_addr.s_addr; }

static unsigned char eth_mac[6]; // from getifaddrs' AF_PACKET entry, compared with SIOCGIFHWADDR

static void check_getifaddrs(void)
{
    struct ifaddrs *list;
    if (CHECK_OK(getifaddrs(&list)) < 0)
        return;
    const struct ifaddrs *lo4 = find(list, "lo", AF_INET), *lo6 = find(list, "lo", AF_INET6);
    const struct ifaddrs *lo_link = find(list, "lo", AF_PACKET);
    CHECK(lo4 != NULL);
    CHECK(lo6 != NULL);
    CHECK(lo_link != NULL);
    if (lo4) {
        CHECK_EQ(ntohl(ipv4_of(lo4->ifa_addr)), INADDR_LOOPBACK);
        CHECK_EQ(ntohl(ipv4_of(lo4->ifa_netmask)), 0xff000000u);
        CHECK_EQ(lo4->ifa_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_BROADCAST),
                 IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
    }
    if (lo6) {
        CHECK(IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)lo6->ifa_addr)->sin6_addr));
        static const unsigned char all_ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        CHECK_MEM(&((struct sockaddr_in6 *)lo6->ifa_netmask)->sin6_addr, all_ones, 16); // ::1/128
    }
    if (lo_link) {
        const struct sockaddr_ll *ll = (const struct sockaddr_ll *)lo_link->ifa_addr;
        CHECK_EQ(ll->sll_ifindex, 1);
        CHECK_EQ(ll->sll_hatype, ARPHRD_LOOPBACK);
    }
    if (eth_address) {
        const struct ifaddrs *e4 = find(list, "eth0", AF_INET), *e6 = find(list, "eth0", AF_INET6);
        const struct ifaddrs *elink = find(list, "eth0", AF_PACKET);
        CHECK(e4 != NULL);
        CHECK(e6 != NULL);
        CHECK(elink != NULL);
        if (e4) {
            char text[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &((struct sockaddr_in *)e4->ifa_addr)->sin_addr, text, sizeof text);
            CHECK_STR(text, eth_address);
            CHECK_EQ(ntohl(ipv4_of(e4->ifa_netmask)), 0xffffff00u);
            CHECK_EQ(ipv4_of(e4->ifa_broadaddr), ipv4_of(e4->ifa_addr) | htonl(0xff));
            CHECK_EQ(e4->ifa_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST),
                     IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST);
        }
        int link_local = 0;
        for (const struct ifaddrs *i = list; i; i = i->ifa_next)
            if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 && strcmp(i->ifa_name, "eth0") == 0)
                link_local |= IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr);
        CHECK(link_local);
        if (elink) {
            const struct sockaddr_ll *ll = (const struct sockaddr_ll *)elink->ifa_addr;
            static const unsigned char zeros[6];
            CHECK_EQ(ll->sll_hatype, ARPHRD_ETHER);
            CHECK_EQ(ll->sll_halen, 6);
            CHECK(memcmp(ll->sll_addr, zeros, 6) != 0);
            CHECK_EQ(ll->sll_ifindex, (int)if_nametoindex("eth0"));
            memcpy(eth_mac, ll->sll_addr, 6);
        }
    }
    freeifaddrs(list);
}

static void check_nameindex(void)
{
    CHECK_EQ(if_nametoindex("lo"), 1);
    char name[IF_NAMESIZE];
    CHECK_STR(if_indextoname(1, name), "lo");
    errno = 0;
    CHECK_EQ(if_nametoindex("nosuch0"), 0);
    CHECK_EQ(errno, ENODEV);
    CHECK(if_indextoname(9999, name) == NULL);
    CHECK_EQ(errno, ENXIO); // glibc's translation of ENODEV
    struct if_nameindex *all = if_nameindex();
    CHECK(all != NULL);
    int saw_lo = 0, saw_eth = 0;
    for (struct if_nameindex *i = all; all && i->if_index; i++) {
        if (strcmp(i->if_name, "lo") == 0)
            saw_lo = i->if_index == 1;
        if (strcmp(i->if_name, "eth0") == 0)
            saw_eth = i->if_index == if_nametoindex("eth0") && i->if_index > 1;
    }
    CHECK(saw_lo);
    if (eth_address)
        CHECK(saw_eth);
    if (all)
        if_freenameindex(all);
}

static int ifreq_ioctl(int fd, unsigned long request, const char *name, struct ifreq *r)
{
    memset(r, 0, sizeof *r);
    strncpy(r->ifr_name, name, sizeof r->ifr_name - 1);
    return ioctl(fd, request, r);
}

static void check_ioctls(void)
{
    int fd = CHECK_OK(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    struct ifreq r;
    CHECK_OK(ifreq_ioctl(fd, SIOCGIFFLAGS, "lo", &r));
    CHECK_EQ(r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING), IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
    CHECK_OK(ifreq_ioctl(fd, SIOCGIFMTU, "lo", &r));
    CHECK_EQ(r.ifr_mtu, 65536);
    CHECK_OK(ifreq_ioctl(fd, SIOCGIFINDEX, "lo", &r));
    CHECK_EQ(r.ifr_ifindex, 1);
    memset(&r, 0, sizeof r);
    r.ifr_ifindex = 1;
    CHECK_OK(ioctl(fd, SIOCGIFNAME, &r));
    CHECK_STR(r.ifr_name, "lo");
    CHECK_OK(ifreq_ioctl(fd, SIOCGIFADDR, "lo", &r));
    CHECK_EQ(r.ifr_addr.sa_family, AF_INET);
    CHECK_EQ(ntohl(ipv4_of(&r.ifr_addr)), INADDR_LOOPBACK);
    CHECK_OK(ifreq_ioctl(fd, SIOCGIFNETMASK, "lo", &r));
    CHECK_EQ(ntohl(ipv4_of(&r.ifr_netmask)), 0xff000000u);
    CHECK_OK(ifreq_ioctl(fd, SIOCGIFHWADDR, "lo", &r));
    CHECK_EQ(r.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);
    CHECK_ERR(ifreq_ioctl(fd, SIOCGIFFLAGS, "nosuch0", &r), ENODEV);
    memset(&r, 0, sizeof r);
    r.ifr_ifindex = 9999;
    CHECK_ERR(ioctl(fd, SIOCGIFNAME, &r), ENODEV);
    CHECK_ERR(ioctl(fd, SIOCGIFFLAGS, (void *)16), EFAULT);

    // SIOCGIFCONF: the length it needs, then one entry per IPv4 address.
    struct ifconf c = { .ifc_len = 0, .ifc_buf = NULL };
    CHECK_OK(ioctl(fd, SIOCGIFCONF, &c));
    CHECK(c.ifc_len >= (int)sizeof(struct ifreq));
    CHECK_EQ(c.ifc_len % sizeof(struct ifreq), 0);
    struct ifreq entries[16];
    c.ifc_len = sizeof entries;
    c.ifc_req = entries;
    int saw_lo = 0, saw_eth = 0;
    if (CHECK_OK(ioctl(fd, SIOCGIFCONF, &c)) == 0) {
        for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++) {
            CHECK_EQ(entries[i].ifr_addr.sa_family, AF_INET);
            if (strcmp(entries[i].ifr_name, "lo") == 0)
                saw_lo = ntohl(ipv4_of(&entries[i].ifr_addr)) == INADDR_LOOPBACK;
            if (eth_address && strcmp(entries[i].ifr_name, "eth0") == 0)
                saw_eth = ipv4_of(&entries[i].ifr_addr) == inet_addr(eth_address);
        }
    }
    CHECK(saw_lo);
    if (eth_address) {
        CHECK(saw_eth);
        CHECK_OK(ifreq_ioctl(fd, SIOCGIFADDR, "eth0", &r));
        CHECK_EQ(ipv4_of(&r.ifr_addr), inet_addr(eth_address));
        CHECK_OK(ifreq_ioctl(fd, SIOCGIFBRDADDR, "eth0", &r));
        CHECK_EQ(ipv4_of(&r.ifr_broadaddr), inet_addr(eth_address) | htonl(0xff));
        CHECK_OK(ifreq_ioctl(fd, SIOCGIFHWADDR, "eth0", &r));
        CHECK_EQ(r.ifr_hwaddr.sa_family, ARPHRD_ETHER);
        CHECK_MEM(r.ifr_hwaddr.sa_data, eth_mac, 6);
        CHECK_OK(ifreq_ioctl(fd, SIOCGIFMTU, "eth0", &r));
        CHECK_EQ(r.ifr_mtu, 1500);
        CHECK_OK(ifreq_ioctl(fd, SIOCGIFFLAGS, "eth0", &r));
        CHECK_EQ(r.ifr_flags & (IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOOPBACK), IFF_UP | IFF_BROADCAST | IFF_RUNNING);
    }
    close(fd);
    // The interface ioctls work on every socket, the IPv4 ones on AF_INET's only.
    fd = CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    CHECK_OK(ifreq_ioctl(fd, SIOCGIFINDEX, "lo", &r));
    CHECK_EQ(r.ifr_ifindex, 1);
    close(fd);
}

// ---------------------------------------------------------------- netlink

struct request {
    struct nlmsghdr h;
    struct ifinfomsg link;
    char attrs[64];
};

// A request to the kernel, and to the members of `groups` as well (0: none).
static void send_request_to(int fd, unsigned groups, int type, int flags, unsigned seq, int index, size_t extra)
{
    struct request q;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.link) + extra;
    q.h.nlmsg_type = type;
    q.h.nlmsg_flags = NLM_F_REQUEST | flags;
    q.h.nlmsg_seq = seq;
    q.link.ifi_family = AF_UNSPEC;
    q.link.ifi_index = index;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK, .nl_groups = groups };
    CHECK_EQ(sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel), q.h.nlmsg_len);
}

static void send_request(int fd, int type, int flags, unsigned seq, int index, size_t extra)
{
    send_request_to(fd, 0, type, flags, seq, index, extra);
}

static char reply[65536];

// One datagram, peeked at first for its size as iproute2 does
// (MSG_PEEK|MSG_TRUNC with no buffer), then read; the sender must be the kernel.
static ssize_t receive(int fd)
{
    ssize_t size = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
    CHECK(size >= (ssize_t)NLMSG_HDRLEN);
    struct sockaddr_nl from;
    struct iovec iov = { reply, sizeof reply };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n = recvmsg(fd, &m, 0);
    CHECK_EQ(n, size);
    CHECK_EQ(m.msg_namelen, sizeof from);
    CHECK_EQ(from.nl_family, AF_NETLINK);
    CHECK_EQ(from.nl_pid, 0);
    CHECK_EQ(m.msg_flags & MSG_TRUNC, 0);
    return n;
}

struct dump_result {
    int messages, done, bad_seq, bad_pid, bad_type;
    int lo_link, lo_mtu, lo_v4, lo_v6, eth_v4, datagrams_with_many;
    unsigned eth_v4_flags, eth_v4_valid;
    int eth_subnet_route, eth_default_route;
};

static void scan_attrs(struct dump_result *d, const struct nlmsghdr *h)
{
    if (h->nlmsg_type == RTM_NEWLINK) {
        const struct ifinfomsg *ifi = NLMSG_DATA(h);
        int len = IFLA_PAYLOAD(h), is_lo = 0;
        for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == IFLA_IFNAME && strcmp(RTA_DATA(a), "lo") == 0)
                is_lo = 1;
            if (a->rta_type == IFLA_MTU && ifi->ifi_index == 1)
                d->lo_mtu = *(unsigned *)RTA_DATA(a);
        }
        if (is_lo && ifi->ifi_index == 1 && ifi->ifi_type == ARPHRD_LOOPBACK && (ifi->ifi_flags & IFF_LOOPBACK))
            d->lo_link = 1;
    } else if (h->nlmsg_type == RTM_NEWROUTE && eth_address) {
        const struct rtmsg *rt = NLMSG_DATA(h);
        int len = RTM_PAYLOAD(h);
        unsigned dst = 0, gateway = 0, oif = 0;
        for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == RTA_DST)
                dst = *(unsigned *)RTA_DATA(a);
            if (a->rta_type == RTA_GATEWAY)
                gateway = *(unsigned *)RTA_DATA(a);
            if (a->rta_type == RTA_OIF)
                oif = *(unsigned *)RTA_DATA(a);
        }
        if (rt->rtm_family != AF_INET || rt->rtm_table != RT_TABLE_MAIN || oif != if_nametoindex("eth0"))
            return;
        if (rt->rtm_dst_len == 24 && dst == (inet_addr(eth_address) & htonl(0xffffff00)) && !gateway)
            d->eth_subnet_route = 1;
        if (rt->rtm_dst_len == 0 && gateway == inet_addr(eth_gateway))
            d->eth_default_route = 1;
    } else if (h->nlmsg_type == RTM_NEWADDR) {
        const struct ifaddrmsg *ifa = NLMSG_DATA(h);
        int len = IFA_PAYLOAD(h);
        unsigned valid = 0;
        for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
            if (a->rta_type == IFA_CACHEINFO)
                valid = ((struct ifa_cacheinfo *)RTA_DATA(a))->ifa_valid;
        len = IFA_PAYLOAD(h);
        for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type != IFA_ADDRESS)
                continue;
            if (ifa->ifa_family == AF_INET && ifa->ifa_index == 1 && ifa->ifa_prefixlen == 8 &&
                ntohl(*(unsigned *)RTA_DATA(a)) == INADDR_LOOPBACK && ifa->ifa_scope == RT_SCOPE_HOST &&
                (ifa->ifa_flags & IFA_F_PERMANENT) && valid == 0xffffffffu)
                d->lo_v4 = 1;
            if (ifa->ifa_family == AF_INET6 && ifa->ifa_index == 1 && ifa->ifa_prefixlen == 128 &&
                IN6_IS_ADDR_LOOPBACK((struct in6_addr *)RTA_DATA(a)))
                d->lo_v6 = 1;
            if (eth_address && ifa->ifa_family == AF_INET && ifa->ifa_prefixlen == 24 &&
                *(unsigned *)RTA_DATA(a) == inet_addr(eth_address) && ifa->ifa_index == if_nametoindex("eth0")) {
                d->eth_v4 = 1;
                d->eth_v4_flags = ifa->ifa_flags;
                d->eth_v4_valid = valid;
            }
        }
    }
}

// Reads a dump to its NLMSG_DONE: every message must carry the request's
// sequence number and our port id, and be of `type` (or the end).
static struct dump_result read_dump(int fd, unsigned seq, unsigned pid, int type)
{
    struct dump_result d = { 0 };
    for (int datagrams = 0; !d.done && datagrams < 100; datagrams++) {
        ssize_t n = receive(fd);
        if (n <= 0)
            break;
        int in_this = 0;
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            d.messages++;
            in_this++;
            d.bad_seq += h->nlmsg_seq != seq;
            d.bad_pid += h->nlmsg_pid != pid;
            if (h->nlmsg_type == NLMSG_DONE) {
                d.done = 1;
                CHECK(h->nlmsg_flags & NLM_F_MULTI);
                break;
            }
            d.bad_type += h->nlmsg_type != type || !(h->nlmsg_flags & NLM_F_MULTI);
            scan_attrs(&d, h);
        }
        d.datagrams_with_many += in_this > 1;
    }
    return d;
}

// The NLMSG_ERROR answering request `seq`: its errno (0: an acknowledgement).
static int read_error(int fd, unsigned seq, unsigned pid, int request_type)
{
    ssize_t n = receive(fd);
    struct nlmsghdr *h = (struct nlmsghdr *)reply;
    if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || !NLMSG_OK(h, n)) {
        CHECK(!"an NLMSG_ERROR");
        return -1;
    }
    CHECK_EQ(h->nlmsg_type, NLMSG_ERROR);
    CHECK_EQ(h->nlmsg_seq, seq);
    CHECK_EQ(h->nlmsg_pid, pid);
    struct nlmsgerr *e = NLMSG_DATA(h);
    CHECK_EQ(e->msg.nlmsg_type, request_type);
    CHECK_EQ(e->msg.nlmsg_seq, seq);
    return -e->error;
}

static unsigned open_route(int type, int *fd_out)
{
    int fd = CHECK_OK(socket(AF_NETLINK, type | SOCK_CLOEXEC, NETLINK_ROUTE));
    struct sockaddr_nl a = { .nl_family = AF_NETLINK };
    CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof a));
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    CHECK_EQ(len, sizeof a);
    CHECK_EQ(a.nl_family, AF_NETLINK);
    CHECK(a.nl_pid != 0);
    *fd_out = fd;
    return a.nl_pid;
}

// "hello" from `fd` to `to` must reach `receiver`, from port id `pid`.
static void send_hello(int fd, const struct sockaddr_nl *to, int receiver, unsigned pid)
{
    CHECK_EQ(sendto(fd, "hello", 5, 0, (const struct sockaddr *)to, sizeof *to), 5);
    struct sockaddr_nl from;
    socklen_t from_len = sizeof from;
    char text[8] = { 0 };
    CHECK_EQ(recvfrom(receiver, text, sizeof text, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len), 5);
    CHECK_STR(text, "hello");
    CHECK_EQ(from.nl_pid, pid);
}

static void check_netlink(void)
{
    int fd;
    unsigned pid = open_route(SOCK_RAW, &fd);

    send_request(fd, RTM_GETLINK, NLM_F_DUMP, 4242, 0, 0);
    struct dump_result d = read_dump(fd, 4242, pid, RTM_NEWLINK);
    CHECK(d.done);
    CHECK_EQ(d.bad_seq + d.bad_pid + d.bad_type, 0);
    CHECK(d.lo_link);
    CHECK_EQ(d.lo_mtu, 65536);
    CHECK(d.messages >= 2 + (eth_address != NULL)); // the links and the end
    CHECK(d.datagrams_with_many >= 1);              // packed as Linux packs a dump

    send_request(fd, RTM_GETADDR, NLM_F_DUMP, 4243, 0, 0);
    d = read_dump(fd, 4243, pid, RTM_NEWADDR);
    CHECK(d.done);
    CHECK_EQ(d.bad_seq + d.bad_pid + d.bad_type, 0);
    CHECK(d.lo_v4);
    CHECK(d.lo_v6);
    if (eth_address) {
        CHECK(d.eth_v4);
        if (eth_static) { // permanent, forever
            CHECK(d.eth_v4_flags & IFA_F_PERMANENT);
            CHECK_EQ(d.eth_v4_valid, 0xffffffffu);
        } else { // dynamic, for what is left of the lease
            CHECK_EQ(d.eth_v4_flags & IFA_F_PERMANENT, 0);
            CHECK(d.eth_v4_valid > 0 && d.eth_v4_valid != 0xffffffffu);
        }
    }

    send_request(fd, RTM_GETROUTE, NLM_F_DUMP, 4245, 0, 0);
    d = read_dump(fd, 4245, pid, RTM_NEWROUTE);
    CHECK(d.done);
    CHECK_EQ(d.bad_seq + d.bad_pid + d.bad_type, 0);
    if (eth_address) {
        CHECK(d.eth_subnet_route);
        CHECK(d.eth_default_route);
    }

    // The short form (header and rtgenmsg, 17 bytes, the datagram no longer
    // than that): a dump all the same.
    struct {
        struct nlmsghdr h;
        struct rtgenmsg g;
    } __attribute__((packed)) shortq = { { NLMSG_LENGTH(sizeof(struct rtgenmsg)), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 4244, 0 },
                                         { AF_UNSPEC } };
    CHECK_EQ(send(fd, &shortq, sizeof shortq, 0), 17);
    d = read_dump(fd, 4244, pid, RTM_NEWLINK);
    CHECK(d.done && d.lo_link);
    // A header whose length runs past the datagram: nothing is answered.
    shortq.h.nlmsg_len = 64;
    shortq.h.nlmsg_flags |= NLM_F_ACK;
    CHECK_EQ(send(fd, &shortq, sizeof shortq, 0), 17);
    CHECK_ERR(recv(fd, reply, sizeof reply, MSG_DONTWAIT), EAGAIN);

    // A type no kernel knows: EOPNOTSUPP, with the request echoed.
    send_request(fd, 0x1234, NLM_F_ACK, 77, 0, 0);
    CHECK_EQ(read_error(fd, 77, pid, 0x1234), EOPNOTSUPP);
    // One link by index: the link, then the acknowledgement asked for.
    send_request(fd, RTM_GETLINK, NLM_F_ACK, 78, 1, 0);
    ssize_t n = receive(fd);
    struct nlmsghdr *h = (struct nlmsghdr *)reply;
    CHECK(NLMSG_OK(h, n));
    CHECK_EQ(h->nlmsg_type, RTM_NEWLINK);
    CHECK_EQ(h->nlmsg_seq, 78);
    CHECK_EQ(((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index, 1);
    CHECK_EQ(read_error(fd, 78, pid, RTM_GETLINK), 0);
    // No such link.
    send_request(fd, RTM_GETLINK, 0, 79, 9999, 0);
    CHECK_EQ(read_error(fd, 79, pid, RTM_GETLINK), ENODEV);
    // Nothing left: a non-blocking read says so.
    CHECK_ERR(recv(fd, reply, sizeof reply, MSG_DONTWAIT), EAGAIN);

    // A read too small for the datagram: cut, MSG_TRUNC, and the rest is gone.
    send_request(fd, RTM_GETLINK, NLM_F_DUMP, 80, 0, 0);
    struct iovec iov = { reply, 8 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ(recvmsg(fd, &m, 0), 8);
    CHECK(m.msg_flags & MSG_TRUNC);
    // (the rest of the dump follows: drained below)
    while (recv(fd, reply, sizeof reply, MSG_DONTWAIT) > 0) {
    }

    // A second socket gets another port id; the first one's is taken.
    int fd2;
    unsigned pid2 = open_route(SOCK_DGRAM, &fd2);
    CHECK(pid2 != pid);
    struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_pid = pid };
    int fd3 = CHECK_OK(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    CHECK_ERR(bind(fd3, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    a.nl_family = AF_INET;
    CHECK_ERR(bind(fd3, (struct sockaddr *)&a, sizeof a), EINVAL);
    close(fd3);
    // SOCK_DGRAM answers the same way.
    send_request(fd2, RTM_GETADDR, NLM_F_DUMP, 5, 0, 0);
    d = read_dump(fd2, 5, pid2, RTM_NEWADDR);
    CHECK(d.done && d.lo_v4);
    // One netlink socket to another: the datagram arrives from its port id.
    struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = pid2 };
    send_hello(fd, &to, fd2, pid);
    close(fd2);
    to.nl_pid = pid2; // closed: nobody has it now
    CHECK_ERR(sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, sizeof to), ECONNREFUSED);
    close(fd);

    CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 30), EPROTONOSUPPORT);
}

// ---------------------------------------------------------------- groups

// Membership: nl_groups at bind and NETLINK_ADD/DROP_MEMBERSHIP, both seen
// in getsockname; a datagram to a group reaches its members but not the
// sender; a member whose queue overflows is told ENOBUFS once, on its next
// read, before what it kept (unless NETLINK_NO_ENOBUFS).
static unsigned groups_of(int fd)
{
    struct sockaddr_nl a;
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    return a.nl_groups;
}

static void check_groups(void)
{
    int member = CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR };
    CHECK_OK(bind(member, (struct sockaddr *)&a, sizeof a));
    CHECK_EQ(groups_of(member), RTMGRP_LINK | RTMGRP_IPV4_IFADDR);

    int sender;
    unsigned sender_pid = open_route(SOCK_RAW, &sender);
    int g = RTNLGRP_IPV6_IFADDR;
    CHECK_OK(setsockopt(sender, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g));
    g = RTNLGRP_IPV6_ROUTE;
    CHECK_OK(setsockopt(sender, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g));
    CHECK_EQ(groups_of(sender), RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE);
    g = RTNLGRP_IPV6_IFADDR;
    CHECK_OK(setsockopt(sender, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &g, sizeof g));
    CHECK_EQ(groups_of(sender), RTMGRP_IPV6_ROUTE);
    g = 0;
    CHECK_ERR(setsockopt(sender, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g), EINVAL);

    // Sending to a group takes CAP_NET_ADMIN on Linux: natively as root only.
    if (geteuid() == 0) {
        struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
        send_hello(sender, &to, member, sender_pid);
        char text[8];
        // Not back to the sender, which joins too.
        g = RTNLGRP_LINK;
        CHECK_OK(setsockopt(sender, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g));
        CHECK_EQ(sendto(sender, "again", 5, 0, (struct sockaddr *)&to, sizeof to), 5);
        CHECK_ERR(recv(sender, text, sizeof text, MSG_DONTWAIT), EAGAIN);
        CHECK_EQ(recv(member, text, sizeof text, MSG_DONTWAIT), 5);
        // With port id 0 the kernel gets it too, as a request: the member its
        // copy, the sender the kernel's answer.
        send_request_to(sender, RTMGRP_LINK, RTM_GETLINK, 0, 55, 1, 0);
        ssize_t n = recv(member, reply, sizeof reply, MSG_DONTWAIT);
        CHECK(n >= (ssize_t)NLMSG_HDRLEN && ((struct nlmsghdr *)reply)->nlmsg_type == RTM_GETLINK);
        n = receive(sender);
        CHECK(n >= (ssize_t)NLMSG_HDRLEN && ((struct nlmsghdr *)reply)->nlmsg_type == RTM_NEWLINK &&
              ((struct nlmsghdr *)reply)->nlmsg_seq == 55);

        // Overflow: a small receive buffer and more than it holds.
        int small = 4096, one = 1;
        CHECK_OK(setsockopt(member, SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
        int quiet = CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
        struct sockaddr_nl q = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
        CHECK_OK(bind(quiet, (struct sockaddr *)&q, sizeof q));
        CHECK_OK(setsockopt(quiet, SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
        CHECK_OK(setsockopt(quiet, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one));
        static char big[1024];
        for (int k = 0; k < 64; k++)
            CHECK_EQ(sendto(sender, big, sizeof big, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)sizeof big);
        CHECK_ERR(recv(member, big, sizeof big, MSG_DONTWAIT), ENOBUFS);
        CHECK_EQ(recv(member, big, sizeof big, MSG_DONTWAIT), (ssize_t)sizeof big); // what fitted is kept
        CHECK_EQ(recv(quiet, big, sizeof big, MSG_DONTWAIT), (ssize_t)sizeof big);
        close(quiet);
    }
    close(member);
    close(sender);
}

// ---------------------------------------------------------------- routes

struct route_info {
    int family, dst_len, table, protocol, type;
    unsigned flags, oif, metric;
    unsigned char dst[16], gateway[16], prefsrc[16];
};

static void parse_route(const struct nlmsghdr *h, struct route_info *r)
{
    const struct rtmsg *rt = NLMSG_DATA(h);
    memset(r, 0, sizeof *r);
    r->family = rt->rtm_family;
    r->dst_len = rt->rtm_dst_len;
    r->table = rt->rtm_table;
    r->protocol = rt->rtm_protocol;
    r->type = rt->rtm_type;
    r->flags = rt->rtm_flags;
    int len = RTM_PAYLOAD(h);
    for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        size_t n = RTA_PAYLOAD(a) < 16 ? RTA_PAYLOAD(a) : 16;
        if (a->rta_type == RTA_TABLE)
            r->table = *(unsigned *)RTA_DATA(a);
        if (a->rta_type == RTA_OIF)
            r->oif = *(unsigned *)RTA_DATA(a);
        if (a->rta_type == RTA_PRIORITY)
            r->metric = *(unsigned *)RTA_DATA(a);
        if (a->rta_type == RTA_DST)
            memcpy(r->dst, RTA_DATA(a), n);
        if (a->rta_type == RTA_GATEWAY)
            memcpy(r->gateway, RTA_DATA(a), n);
        if (a->rta_type == RTA_PREFSRC)
            memcpy(r->prefsrc, RTA_DATA(a), n);
    }
}

// A route dump of `family`: how many routes of each family it had, and
// whether eth0's fe80::/64 was among them.
struct route_dump {
    int done, bad, v4, v6, eth_link_local, eth_default6;
};

static struct route_dump dump_routes(int fd, unsigned pid, int family, unsigned seq)
{
    struct {
        struct nlmsghdr h;
        struct rtmsg r;
    } q = { { NLMSG_LENGTH(sizeof(struct rtmsg)), RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq, 0 }, { .rtm_family = family } };
    CHECK_EQ(send(fd, &q, q.h.nlmsg_len, 0), q.h.nlmsg_len);
    struct route_dump d = { 0 };
    for (int datagrams = 0; !d.done && datagrams < 100; datagrams++) {
        ssize_t n = receive(fd);
        if (n <= 0)
            break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            d.bad += h->nlmsg_seq != seq || h->nlmsg_pid != pid;
            if (h->nlmsg_type == NLMSG_DONE) {
                d.done = 1;
                break;
            }
            if (h->nlmsg_type != RTM_NEWROUTE) {
                d.bad++;
                continue;
            }
            struct route_info r;
            parse_route(h, &r);
            d.v4 += r.family == AF_INET;
            d.v6 += r.family == AF_INET6;
            d.bad += r.family != AF_INET && r.family != AF_INET6;
            unsigned eth = eth_address ? if_nametoindex("eth0") : 0;
            static const unsigned char fe80[16] = { 0xfe, 0x80 }, zero[16];
            if (eth && r.family == AF_INET6 && r.oif == eth && r.table == RT_TABLE_MAIN) {
                if (r.dst_len == 64 && !memcmp(r.dst, fe80, 16) && r.protocol == RTPROT_KERNEL && r.metric == 256 &&
                    !memcmp(r.gateway, zero, 16))
                    d.eth_link_local = 1;
                if (r.dst_len == 0 && r.protocol == RTPROT_RA && IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)r.gateway))
                    d.eth_default6 = 1;
            }
        }
    }
    return d;
}

// RTM_GETROUTE for one address: the route the kernel would take.
static int route_get(int fd, int family, const void *address, struct route_info *out)
{
    struct {
        struct nlmsghdr h;
        struct rtmsg r;
        struct rtattr a;
        unsigned char dst[16];
    } q;
    size_t alen = family == AF_INET ? 4 : 16;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.r) + RTA_LENGTH(alen);
    q.h.nlmsg_type = RTM_GETROUTE;
    q.h.nlmsg_flags = NLM_F_REQUEST;
    q.h.nlmsg_seq = 900;
    q.r.rtm_family = family;
    q.r.rtm_dst_len = alen * 8;
    q.a.rta_type = RTA_DST;
    q.a.rta_len = RTA_LENGTH(alen);
    memcpy(q.dst, address, alen);
    CHECK_EQ(send(fd, &q, q.h.nlmsg_len, 0), q.h.nlmsg_len);
    ssize_t n = receive(fd);
    struct nlmsghdr *h = (struct nlmsghdr *)reply;
    if (!NLMSG_OK(h, n))
        return -1;
    CHECK_EQ(h->nlmsg_seq, 900);
    if (h->nlmsg_type == NLMSG_ERROR)
        return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
    CHECK_EQ(h->nlmsg_type, RTM_NEWROUTE);
    parse_route(h, out);
    return 0;
}

// RTM_GETROUTE for one of our own addresses: local, on lo.
static void check_local_route(int fd, int family, const void *address, int table)
{
    struct route_info r;
    size_t alen = family == AF_INET ? 4 : 16;
    CHECK_EQ(route_get(fd, family, address, &r), 0);
    CHECK_EQ(r.family, family);
    CHECK_EQ(r.type, RTN_LOCAL);
    CHECK_EQ(r.table, table);
    CHECK_EQ(r.dst_len, alen * 8);
    CHECK_MEM(r.dst, address, alen);
    CHECK_EQ(r.oif, 1);
    CHECK_EQ(!!(r.flags & RTM_F_CLONED), family == AF_INET); // IPv4 answers from its route cache
}

static void check_routes(void)
{
    int fd;
    unsigned pid = open_route(SOCK_RAW, &fd);
    // Each family's dump has its own routes only; AF_UNSPEC has both.
    struct route_dump d4 = dump_routes(fd, pid, AF_INET, 300), d6 = dump_routes(fd, pid, AF_INET6, 301);
    struct route_dump all = dump_routes(fd, pid, AF_UNSPEC, 302);
    CHECK(d4.done && d6.done && all.done);
    CHECK_EQ(d4.bad + d6.bad + all.bad, 0);
    CHECK_EQ(d4.v6, 0);
    CHECK_EQ(d6.v4, 0);
    CHECK_EQ(all.v4, d4.v4);
    CHECK_EQ(all.v6, d6.v6);
    if (eth_address) {
        CHECK(d6.eth_link_local); // fe80::/64 dev eth0 proto kernel metric 256
        CHECK(all.eth_link_local);
    }

    // `ip route get`: our own addresses are local, on lo (IPv6's in the local
    // table, IPv4's in the main one, which Linux merges the local one into).
    unsigned loopback4 = htonl(INADDR_LOOPBACK);
    check_local_route(fd, AF_INET, &loopback4, RT_TABLE_MAIN);
    check_local_route(fd, AF_INET6, &in6addr_loopback, RT_TABLE_LOCAL);
    struct route_info r;
    if (eth_address) {
        unsigned away = inet_addr("192.0.2.1"), gateway = inet_addr(eth_gateway), own = inet_addr(eth_address);
        CHECK_EQ(route_get(fd, AF_INET, &away, &r), 0);
        CHECK_EQ(r.type, RTN_UNICAST);
        CHECK_EQ(r.table, RT_TABLE_MAIN);
        CHECK_MEM(r.dst, &away, 4);
        CHECK_MEM(r.gateway, &gateway, 4);
        CHECK_MEM(r.prefsrc, &own, 4);
        CHECK_EQ(r.oif, if_nametoindex("eth0"));
        CHECK_EQ(route_get(fd, AF_INET, &gateway, &r), 0); // on-link: no gateway
        CHECK_EQ(r.oif, if_nametoindex("eth0"));
        CHECK_MEM(r.gateway, "\0\0\0\0", 4);
        CHECK_EQ(route_get(fd, AF_INET, &own, &r), 0);
        CHECK_EQ(r.type, RTN_LOCAL);
        CHECK_EQ(r.oif, 1);
    }
    // A destination of the wrong size is refused.
    struct {
        struct nlmsghdr h;
        struct rtmsg r;
        struct rtattr a;
        unsigned char dst[4];
    } bad = { { sizeof bad, RTM_GETROUTE, NLM_F_REQUEST, 901, 0 }, { .rtm_family = AF_INET6 }, { RTA_LENGTH(4), RTA_DST }, { 1, 2, 3, 4 } };
    CHECK_EQ(send(fd, &bad, sizeof bad, 0), sizeof bad);
    CHECK_EQ(read_error(fd, 901, pid, RTM_GETROUTE), EINVAL);
    close(fd);
}

// ---------------------------------------------------------------- notifications

// eth0's IPv6 addresses (global and link-local) as a list kept from a dump
// and then from the notifications.
#define MAX_VIEW 8
struct view {
    int count;
    struct {
        unsigned char address[16];
        unsigned flags;
    } addr[MAX_VIEW];
    int default_routes;
    int news, dels; // notifications applied
};

static int view_find(struct view *v, const unsigned char *address)
{
    for (int k = 0; k < v->count; k++)
        if (!memcmp(v->addr[k].address, address, 16))
            return k;
    return -1;
}

// Applies one RTM_NEWADDR/RTM_DELADDR (IPv6, eth0) or RTM_NEWROUTE/RTM_DELROUTE
// (IPv6 default) message to `v`.
static void view_apply(struct view *v, const struct nlmsghdr *h, unsigned eth)
{
    if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR) {
        const struct ifaddrmsg *ifa = NLMSG_DATA(h);
        if (ifa->ifa_family != AF_INET6 || ifa->ifa_index != eth)
            return;
        unsigned flags = ifa->ifa_flags;
        const unsigned char *address = NULL;
        int len = IFA_PAYLOAD(h);
        for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
            if (a->rta_type == IFA_ADDRESS)
                address = RTA_DATA(a);
            if (a->rta_type == IFA_FLAGS)
                flags = *(unsigned *)RTA_DATA(a);
        }
        if (!address)
            return;
        int k = view_find(v, address);
        if (h->nlmsg_type == RTM_DELADDR) {
            if (k >= 0)
                v->addr[k] = v->addr[--v->count];
            return;
        }
        if (k < 0 && v->count < MAX_VIEW)
            k = v->count++;
        if (k >= 0) {
            memcpy(v->addr[k].address, address, 16);
            v->addr[k].flags = flags & (IFA_F_TENTATIVE | IFA_F_DEPRECATED);
        }
    } else if (h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE) {
        struct route_info r;
        parse_route(h, &r);
        if (r.family == AF_INET6 && r.dst_len == 0 && r.oif == eth && r.table == RT_TABLE_MAIN)
            v->default_routes += h->nlmsg_type == RTM_NEWROUTE ? 1 : -1;
    }
}

// Reads a dump of `type` into `v`, leaving aside (and counting) the
// notifications that come between its datagrams.
static void view_dump(int fd, int type, unsigned seq, struct view *v, unsigned eth)
{
    struct {
        struct nlmsghdr h;
        struct rtmsg r;
    } q = { { NLMSG_LENGTH(sizeof(struct rtmsg)), type, NLM_F_REQUEST | NLM_F_DUMP, seq, 0 }, { .rtm_family = AF_INET6 } };
    CHECK_EQ(send(fd, &q, q.h.nlmsg_len, 0), q.h.nlmsg_len);
    for (int done = 0, datagrams = 0; !done && datagrams < 100; datagrams++) {
        ssize_t n = recv(fd, reply, sizeof reply, 0);
        if (n <= 0) {
            CHECK(!"the dump");
            return;
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != seq) {
                // A notification: it changes what the dump says.
                v->news += h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_NEWROUTE;
                v->dels += h->nlmsg_type == RTM_DELADDR || h->nlmsg_type == RTM_DELROUTE;
                view_apply(v, h, eth);
                continue;
            }
            if (h->nlmsg_type == NLMSG_DONE)
                done = 1;
            else
                view_apply(v, h, eth);
        }
    }
}

static int view_has_preferred_global(const struct view *v)
{
    for (int k = 0; k < v->count; k++)
        if (!IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)v->addr[k].address) && !v->addr[k].flags)
            return 1;
    return 0;
}

static int view_same(const struct view *a, const struct view *b)
{
    if (a->count != b->count || a->default_routes != b->default_routes)
        return 0;
    for (int k = 0; k < a->count; k++) {
        int found = 0;
        for (int j = 0; j < b->count; j++)
            found |= !memcmp(a->addr[k].address, b->addr[j].address, 16) && a->addr[k].flags == b->addr[j].flags;
        if (!found)
            return 0;
    }
    return 1;
}

// With a card on QEMU's user network, IPv6 settles while the program runs:
// the router's advertisement, SLAAC's address, duplicate address detection.
// Joined before its dumps, the program keeps its view from them and from
// what it hears until eth0 has a preferred global address and a default
// route (30 s at most); a new dump must then say the same.
static void check_notifications(void)
{
    unsigned eth = if_nametoindex("eth0");
    int fd = CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE };
    CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof a));
    struct view v = { 0 };
    view_dump(fd, RTM_GETADDR, 1, &v, eth);
    view_dump(fd, RTM_GETROUTE, 2, &v, eth);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!(view_has_preferred_global(&v) && v.default_routes > 0)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        int left_ms = 30000 - (int)((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        struct pollfd p = { fd, POLLIN, 0 };
        if (left_ms <= 0 || CHECK_OK(poll(&p, 1, left_ms)) == 0) {
            CHECK(!"eth0's preferred global IPv6 address and default route, within 30 s");
            break;
        }
        CHECK_EQ(p.revents, POLLIN);
        ssize_t n = CHECK_OK(recv(fd, reply, sizeof reply, MSG_DONTWAIT));
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            CHECK_EQ(h->nlmsg_seq, 0); // what no request caused
            CHECK_EQ(h->nlmsg_pid, 0);
            v.news += h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_NEWROUTE;
            v.dels += h->nlmsg_type == RTM_DELADDR || h->nlmsg_type == RTM_DELROUTE;
            view_apply(&v, h, eth);
        }
    }
    int fresh_fd;
    open_route(SOCK_RAW, &fresh_fd);
    struct view fresh = { 0 };
    view_dump(fresh_fd, RTM_GETADDR, 3, &fresh, eth);
    view_dump(fresh_fd, RTM_GETROUTE, 4, &fresh, eth);
    int same = view_same(&v, &fresh);
    CHECK(same);
    if (same)
        printf("netlink: eth0's IPv6 view from dumps and %d notifications matches a new dump\n", v.news + v.dels);
    close(fresh_fd);
    close(fd);
}

// ---------------------------------------------------------------- a router's advertisement

// `netlink ra PREFIX ROUTER` (in the VM on a tap device, test/integration/
// net_notify.py): joined to the IPv6 groups, says "listening"; the host then
// advertises PREFIX/64 from ROUTER, valid for 8 s, preferred for 5. What
// lwIP does with it must be heard, in order: SLAAC's address tentative, then
// preferred (duplicate address detection done), deprecated, deleted; the
// prefix's route and the default route through ROUTER come, and the
// prefix's route goes with the address.
static int hear_router(const char *prefix_text, const char *router_text)
{
    struct in6_addr prefix, router;
    if (inet_pton(AF_INET6, prefix_text, &prefix) != 1 || inet_pton(AF_INET6, router_text, &router) != 1) {
        fprintf(stderr, "netlink ra: PREFIX and ROUTER are IPv6 addresses\n");
        return 2;
    }
    unsigned eth = if_nametoindex("eth0");
    CHECK(eth != 0);
    int fd = CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE };
    CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof a));
    printf("listening\n");
    fflush(stdout);

    enum { TENTATIVE, PREFERRED, DEPRECATED, DELETED, STEPS };
    static const char *const step_names[STEPS] = { "tentative", "preferred", "deprecated", "deleted" };
    int step = 0, out_of_order = 0, prefix_route = 0, prefix_route_gone = 0, default_route = 0;
    unsigned char address[16] = { 0 };
    while (step < STEPS || !prefix_route_gone) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (CHECK_OK(poll(&p, 1, 60000)) == 0) {
            fprintf(stderr, "netlink ra: nothing for 60 s after %s\n", step ? step_names[step - 1] : "listening");
            CHECK(!"every step of the address's life");
            break;
        }
        ssize_t n = CHECK_OK(recv(fd, reply, sizeof reply, 0));
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE) {
                struct route_info r;
                parse_route(h, &r);
                if (r.family != AF_INET6 || r.oif != eth || r.table != RT_TABLE_MAIN)
                    continue;
                if (r.dst_len == 64 && !memcmp(r.dst, &prefix, 8) && r.protocol == RTPROT_KERNEL && r.metric == 256) {
                    if (h->nlmsg_type == RTM_NEWROUTE)
                        prefix_route = 1;
                    else
                        prefix_route_gone = prefix_route;
                }
                if (h->nlmsg_type == RTM_NEWROUTE && r.dst_len == 0 && !memcmp(r.gateway, &router, 16) &&
                    r.protocol == RTPROT_RA && r.metric == 1024)
                    default_route = 1;
                continue;
            }
            if (h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != RTM_DELADDR)
                continue;
            const struct ifaddrmsg *ifa = NLMSG_DATA(h);
            const unsigned char *got = NULL;
            int len = IFA_PAYLOAD(h);
            for (const struct rtattr *at = IFA_RTA(ifa); RTA_OK(at, len); at = RTA_NEXT(at, len))
                if (at->rta_type == IFA_ADDRESS)
                    got = RTA_DATA(at);
            if (!got || ifa->ifa_family != AF_INET6 || ifa->ifa_index != eth || memcmp(got, &prefix, 8))
                continue; // the link-local address, or another family's
            CHECK_EQ(ifa->ifa_prefixlen, 64);
            CHECK_EQ(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
            if (step == 0)
                memcpy(address, got, 16);
            CHECK_MEM(got, address, 16);
            int now = h->nlmsg_type == RTM_DELADDR           ? DELETED
                      : (ifa->ifa_flags & IFA_F_TENTATIVE)  ? TENTATIVE
                      : (ifa->ifa_flags & IFA_F_DEPRECATED) ? DEPRECATED
                                                            : PREFERRED;
            if (now != step) {
                fprintf(stderr, "netlink ra: heard %s, expected %s\n", step_names[now], step < STEPS ? step_names[step] : "nothing more");
                out_of_order++;
            }
            step = now + 1;
        }
        if (out_of_order)
            break;
    }
    CHECK_EQ(out_of_order, 0);
    CHECK_EQ(step, STEPS);
    CHECK(prefix_route);
    CHECK(prefix_route_gone);
    CHECK(default_route);
    close(fd);
    if (step == STEPS && prefix_route_gone && default_route && !out_of_order)
        printf("netlink: heard the router: its address tentative, preferred, deprecated, deleted; "
               "the prefix's route and the default route came, the prefix's went\n");
    return check_report("netlink");
}

// `netlink dhcp A.B.C.D GATEWAY` (in the VM on a tap device where no DHCP
// server answers until the program says "listening", test/integration/
// net_notify.py): eth0 has no IPv4 address yet; when the lease comes, the
// program must hear its address (dynamic, with the lease's lifetime), the
// route to its /24 and the default route through GATEWAY.
static int hear_lease(const char *address_text, const char *gateway_text)
{
    unsigned address = inet_addr(address_text), gateway = inet_addr(gateway_text), eth = if_nametoindex("eth0");
    CHECK(eth != 0);
    int fd = CHECK_OK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE };
    CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof a));
    int inet = CHECK_OK(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)); // for SIOCGIFADDR
    struct ifreq r;
    CHECK_ERR(ifreq_ioctl(inet, SIOCGIFADDR, "eth0", &r), EADDRNOTAVAIL); // no lease yet
    printf("listening\n");
    fflush(stdout);

    int heard_address = 0, subnet_route = 0, default_route = 0;
    while (!(heard_address && subnet_route && default_route)) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (CHECK_OK(poll(&p, 1, 60000)) == 0) {
            CHECK(!"the lease's address and routes within 60 s");
            break;
        }
        ssize_t n = CHECK_OK(recv(fd, reply, sizeof reply, 0));
        for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            CHECK_EQ(h->nlmsg_seq, 0);
            if (h->nlmsg_type == RTM_NEWROUTE) {
                struct route_info route;
                parse_route(h, &route);
                if (route.family != AF_INET || route.oif != eth || route.table != RT_TABLE_MAIN)
                    continue;
                unsigned dst, via;
                memcpy(&dst, route.dst, 4);
                memcpy(&via, route.gateway, 4);
                if (route.dst_len == 24 && dst == (address & htonl(0xffffff00)) && !via &&
                    route.protocol == RTPROT_KERNEL && !memcmp(route.prefsrc, &address, 4))
                    subnet_route = 1;
                if (route.dst_len == 0 && via == gateway)
                    default_route = 1;
            } else if (h->nlmsg_type == RTM_NEWADDR) {
                struct dump_result d = { 0 };
                scan_attrs(&d, h); // eth_v4: this address, /24, on eth0
                const struct ifaddrmsg *ifa = NLMSG_DATA(h);
                if (ifa->ifa_family == AF_INET && d.eth_v4) {
                    CHECK_EQ(d.eth_v4_flags & IFA_F_PERMANENT, 0); // leased: dynamic
                    CHECK(d.eth_v4_valid > 0 && d.eth_v4_valid != 0xffffffffu);
                    heard_address = 1;
                }
            }
        }
    }
    CHECK(heard_address);
    CHECK(subnet_route);
    CHECK(default_route);
    CHECK_OK(ifreq_ioctl(inet, SIOCGIFADDR, "eth0", &r));
    CHECK_EQ(((struct sockaddr_in *)&r.ifr_addr)->sin_addr.s_addr, address);
    close(inet);
    close(fd);
    if (heard_address && subnet_route && default_route)
        printf("netlink: heard the lease: %s/24 dynamic, its subnet's route, the default route via %s\n",
               address_text, gateway_text);
    return check_report("netlink");
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "ra") == 0)
        return hear_router(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "dhcp") == 0) {
        eth_address = argv[2];
        return hear_lease(argv[2], argv[3]);
    }
    if (argc == 5 && strcmp(argv[1], "eth0") == 0 && (!strcmp(argv[3], "dhcp") || !strcmp(argv[3], "static"))) {
        eth_address = argv[2];
        eth_static = strcmp(argv[3], "static") == 0;
        eth_gateway = argv[4];
    } else if (argc != 1) {
        fprintf(stderr, "usage: netlink [eth0 A.B.C.D dhcp|static GATEWAY | ra PREFIX ROUTER | dhcp A.B.C.D GATEWAY]\n");
        return 2;
    }
    check_getifaddrs();
    check_nameindex();
    check_ioctls();
    check_netlink();
    check_groups();
    check_routes();
    if (eth_address)
        check_notifications();
    return check_report("netlink");
}
