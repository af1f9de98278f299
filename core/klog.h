#pragma once
// Kernel logging. debug() compiles away unless ELFIN_DEBUG_<AREA> is set; info
// only with the `debug` switch; warn/error always reach the console. Bad input
// from the program is never logged above debug.
#include "core/types.h"

namespace klog {
void write_raw(const char* s, size_t n);      // console, no prefix
void info(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2))); // console, no prefix
// The status channel to the host tool (docs/boot-protocol.md §4).
void status(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool g_verbose;
} // namespace klog
