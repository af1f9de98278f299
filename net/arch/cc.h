/* lwIP's port header for Elfin's kernel: freestanding, x86-64, no libc but
 * the kernel's (memcpy, memset, strlen, ...; core/libc_kernel.cpp). */
#ifndef ELFIN_LWIP_ARCH_CC_H
#define ELFIN_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

#define BYTE_ORDER LITTLE_ENDIAN
/* Byte swaps as single instructions: lwIP's own are out-of-line calls, made
 * for every header field of every packet. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))
#define LWIP_NO_INTTYPES_H 1
#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "lu"
#define LWIP_NO_CTYPE_H 1
#define LWIP_NO_UNISTD_H 1
typedef long ssize_t;
#define SSIZE_MAX 0x7fffffffffffffffL

#ifdef __cplusplus
extern "C" {
#endif
void elfin_lwip_diag(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void elfin_lwip_assert(const char* message, const char* file, int line) __attribute__((noreturn));
uint32_t elfin_lwip_rand(void);
#ifdef __cplusplus
}
#endif

#define LWIP_PLATFORM_DIAG(x) do { elfin_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) elfin_lwip_assert(x, __FILE__, __LINE__)
#define LWIP_RAND() elfin_lwip_rand()

#endif
