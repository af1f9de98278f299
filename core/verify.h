#pragma once
// VERIFY for invariants, PANIC for the impossible. In the kernel both print the
// register dump, a symbolised backtrace and the faulting instruction; on the
// host (unit tests, the elfin tool) they abort with the location.
#include <new>

namespace core {
[[noreturn]] void panic_at(const char* file, int line, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
}

#define VERIFY(cond)                                                         \
    do {                                                                     \
        if (!(cond)) [[unlikely]]                                            \
            ::core::panic_at(__FILE__, __LINE__, "VERIFY(%s) failed", #cond); \
    } while (0)

#define PANIC(...) ::core::panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define VERIFY_NOT_REACHED() PANIC("unreachable")
