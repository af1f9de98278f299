#include "core/format.h"
#include "core/string.h"

namespace core {

namespace {

struct Out {
    char* buf;
    size_t size, len;
    void put(char c)
    {
        if (len + 1 < size) buf[len] = c;
        len++;
    }
};

void put_number(Out& o, u64 v, bool neg, int base, bool upper, int width, int prec, bool left,
                bool zero, char sign)
{
    char tmp[24];
    int n = 0;
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    while (n < prec && n < 23) tmp[n++] = '0';
    char s = neg ? '-' : sign;
    int total = n + (s ? 1 : 0);
    if (!left && !zero)
        for (int i = total; i < width; i++) o.put(' ');
    if (s) o.put(s);
    if (!left && zero)
        for (int i = total; i < width; i++) o.put('0');
    while (n) o.put(tmp[--n]);
    if (left)
        for (int i = total; i < width; i++) o.put(' ');
}

} // namespace

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap)
{
    Out o { buf, size, 0 };
    for (const char* p = fmt; *p; p++) {
        if (*p != '%') {
            o.put(*p);
            continue;
        }
        p++;
        bool left = false, zero = false, alt = false;
        char sign = 0;
        for (;; p++) {
            if (*p == '#') alt = true;
            else if (*p == '-') left = true;
            else if (*p == '0') zero = true;
            else if (*p == '+') sign = '+';
            else if (*p == ' ') sign = sign ? sign : ' ';
            else break;
        }
        int width = 0, prec = -1;
        if (*p == '*') { width = va_arg(ap, int); p++; }
        while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
        if (*p == '.') {
            p++;
            prec = 0;
            if (*p == '*') { prec = va_arg(ap, int); p++; }
            while (*p >= '0' && *p <= '9') prec = prec * 10 + (*p++ - '0');
        }
        int lng = 0;
        while (*p == 'l' || *p == 'z' || *p == 'h') {
            if (*p != 'h') lng++;
            p++;
        }
        switch (*p) {
        case 'd':
        case 'i': {
            i64 v = lng ? va_arg(ap, i64) : va_arg(ap, int);
            put_number(o, v < 0 ? -u64(v) : u64(v), v < 0, 10, false, width, prec, left, zero, sign);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
            int base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            if (alt && base == 16 && v) { o.put('0'); o.put(*p == 'X' ? 'X' : 'x'); }
            if (alt && base == 8 && v) o.put('0');
            put_number(o, v, false, base, *p == 'X', width, prec, left, zero, 0);
            break;
        }
        case 'p':
            o.put('0');
            o.put('x');
            put_number(o, reinterpret_cast<u64>(va_arg(ap, void*)), false, 16, false, 0, -1, false, false, 0);
            break;
        case 'c': o.put(static_cast<char>(va_arg(ap, int))); break;
        case 's': {
            const char* s = va_arg(ap, const char*);
            if (!s) s = "(null)";
            size_t n = 0;
            while ((prec < 0 || n < size_t(prec)) && s[n]) n++;
            if (!left)
                for (int i = int(n); i < width; i++) o.put(' ');
            for (size_t i = 0; i < n; i++) o.put(s[i]);
            if (left)
                for (int i = int(n); i < width; i++) o.put(' ');
            break;
        }
        case '%': o.put('%'); break;
        case 0: p--; break;
        default: o.put('%'); o.put(*p); break;
        }
    }
    if (size) buf[o.len < size ? o.len : size - 1] = 0;
    return o.len;
}

size_t format(char* buf, size_t size, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

} // namespace core
