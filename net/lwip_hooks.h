/* Hooks lwIP calls (LWIP_HOOK_FILENAME in net/lwipopts.h), defined in
 * net/tcp_isn.cpp. Included by lwIP's C sources after their own headers. */
#ifndef ELFIN_LWIP_HOOKS_H
#define ELFIN_LWIP_HOOKS_H
#include "lwip/ip_addr.h"
#ifdef __cplusplus
extern "C" {
#endif
/* A new connection's initial sequence number, as RFC 6528. */
u32_t elfin_tcp_isn(const ip_addr_t* local_ip, u16_t local_port, const ip_addr_t* remote_ip, u16_t remote_port);
#ifdef __cplusplus
}
#endif
#endif
