#pragma once
// The text a /proc or /sys file is made of, built when the file is read (as
// Linux's seq_file). Appending never fails at the call: running out of memory
// is remembered and reported once, by failed(), when the generator is done.
#include "fs/errno_guard.h"
#include <cstdarg>
#include "core/format.h"
#include "core/string.h"
#include "core/types.h"

namespace fs {

class ProcText {
public:
    ProcText() = default;
    ProcText(const ProcText&) = delete;
    ProcText& operator=(const ProcText&) = delete;
    ~ProcText() { delete[] m_data; }

    void append(core::StringView s) { append(s.chars(), s.length()); }
    void append(const char* p, size_t n)
    {
        if (!reserve(m_size + n)) return;
        if (n) memcpy(m_data + m_size, p, n);
        m_size += n;
    }
    void append_char(char c) { append(&c, 1); }
    void append_bytes(const void* p, size_t n) { append(static_cast<const char*>(p), n); }
    void appendf(const char* fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        char line[256];
        va_list ap;
        va_start(ap, fmt);
        size_t n = core::vformat(line, sizeof line, fmt, ap);
        va_end(ap);
        if (n < sizeof line) {
            append(line, n);
            return;
        }
        // Longer than a line buffer (a long path): format again into the text itself.
        if (!reserve(m_size + n + 1)) return;
        va_start(ap, fmt);
        core::vformat(m_data + m_size, n + 1, fmt, ap);
        va_end(ap);
        m_size += n;
    }
    // Spaces up to `column` bytes since `line_start` (Linux's seq_pad).
    void pad_to(size_t line_start, size_t column)
    {
        while (m_size - line_start < column) append_char(' ');
    }

    void truncate(size_t size)
    {
        if (size < m_size) m_size = size;
    }

    bool failed() const { return m_failed; }
    size_t size() const { return m_size; }
    const char* data() const { return m_data ? m_data : ""; }
    core::StringView view() const { return { data(), m_size }; }
    // Hands the buffer over (the caller delete[]s it).
    char* take()
    {
        char* p = m_data;
        m_data = nullptr;
        m_size = m_cap = 0;
        return p;
    }

private:
    bool reserve(size_t need)
    {
        if (m_failed) return false;
        if (need <= m_cap) return true;
        size_t cap = m_cap ? m_cap : 256;
        while (cap < need) cap *= 2;
        char* p = new (std::nothrow) char[cap];
        if (!p) {
            m_failed = true;
            return false;
        }
        if (m_size) memcpy(p, m_data, m_size);
        delete[] m_data;
        m_data = p;
        m_cap = cap;
        return true;
    }

    char* m_data { nullptr };
    size_t m_size { 0 }, m_cap { 0 };
    bool m_failed { false };
};

} // namespace fs
