// The host side of core::panic_at: the pure kernel code (parsers, VFS) runs in
// the tool and the unit tests, where a broken invariant aborts with its place.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include "core/verify.h"

namespace core {
void panic_at(const char* file, int line, const char* fmt, ...)
{
    std::fprintf(stderr, "PANIC at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stderr, fmt, ap);
    va_end(ap);
    std::fputc('\n', stderr);
    std::abort();
}
} // namespace core
