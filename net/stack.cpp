#include "net/stack.h"
#include "core/deferred.h"
#include "core/flush.h"
#include "core/format.h"
#include "core/ktimer.h"
#include "core/klog.h"
#include "core/power.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/time.h"
#include "drivers/net_card.h"
#include "fs/abi.h"
#include "fs/io_buffer.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "net/lwip.h"
#include "platform/x86_64/cpu.h"
extern "C" {
#include "lwip/dhcp6.h"
#include "lwip/prot/dhcp6.h"
#include "lwip/priv/tcp_priv.h"
}

unsigned char* elfin_lwip_heap;

namespace net {

namespace {

core::SpinLock g_lock;
bool g_started;
core::WaitQueue g_events;

struct Card {
    netif nif;
    drivers::NetworkCard* driver;
};
Card* g_card; // the first card: the default route
// The program has ended: nothing may wake threads (the scheduler's lock may
// be held) while the exit flush runs.
bool g_exiting;

// The card's IPv4 configuration: DHCP's lease, or the static one the tool
// gave on the command line (`net.ip=A.B.C.D/N net.gateway=A.B.C.D
// net.dns=A.B.C.D`, the last repeatable).
constexpr size_t MAX_DNS = 3; // glibc reads no more (MAXNS)
struct Lease {
    bool bound;
    bool is_static;
    ip4_addr_t address, netmask, gateway;
    ip_addr_t dns[MAX_DNS];
};
Lease g_lease;

// The DNS servers of the last DHCPv6 answer (stateless: an information
// request, made when a router advertisement has the O flag).
ip_addr_t g_dhcp6_dns[LWIP_DHCP6_MAX_DNS_SERVERS];

// After boot, a change to either list rewrites /etc/resolv.conf, in thread
// context (core/deferred.h): lwIP reports it in the card's interrupt.
bool g_configured;
void update_resolv_conf();
core::DeferredWork g_resolv_conf_work { update_resolv_conf };

// lwIP's timers (TCP's, DHCP's, ND's...) run from one kernel timer, armed
// for lwIP's next timeout each time the stack's lock is released.
void on_timer(core::time::KTimer&, u64)
{
    StackGuard g;
    sys_check_timeouts();
}
core::time::KTimer g_timer { on_timer };

void arm_timer()
{
    u32 ms = sys_timeouts_sleeptime();
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
        core::time::ktimer_cancel(g_timer);
        return;
    }
    // lwIP's next timeout is a whole millisecond of sys_now(): the same
    // deadline however often this runs, and the APIC timer is reprogrammed
    // only when it moves (every lock release would otherwise write it).
    u64 deadline = (core::time::monotonic_ns() / 1000000 + ms) * 1000000;
    if (!g_timer.armed || g_timer.deadline != deadline) core::time::ktimer_arm(g_timer, deadline);
}

// Checksums on the card's interface (LWIP_CHECKSUM_CTRL_PER_NETIF). Made:
// all, except TCP's when the card finishes them. Checked: none at rest, which
// is what packets looped back to our own address see (they never left
// memory, as Linux's loopback skips them); card_receive turns checking on for
// each frame from the wire whose checksum the card did not vouch for.
constexpr u16 CHECKSUM_GENERATE = NETIF_CHECKSUM_GEN_IP | NETIF_CHECKSUM_GEN_UDP | NETIF_CHECKSUM_GEN_TCP
    | NETIF_CHECKSUM_GEN_ICMP | NETIF_CHECKSUM_GEN_ICMP6;
constexpr u16 CHECKSUM_CHECK = NETIF_CHECKSUM_CHECK_IP | NETIF_CHECKSUM_CHECK_UDP | NETIF_CHECKSUM_CHECK_TCP
    | NETIF_CHECKSUM_CHECK_ICMP | NETIF_CHECKSUM_CHECK_ICMP6;
constexpr u16 CHECKSUM_L4_CHECK = NETIF_CHECKSUM_CHECK_UDP | NETIF_CHECKSUM_CHECK_TCP;

err_t card_linkoutput(netif* nif, pbuf* p)
{
    auto* card = static_cast<Card*>(nif->state);
    if (p->tot_len > drivers::NetworkCard::MAX_FRAME) return ERR_BUF;
    auto buf = card->driver->transmit_buffer();
    if (buf.is_error()) return ERR_MEM; // the ring is full: TCP sends again
    pbuf_copy_partial(p, buf.value(), p->tot_len, 0);
    card->driver->transmit(p->tot_len);
    return ERR_OK;
}

err_t card_init(netif* nif)
{
    auto* card = static_cast<Card*>(nif->state);
    nif->name[0] = 'e';
    nif->name[1] = 't';
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, card->driver->mac(), 6);
    nif->mtu = 1500;
    nif->mtu6 = 1500;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
    nif->output = etharp_output;
    nif->output_ip6 = ethip6_output;
    nif->linkoutput = card_linkoutput;
    u16 generate = CHECKSUM_GENERATE;
    if (card->driver->finishes_tcp_checksums()) generate &= u16(~NETIF_CHECKSUM_GEN_TCP);
    NETIF_SET_CHECKSUM_CTRL(nif, generate);
    netif_set_hostname(nif, "elfin");
    return ERR_OK;
}

// In the card's interrupt: the frames that came together, under one hold
// of the stack's lock. lwIP handles a frame before input returns (NO_SYS), so
// the checking flags set for it apply to it alone.
void card_receive(void* context, const drivers::NetworkCard::Frame* frames, size_t count)
{
    auto* card = static_cast<Card*>(context);
    StackGuard g;
    u16 at_rest = card->nif.chksum_flags;
    for (size_t i = 0; i < count; i++) {
        const auto& f = frames[i];
        pbuf* p = pbuf_alloc(PBUF_RAW, u16(f.len), PBUF_POOL);
        if (!p) continue; // dropped: the heap is full (a smaller frame may still fit)
        pbuf_take(p, f.data, u16(f.len));
        NETIF_SET_CHECKSUM_CTRL(&card->nif, at_rest | (f.checksum_ok ? CHECKSUM_CHECK & ~CHECKSUM_L4_CHECK : CHECKSUM_CHECK));
        if (card->nif.input(p, &card->nif) != ERR_OK) pbuf_free(p);
    }
    NETIF_SET_CHECKSUM_CTRL(&card->nif, at_rest);
    if (!g_exiting) core::sched::wake_all(g_events);
}

void on_status(netif* nif)
{
    if (!dhcp_supplied_address(nif) || g_lease.bound) return;
    g_lease.bound = true;
    g_lease.address = *netif_ip4_addr(nif);
    g_lease.netmask = *netif_ip4_netmask(nif);
    g_lease.gateway = *netif_ip4_gw(nif);
    if (!g_exiting) core::sched::wake_all(g_events);
}

int prefix_length(const ip4_addr_t& mask)
{
    u32 m = lwip_ntohl(ip4_addr_get_u32(&mask));
    int n = 0;
    while (m & 0x80000000u) n++, m <<= 1;
    return n;
}

// The value of the n-th word of the command line that starts with `key`
// ("net.dns="), copied into `out`; false when there is none.
bool cmdline_value(const char* cmdline, const char* key, int n, char* out, size_t size)
{
    size_t kl = strlen(key);
    for (const char* p = cmdline; *p;) {
        while (*p == ' ') p++;
        const char* e = p;
        while (*e && *e != ' ') e++;
        if (size_t(e - p) > kl && !strncmp(p, key, kl) && n-- == 0) {
            size_t vl = size_t(e - p) - kl;
            if (vl >= size) return false;
            memcpy(out, p + kl, vl);
            out[vl] = 0;
            return true;
        }
        p = e;
    }
    return false;
}

// The static configuration from the command line, into g_lease: false when
// there is none or it is malformed (then DHCP runs, as without it). The tool
// checked the values; a kernel booted by hand gets a warning.
bool static_config(const char* cmdline)
{
    char v[32];
    if (!cmdline_value(cmdline, "net.ip=", 0, v, sizeof v)) return false;
    char* slash = nullptr;
    for (char* c = v; *c; c++)
        if (*c == '/') slash = c;
    int prefix = -1;
    if (slash) {
        *slash = 0;
        prefix = 0;
        for (const char* c = slash + 1; *c && prefix <= 32; c++) prefix = *c >= '0' && *c <= '9' ? prefix * 10 + (*c - '0') : 99;
        if (!slash[1]) prefix = -1;
    }
    Lease l {};
    if (!ip4addr_aton(v, &l.address) || prefix < 0 || prefix > 32) {
        klog::warn("eth0: bad net.ip= on the command line (want A.B.C.D/N): DHCP instead");
        return false;
    }
    ip4_addr_set_u32(&l.netmask, prefix ? lwip_htonl(~0u << (32 - prefix)) : 0);
    if (cmdline_value(cmdline, "net.gateway=", 0, v, sizeof v) && !ip4addr_aton(v, &l.gateway)) {
        klog::warn("eth0: bad net.gateway= on the command line: DHCP instead");
        return false;
    }
    size_t n = 0;
    for (int i = 0; n < MAX_DNS && cmdline_value(cmdline, "net.dns=", i, v, sizeof v); i++) {
        ip4_addr_t a;
        if (!ip4addr_aton(v, &a)) {
            klog::warn("eth0: bad net.dns= on the command line: DHCP instead");
            return false;
        }
        ip_addr_copy_from_ip4(l.dns[n], a); // a macro: no n++ inside
        n++;
    }
    l.bound = l.is_static = true;
    g_lease = l;
    return true;
}

// A name server as resolv.conf has it: in lower case, as RFC 5952 asks
// (lwIP writes IPv6 hex digits in upper case), and a link-local address with
// its interface ("fe80::1%eth0"), which glibc and musl read.
size_t format_server(char* out, size_t size, const ip_addr_t& server)
{
    char a[IPADDR_STRLEN_MAX];
    ipaddr_ntoa_r(&server, a, sizeof a);
    for (char* c = a; *c; c++)
        if (*c >= 'A' && *c <= 'F') *c = char(*c - 'A' + 'a');
    bool link_local = IP_IS_V6_VAL(server) && ip6_addr_islinklocal(ip_2_ip6(&server));
    return core::format(out, size, "%s%s", a, link_local ? "%eth0" : "");
}

bool same_servers(const ip_addr_t* a, const ip_addr_t* b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ip_addr_cmp(&a[i], &b[i])) return false;
    return true;
}

// What was last logged of DHCPv6 and last written to the file: routers
// advertise again and again, and each advertisement with the O flag brings
// the same answer, which changes neither.
ip_addr_t g_logged_dhcp6[LWIP_DHCP6_MAX_DNS_SERVERS];
char g_written[256];
size_t g_written_length;

// Writes /etc/resolv.conf from the servers known now: the IPv4 lease's (or
// the static ones) first, then DHCPv6's; resolvers read the first three. A
// new DHCPv6 answer is logged and told to the host tool first. Thread context:
// boot, then core::run_deferred after each change.
void update_resolv_conf()
{
    ip_addr_t v4[MAX_DNS], v6[LWIP_DHCP6_MAX_DNS_SERVERS];
    {
        StackGuard g;
        for (size_t i = 0; i < MAX_DNS; i++) v4[i] = g_lease.dns[i];
        for (size_t i = 0; i < LWIP_DHCP6_MAX_DNS_SERVERS; i++) v6[i] = g_dhcp6_dns[i];
    }
    if (!same_servers(v6, g_logged_dhcp6, LWIP_DHCP6_MAX_DNS_SERVERS)) {
        char list[LWIP_DHCP6_MAX_DNS_SERVERS * (IPADDR_STRLEN_MAX + 8)];
        size_t n = 0;
        for (auto& d : v6) {
            if (ip_addr_isany(&d)) continue;
            if (n) n += core::format(list + n, sizeof list - n, ",");
            n += format_server(list + n, sizeof list - n, d);
        }
        klog::info("eth0: DHCPv6 DNS %s", list);
        klog::status("dhcp6 eth0 dns %s", list);
        for (size_t i = 0; i < LWIP_DHCP6_MAX_DNS_SERVERS; i++) g_logged_dhcp6[i] = v6[i];
    }
    char text[sizeof g_written];
    size_t n = 0;
    auto add = [&](const ip_addr_t& d) {
        if (ip_addr_isany(&d) || n + IPADDR_STRLEN_MAX + 32 > sizeof text) return;
        n += core::format(text + n, sizeof text - n, "nameserver ");
        n += format_server(text + n, sizeof text - n, d);
        n += core::format(text + n, sizeof text - n, "\n");
    };
    for (auto& d : v4) add(d);
    for (auto& d : v6) add(d);
    // Nothing known keeps the image's own; nothing new keeps what is there
    // (the program may have written it).
    if (!n || (n == g_written_length && !memcmp(text, g_written, n))) return;
    auto f = fs::open_file(fs::current(), fs::AT_FDCWD, "/etc/resolv.conf", fs::O_WRONLY | fs::O_CREAT | fs::O_TRUNC, 0644);
    if (f.is_error()) {
        klog::warn("eth0: cannot write /etc/resolv.conf (errno %d)", int(f.error()));
        return;
    }
    fs::KernelBuffer b(static_cast<const void*>(text), n);
    (void)f.value()->write(b, n);
    memcpy(g_written, text, n);
    g_written_length = n;
}

// lwIP's DHCP clients hand each DNS server they are given to
// dns_setserver(index), both counting from 0 (dhcp.c, dhcp6.c), so in lwIP's
// one table a DHCPv6 answer would overwrite the lease's servers. The kernel
// is linked with --wrap=dns_setserver (kernel.cmake), which brings each call
// here: the servers go to their own list by address family, and lwIP's table
// stays empty (lwIP resolves no names for the kernel). Under the stack's lock.
void dns_server_given(u8 index, const ip_addr_t* server)
{
    if (!server) return;
    bool v6 = IP_IS_V6(server);
    ip_addr_t* list = v6 ? g_dhcp6_dns : g_lease.dns;
    size_t size = v6 ? LWIP_DHCP6_MAX_DNS_SERVERS : LWIP_DHCP_MAX_DNS_SERVERS;
    if (index >= size) return;
    // An answer gives its servers in order from index 0: what an earlier one
    // listed past its end is gone.
    if (index == 0)
        for (size_t i = 1; i < size; i++) list[i] = ip_addr_t {};
    list[index] = *server;
    if (g_configured) core::defer(g_resolv_conf_work);
}

// Frames the cards held back to tell their devices of in one go.
void flush_cards()
{
    for (size_t i = 0; drivers::card(i); i++) drivers::card(i)->flush();
}

bool tcp_data_pending()
{
    for (tcp_pcb* p = tcp_active_pcbs; p; p = p->next)
        if (p->unsent || p->unacked) return true;
    return false;
}

// The program ended: the VM is about to go. What the connections still hold
// (a server's last response, closed or not) goes out first, as it would from
// Linux after the process is gone: the card is polled, since interrupts may
// be off, for 3 s at most.
void flush_before_exit()
{
    if (!g_started) return;
    g_exiting = true;
    constexpr u64 FLUSH_NS = 3'000'000'000ull;
    u64 deadline = core::time::monotonic_ns() + FLUSH_NS;
    for (;;) {
        {
            StackGuard g;
            if (!tcp_data_pending() || core::time::monotonic_ns() >= deadline) break;
        }
        // Not under the lock: the card hands frames to card_receive, which takes it.
        for (size_t i = 0; drivers::card(i); i++) drivers::card(i)->poll();
        {
            StackGuard g;
            sys_check_timeouts();
        }
        flush_cards();
        x86::pause();
    }
}

// The lease (or static address) in the kernel log and on the status channel.
void report_lease()
{
    char addr[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX] = "none", dns[IPADDR_STRLEN_MAX] = "none";
    ip4addr_ntoa_r(&g_lease.address, addr, sizeof addr);
    if (!ip4_addr_isany_val(g_lease.gateway)) ip4addr_ntoa_r(&g_lease.gateway, gw, sizeof gw);
    if (!ip_addr_isany(&g_lease.dns[0])) ipaddr_ntoa_r(&g_lease.dns[0], dns, sizeof dns);
    int prefix = prefix_length(g_lease.netmask);
    klog::info("eth0: %s %s/%d, gateway %s, DNS %s", g_lease.is_static ? "static address" : "DHCP lease", addr,
               prefix, gw, dns);
    klog::status("net eth0 %s/%d gateway %s dns %s", addr, prefix, gw, dns);
}

} // namespace

bool exiting() { return g_exiting; }

StackGuard::StackGuard() : m_flags(g_lock.lock()) {}

StackGuard::~StackGuard()
{
    if (g_started) {
        // Packets to 127.0.0.1, ::1 and our own addresses wait on the
        // interfaces' loop queues (NO_SYS): deliver them now.
        netif_poll_all();
        arm_timer();
    }
    g_lock.unlock(m_flags);
}

core::WaitQueue& events() { return g_events; }

ErrorOr start()
{
    StackGuard g;
    if (g_started) return {};
    // lwIP aligns the start itself and keeps two headers past MEM_SIZE.
    elfin_lwip_heap = static_cast<unsigned char*>(mm::kmalloc(MEM_SIZE + 4096));
    if (!elfin_lwip_heap) return Errno::ENOMEM;
    lwip_init(); // also the loopback interface, 127.0.0.1 and ::1
    g_started = true;
    core::set_exit_hook(flush_before_exit);
    core::flush::set_hook(flush_cards);
    return {};
}

void start_cards(const char* cmdline)
{
    drivers::NetworkCard* driver = drivers::card(0);
    if (!driver) return;
    if (start().is_error()) {
        klog::warn("eth0: no memory for the network stack");
        return;
    }
    auto* card = new (std::nothrow) Card {};
    if (!card) return;
    card->driver = driver;
    bool is_static = static_config(cmdline);
    StackGuard g;
    if (!netif_add(&card->nif, is_static ? &g_lease.address : nullptr, is_static ? &g_lease.netmask : nullptr,
                   is_static ? &g_lease.gateway : nullptr, card, card_init, ethernet_input))
        return;
    g_card = card;
    netif_set_status_callback(&card->nif, on_status);
    netif_set_default(&card->nif);
    netif_create_ip6_linklocal_address(&card->nif, 1);
    netif_set_ip6_autoconfig_enabled(&card->nif, 1);
    netif_set_up(&card->nif);
    netif_set_link_up(&card->nif);
    driver->set_receiver(card_receive, card);
    if (!is_static) {
        dhcp_start(&card->nif);
        // Asks for DNS servers when a router advertisement has the O flag
        // (QEMU's user network's have not).
        if (dhcp6_enable_stateless(&card->nif) != ERR_OK) klog::warn("eth0: no memory for DHCPv6");
    }
}

void configure_at_boot()
{
    if (!g_card) return;
    // QEMU's user network answers at once; TCG may take a moment to get there.
    constexpr u64 LEASE_WAIT_NS = 10'000'000'000ull;
    u64 deadline = core::time::monotonic_ns() + LEASE_WAIT_NS;
    u64 flags = core::irq_save(); // the lease arrives in an interrupt: check and sleep as one
    while (!g_lease.bound && core::time::monotonic_ns() < deadline)
        (void)core::sched::wait(g_events, deadline, false);
    core::irq_restore(flags);
    if (g_lease.bound) report_lease();
    else
        klog::warn("eth0: no DHCP lease after %lu s: no IPv4 address but loopback's", LEASE_WAIT_NS / 1000000000);
    // A DHCPv6 answer comes after a router advertisement, and those are not
    // waited for (QEMU's user network's ask for no DHCPv6): what is known goes
    // into the file now, what comes later rewrites it.
    {
        StackGuard g;
        g_configured = true;
    }
    update_resolv_conf();
}

} // namespace net

extern "C" u32_t sys_now(void) { return u32_t(core::time::monotonic_ns() / 1000000); }

extern "C" void __wrap_dns_setserver(u8_t index, const ip_addr_t* server) { net::dns_server_given(index, server); }
