/* lwIP's configuration for Elfin (docs/networking.md): NO_SYS, the raw
 * callback API driven by the kernel (net/stack.cpp) under one lock, IPv4 and
 * IPv6, TCP, UDP, DHCP, SLAAC, stateless DHCPv6, ICMP and loopback. Sizes are a server's, not
 * lwIP's small-device defaults: 256 KiB windows (scaled), big send buffers,
 * and every pool carved on demand from one heap allocated when the network is
 * first needed. */
#ifndef ELFIN_LWIPOPTS_H
#define ELFIN_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0 /* the kernel holds net::g_lock around every call */
#define LWIP_TIMERS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0

/* Memory: one heap of MEM_SIZE bytes (net/stack.cpp allocates it), from which
 * the pools come as well (MEMP_MEM_MALLOC), so no count below is a limit
 * except as lwIP uses it for a queue length. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEM_SIZE (8 * 1024 * 1024)
#ifndef __ASSEMBLER__
extern unsigned char* elfin_lwip_heap;
#endif
#define LWIP_RAM_HEAP_POINTER elfin_lwip_heap
#define MEMP_NUM_PBUF 1024
#define MEMP_NUM_RAW_PCB 16
#define MEMP_NUM_UDP_PCB 128
#define MEMP_NUM_TCP_PCB 1024
#define MEMP_NUM_TCP_PCB_LISTEN 128
#define MEMP_NUM_TCP_SEG 4096
#define MEMP_NUM_REASSDATA 64
#define MEMP_NUM_FRAG_PBUF 64
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_ND6_QUEUE 64
#define PBUF_POOL_SIZE 1024
#define PBUF_POOL_BUFSIZE 1536

#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_DEFAULT_TTL 64
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DHCP 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
/* Only for the DHCP clients to ask for DNS servers (resolv.conf). They hand
 * them to dns_setserver, which the kernel link wraps (net/stack.cpp). */
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2
#define LWIP_DHCP_MAX_DNS_SERVERS 2
#define LWIP_DHCP6_MAX_DNS_SERVERS 2
#define LWIP_UDP 1
#define LWIP_UDPLITE 0
#define LWIP_TCP 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_MLD 1
#define LWIP_ICMP6 1
#define LWIP_IPV6_DHCP6 1 /* stateless only (lwIP has no more): DNS servers when an RA says O */
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1 /* 64-bit pointers do not fit in the fragment header */
#define LWIP_ND6_NUM_NEIGHBORS 32
#define LWIP_ND6_NUM_DESTINATIONS 32

/* TCP, sized for servers. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (256 * 1024)
#define TCP_SND_BUF (256 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT 32768 /* lwIP keeps it in 16 bits */
#define TCP_SNDQUEUELOWAT (TCP_SND_QUEUELEN / 4)
#define TCP_OVERSIZE TCP_MSS
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_TCP_SACK_OUT 1
#define TCP_MAXRTX 12
#define TCP_SYNMAXRTX 6
#define SO_REUSE 1
#define LWIP_TCP_PCB_NUM_EXT_ARGS 0
#define LWIP_CALLBACK_API 1
/* Initial sequence numbers per RFC 6528 (net/tcp_isn.cpp). */
#define LWIP_HOOK_FILENAME "lwip_hooks.h"
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
    elfin_tcp_isn(local_ip, local_port, remote_ip, remote_port)

/* Interfaces: the card and the loopback interface (127.0.0.1, ::1); packets
 * to the card's own addresses loop back too. */
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_TX_SINGLE_PBUF 0
#define LWIP_SINGLE_NETIF 0
#define ETH_PAD_SIZE 0

/* Netlink's notifications (net/interfaces.cpp): lwIP says what changed. */
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1

/* Checksums: per interface (net/stack.cpp): none on loopback; on the card,
 * TCP's left to it when it offers offload, and checks skipped for frames it
 * vouches for. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_CHECKSUM_ON_COPY 0

#define LWIP_STATS 0
#define LWIP_DEBUG 0

#endif
