// The only code that touches program memory. Each copy first checks the range
// against the VMAs (EFAULT without touching anything), then copies with the
// fault-fixup routines in entry.S, so even a racing unmap cannot fault the kernel.
#include "mm/user_ptr.h"
#include "mm/address_space.h"

extern "C" long user_copy(void* dst, const void* src, size_t n);
extern "C" long user_strnlen(const char* s, size_t max);
extern "C" long user_zero(void* dst, size_t n);

namespace mm {

ErrorOr copy_from_user(void* dst, u64 src, size_t n)
{
    if (n == 0) return {};
    if (!address_space().check_range(src, n, PROT_READ)) return Errno::EFAULT;
    if (user_copy(dst, reinterpret_cast<const void*>(src), n)) return Errno::EFAULT;
    return {};
}

ErrorOr copy_to_user(u64 dst, const void* src, size_t n)
{
    if (n == 0) return {};
    if (!address_space().check_range(dst, n, PROT_WRITE)) return Errno::EFAULT;
    if (user_copy(reinterpret_cast<void*>(dst), src, n)) return Errno::EFAULT;
    return {};
}

ErrorOr clear_user(u64 dst, size_t n)
{
    if (n == 0) return {};
    if (!address_space().check_range(dst, n, PROT_WRITE)) return Errno::EFAULT;
    if (user_zero(reinterpret_cast<void*>(dst), n)) return Errno::EFAULT;
    return {};
}

Result<core::String> copy_string_from_user(u64 src, size_t max)
{
    // Measure within readable VMAs, one VMA at a time.
    size_t len = 0;
    for (;;) {
        const Vma* v = address_space().find(src + len);
        if (!v || !(v->prot & PROT_READ)) return Errno::EFAULT;
        size_t room = v->end - (src + len);
        size_t want = max - len;
        size_t chunk = room < want ? room : want;
        long n = user_strnlen(reinterpret_cast<const char*>(src + len), chunk);
        if (n < 0) return Errno::EFAULT;
        len += size_t(n);
        if (size_t(n) < chunk) break;        // found the NUL
        if (len >= max) return Errno::ENAMETOOLONG;
    }
    char* buf = new (std::nothrow) char[len + 1];
    if (!buf) return Errno::ENOMEM;
    if (user_copy(buf, reinterpret_cast<const void*>(src), len)) {
        delete[] buf;
        return Errno::EFAULT;
    }
    buf[len] = 0;
    auto s = core::String::from(core::StringView(buf, len));
    delete[] buf;
    return s;
}

} // namespace mm
