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
//                           routes to its /24 and by default through GATEWAY
// Runs natively too.
#include "check.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

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

static void send_request(int fd, int type, int flags, unsigned seq, int index, size_t extra)
{
    struct request q;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.link) + extra;
    q.h.nlmsg_type = type;
    q.h.nlmsg_flags = NLM_F_REQUEST | flags;
    q.h.nlmsg_seq = seq;
    q.link.ifi_family = AF_UNSPEC;
    q.link.ifi_index = index;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    CHECK_EQ(sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel), q.h.nlmsg_len);
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
    CHECK_EQ(sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, sizeof to), 5);
    struct sockaddr_nl from;
    socklen_t from_len = sizeof from;
    char text[8] = { 0 };
    CHECK_EQ(recvfrom(fd2, text, sizeof text, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len), 5);
    CHECK_STR(text, "hello");
    CHECK_EQ(from.nl_pid, pid);
    close(fd2);
    to.nl_pid = pid2; // closed: nobody has it now
    CHECK_ERR(sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, sizeof to), ECONNREFUSED);
    close(fd);

    CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
    CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 30), EPROTONOSUPPORT);
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "eth0") == 0 && (!strcmp(argv[3], "dhcp") || !strcmp(argv[3], "static"))) {
        eth_address = argv[2];
        eth_static = strcmp(argv[3], "static") == 0;
        eth_gateway = argv[4];
    } else if (argc != 1) {
        fprintf(stderr, "usage: netlink [eth0 A.B.C.D dhcp|static GATEWAY]\n");
        return 2;
    }
    check_getifaddrs();
    check_nameindex();
    check_ioctls();
    check_netlink();
    return check_report("netlink");
}
