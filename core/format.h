#pragma once
// printf-style formatting for the kernel (no libc): %d %i %u %x %X %o %p %s %c %%
// with flags (- 0 space +), width, precision (incl. .*), and the l/ll/z/h modifiers.
#include <cstdarg>
#include "core/types.h"

namespace core {
size_t vformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t format(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
} // namespace core
