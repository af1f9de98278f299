// What lwIP asks of its platform (net/arch/cc.h): diagnostics, assertions,
// random numbers, and strtol for netif_find.
#include <cstdarg>
#include "core/format.h"
#include "core/klog.h"
#include "core/verify.h"
#include "core/random.h"

extern "C" {

void elfin_lwip_diag(const char* fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    core::vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    klog::info("lwip: %s", buf);
}

void elfin_lwip_assert(const char* message, const char* file, int line)
{
    PANIC("lwIP assertion \"%s\" failed at %s:%d", message, file, line);
}

uint32_t elfin_lwip_rand(void)
{
    u32 v;
    core::random_bytes(&v, sizeof v);
    return v;
}

// glibc's <stdlib.h> inlines atoi as strtol(s, nullptr, 10); base 10 is all
// lwIP asks for (netif_find's interface numbers).
long strtol(const char* s, char** end, int base)
{
    (void)base;
    long sign = 1, v = 0;
    if (*s == '-') sign = -1, s++;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    if (end) *end = const_cast<char*>(s);
    return sign * v;
}

} // extern "C"
