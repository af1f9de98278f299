#pragma once
// Where the bytes of a read go and the bytes of a write come from: kernel memory
// (unit tests, the loader) or the program's memory (fs/user_buffer.h, kernel
// only). File systems move data straight between their storage and the buffer,
// so a read from the in-image filesystem is one copy.
#include "fs/errno_guard.h"
#include "core/result.h"
#include "core/string.h"
#include "core/types.h"

namespace fs {

using core::ErrorOr;

class IoBuffer {
public:
    // Stores n bytes at offset `at` of the buffer (for reads).
    virtual ErrorOr copy_out(size_t at, const void* src, size_t n) = 0;
    // Fetches n bytes from offset `at` of the buffer (for writes).
    virtual ErrorOr copy_in(void* dst, size_t at, size_t n) const = 0;
    virtual ErrorOr fill_zero(size_t at, size_t n)
    {
        static const u8 zeros[256] = {};
        while (n) {
            size_t chunk = n < sizeof zeros ? n : sizeof zeros;
            TRY(copy_out(at, zeros, chunk));
            at += chunk;
            n -= chunk;
        }
        return {};
    }

protected:
    ~IoBuffer() = default;
};

class KernelBuffer final : public IoBuffer {
public:
    KernelBuffer(void* p, size_t size) : m_ptr(static_cast<u8*>(p)), m_size(size) {}
    KernelBuffer(const void* p, size_t size) : m_ptr(static_cast<u8*>(const_cast<void*>(p))), m_size(size), m_read_only(true) {}

    ErrorOr copy_out(size_t at, const void* src, size_t n) override
    {
        VERIFY(!m_read_only && at <= m_size && n <= m_size - at);
        memcpy(m_ptr + at, src, n);
        return {};
    }
    ErrorOr copy_in(void* dst, size_t at, size_t n) const override
    {
        VERIFY(at <= m_size && n <= m_size - at);
        memcpy(dst, m_ptr + at, n);
        return {};
    }

private:
    u8* m_ptr;
    size_t m_size;
    bool m_read_only { false };
};

} // namespace fs
