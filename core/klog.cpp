#include "core/klog.h"
#include <cstdarg>
#include "core/format.h"
#include "platform/x86_64/serial.h"

namespace klog {

bool g_verbose;

void write_raw(const char* s, size_t n) { serial::write_err(s, n); }

namespace {
void vlog(const char* prefix, const char* fmt, va_list ap)
{
    char buf[512];
    size_t p = core::format(buf, sizeof buf, "%s", prefix);
    size_t n = p + core::vformat(buf + p, sizeof buf - p - 1, fmt, ap);
    if (n > sizeof buf - 2) n = sizeof buf - 2;
    buf[n++] = '\n';
    serial::write_err(buf, n);
}
} // namespace

void info(const char* fmt, ...)
{
    if (!g_verbose) return;
    va_list ap;
    va_start(ap, fmt);
    vlog("elfin: ", fmt, ap);
    va_end(ap);
}

void warn(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("elfin: warning: ", fmt, ap);
    va_end(ap);
}

void error(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("elfin: error: ", fmt, ap);
    va_end(ap);
}

void printf(const char* fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    size_t n = core::vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    serial::write_err(buf, n < sizeof buf ? n : sizeof buf - 1);
}

void status(const char* fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = core::vformat(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n > sizeof buf - 2) n = sizeof buf - 2;
    buf[n++] = '\n';
    serial::debugcon_write(buf, n);
}

} // namespace klog
