// The few C library functions the compiler and Zydis expect, for the kernel.
#include "core/types.h"

extern "C" {

// Eight bytes a step, then the tail: as fast as `rep movsb` where the CPU
// has fast strings, and 8 times fewer iterations where it does not (QEMU's
// TCG runs each iteration of a string instruction as one step of its loop).
void* memcpy(void* d, const void* s, size_t n)
{
    void* ret = d;
    size_t words = n / 8, tail = n % 8;
    asm volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(tail) : : "memory");
    return ret;
}

void* memmove(void* d, const void* s, size_t n)
{
    auto* dp = static_cast<u8*>(d);
    auto* sp = static_cast<const u8*>(s);
    if (dp <= sp || dp >= sp + n) return memcpy(d, s, n);
    for (size_t i = n; i > 0; i--) dp[i - 1] = sp[i - 1];
    return d;
}

void* memset(void* d, int c, size_t n)
{
    void* ret = d;
    size_t words = n / 8, tail = n % 8;
    u64 v = 0x0101010101010101ull * u8(c);
    asm volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(v) : "memory");
    asm volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(v) : "memory");
    return ret;
}

int memcmp(const void* a, const void* b, size_t n)
{
    auto* x = static_cast<const u8*>(a);
    auto* y = static_cast<const u8*>(b);
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char* s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int strcmp(const char* a, const char* b)
{
    while (*a && *a == *b) a++, b++;
    return static_cast<u8>(*a) - static_cast<u8>(*b);
}

int strncmp(const char* a, const char* b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] || !a[i]) return static_cast<u8>(a[i]) - static_cast<u8>(b[i]);
    }
    return 0;
}

// Called by the compiler for pure virtual slots; never expected.
void __cxa_pure_virtual() { __builtin_trap(); }
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void* __dso_handle;
}
