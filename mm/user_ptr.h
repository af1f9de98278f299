#pragma once
// A program's address: cannot be dereferenced. Only the copy functions below
// touch user memory; each checks the range against the address space and
// returns EFAULT instead of faulting the kernel.
#include "core/types.h"
#include "core/result.h"
#include "core/string.h"

namespace mm {

template<typename T>
class UserPtr {
public:
    constexpr UserPtr() = default;
    constexpr explicit UserPtr(u64 addr) : m_addr(addr) {}
    constexpr u64 addr() const { return m_addr; }
    constexpr bool is_null() const { return m_addr == 0; }
    template<typename U>
    constexpr UserPtr<U> cast() const { return UserPtr<U>(m_addr); }
    constexpr UserPtr offset(u64 bytes) const { return UserPtr(m_addr + bytes); }

private:
    u64 m_addr { 0 };
};

ErrorOr copy_from_user(void* dst, u64 src, size_t n);
ErrorOr copy_to_user(u64 dst, const void* src, size_t n);
ErrorOr clear_user(u64 dst, size_t n);
// Copies a NUL-terminated string of at most max-1 bytes; ENAMETOOLONG if longer.
Result<core::String> copy_string_from_user(u64 src, size_t max);

template<typename T>
ErrorOr copy_from_user(T* dst, UserPtr<T> src) { return copy_from_user(dst, src.addr(), sizeof(T)); }
template<typename T>
ErrorOr copy_to_user(UserPtr<T> dst, const T* src) { return copy_to_user(dst.addr(), src, sizeof(T)); }
inline ErrorOr copy_from_user(void* dst, UserPtr<const void> src, size_t n) { return copy_from_user(dst, src.addr(), n); }
inline ErrorOr copy_to_user(UserPtr<void> dst, const void* src, size_t n) { return copy_to_user(dst.addr(), src, n); }
inline Result<core::String> copy_string_from_user(UserPtr<const char> src, size_t max) { return copy_string_from_user(src.addr(), max); }

} // namespace mm
