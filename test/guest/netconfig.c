// What the network gave, as a program finds it: /etc/resolv.conf lists
// exactly the given name servers, in that order, and the interface has an
// IPv6 address in the given /64 prefix (SLAAC, from a router advertisement).
// Both may arrive after the program starts (a DHCPv6 answer follows the first
// router advertisement, a SLAAC address its duplicate detection), so each is
// looked for again every 100 ms, 60 s at most; a failure shows what was last
// seen.
//
//   netconfig IFNAME PREFIX [NAMESERVER...]    (PREFIX: 2001:db8:1::)
//
// test/integration/net_tap.py runs it in the VM on a tap device served by
// udhcpd and dnsmasq, and natively with the host's end of the tap and the
// host's resolv.conf, which proves the checks.
#include "check.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <time.h>

#define MAX_SERVERS 8
#define TRIES 600

// The nameserver lines of /etc/resolv.conf, space-separated, into `out`.
static void read_servers(char *out, size_t size)
{
    out[0] = 0;
    FILE *f = fopen("/etc/resolv.conf", "r");
    if (!f) {
        snprintf(out, size, "(cannot open: %s)", strerror(errno));
        return;
    }
    char line[256];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        char word[16], address[128];
        if (sscanf(line, "%15s %127s", word, address) == 2 && strcmp(word, "nameserver") == 0)
            n += snprintf(out + n, n < size ? size - n : 0, "%s%s", n ? " " : "", address);
    }
    fclose(f);
}

// Whether IFNAME has an IPv6 address whose first 64 bits are the prefix's;
// `seen` gets every IPv6 address it has.
static int has_address_in(const char *ifname, const struct in6_addr *prefix, char *seen, size_t size)
{
    struct ifaddrs *list;
    int found = 0;
    size_t n = 0;
    seen[0] = 0;
    if (getifaddrs(&list) < 0) {
        snprintf(seen, size, "(getifaddrs: %s)", strerror(errno));
        return 0;
    }
    for (struct ifaddrs *i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || strcmp(i->ifa_name, ifname) != 0)
            continue;
        const struct in6_addr *a = &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, a, text, sizeof text);
        n += snprintf(seen + n, n < size ? size - n : 0, "%s%s", n ? " " : "", text);
        if (memcmp(a, prefix, 8) == 0)
            found = 1;
    }
    freeifaddrs(list);
    return found;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: netconfig IFNAME PREFIX [NAMESERVER...]\n");
        return 2;
    }
    const char *ifname = argv[1];
    struct in6_addr prefix;
    if (inet_pton(AF_INET6, argv[2], &prefix) != 1) {
        fprintf(stderr, "netconfig: bad prefix %s\n", argv[2]);
        return 2;
    }
    char want[1024];
    size_t n = 0;
    for (int i = 3; i < argc; i++)
        n += snprintf(want + n, n < sizeof want ? sizeof want - n : 0, "%s%s", n ? " " : "", argv[i]);

    char servers[1024], addresses[1024];
    int servers_ok = 0, address_ok = 0;
    for (int t = 0; t < TRIES && !(servers_ok && address_ok); t++) {
        if (t)
            nanosleep(&(struct timespec) { 0, 100 * 1000 * 1000 }, NULL);
        if (!servers_ok) {
            read_servers(servers, sizeof servers);
            servers_ok = strcmp(servers, want) == 0;
        }
        if (!address_ok)
            address_ok = has_address_in(ifname, &prefix, addresses, sizeof addresses);
    }
    CHECK_STR(servers, want);
    check_context = addresses;
    CHECK(address_ok);
    check_context = NULL;
    if (servers_ok && address_ok)
        printf("nameservers %s; %s has %s\n", servers, ifname, addresses);
    return check_report("netconfig");
}
