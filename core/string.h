#pragma once
// Byte strings for the kernel: StringView (non-owning) and String (owned, heap).
#include <cstddef>
#include <cstdint>
#include "core/result.h"

#ifdef ELFIN_KERNEL
extern "C" {
void* memcpy(void*, const void*, size_t);
void* memmove(void*, const void*, size_t);
void* memset(void*, int, size_t);
int memcmp(const void*, const void*, size_t);
size_t strlen(const char*);
int strcmp(const char*, const char*);
int strncmp(const char*, const char*, size_t);
}
#else
#include <cstring>
#endif

namespace core {

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(const char* s, size_t n) : m_chars(s), m_len(n) {}
    StringView(const char* s) : m_chars(s), m_len(s ? strlen(s) : 0) {}

    constexpr const char* chars() const { return m_chars; }
    constexpr size_t length() const { return m_len; }
    constexpr bool is_empty() const { return m_len == 0; }
    constexpr char operator[](size_t i) const { return m_chars[i]; }
    StringView substr(size_t start, size_t n = SIZE_MAX) const
    {
        if (start > m_len) start = m_len;
        if (n > m_len - start) n = m_len - start;
        return { m_chars + start, n };
    }
    bool operator==(StringView o) const
    {
        return m_len == o.m_len && (m_len == 0 || memcmp(m_chars, o.m_chars, m_len) == 0);
    }
    bool starts_with(StringView p) const { return p.m_len <= m_len && substr(0, p.m_len) == p; }
    bool ends_with(StringView p) const { return p.m_len <= m_len && substr(m_len - p.m_len) == p; }
    size_t find(char c, size_t from = 0) const
    {
        for (size_t i = from; i < m_len; i++)
            if (m_chars[i] == c) return i;
        return SIZE_MAX;
    }
    size_t rfind(char c) const
    {
        for (size_t i = m_len; i > 0; i--)
            if (m_chars[i - 1] == c) return i - 1;
        return SIZE_MAX;
    }

private:
    const char* m_chars { "" };
    size_t m_len { 0 };
};

// Owned, NUL-terminated. Copy is explicit (clone) because it can fail.
class String {
public:
    String() = default;
    String(String&& o) : m_chars(o.m_chars), m_len(o.m_len) { o.m_chars = nullptr; o.m_len = 0; }
    String& operator=(String&& o)
    {
        if (this != &o) {
            delete[] m_chars;
            m_chars = o.m_chars; m_len = o.m_len;
            o.m_chars = nullptr; o.m_len = 0;
        }
        return *this;
    }
    String(const String&) = delete;
    String& operator=(const String&) = delete;
    ~String() { delete[] m_chars; }

    static Result<String> from(StringView v)
    {
        char* p = new (std::nothrow) char[v.length() + 1];
        if (!p) return Errno::ENOMEM;
        if (v.length()) memcpy(p, v.chars(), v.length());
        p[v.length()] = 0;
        String s;
        s.m_chars = p;
        s.m_len = v.length();
        return s;
    }
    Result<String> clone() const { return from(view()); }

    StringView view() const { return { m_chars ? m_chars : "", m_len }; }
    const char* c_str() const { return m_chars ? m_chars : ""; }
    size_t length() const { return m_len; }
    bool operator==(StringView o) const { return view() == o; }

private:
    char* m_chars { nullptr };
    size_t m_len { 0 };
};

} // namespace core
