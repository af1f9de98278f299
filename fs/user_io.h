#pragma once
// Kernel only: an IoBuffer over the program's memory (one range, or the
// segments of a readv/writev), and the path copy every path syscall starts with.
// Every byte goes through mm::copy_to_user / copy_from_user.
#include "fs/errno_guard.h"
#include "core/string.h"
#include "core/vector.h"
#include "fs/io_buffer.h"

namespace fs {

// struct iovec's layout.
struct UserSegment {
    u64 base;
    u64 len;
};

class UserBuffer final : public IoBuffer {
public:
    UserBuffer(u64 addr, size_t len) : m_single { addr, len }, m_segments(&m_single), m_count(1) {}
    // The segments must outlive the buffer.
    UserBuffer(const UserSegment* segments, size_t count) : m_segments(segments), m_count(count) {}

    ErrorOr copy_out(size_t at, const void* src, size_t n) override;
    ErrorOr copy_in(void* dst, size_t at, size_t n) const override;
    ErrorOr fill_zero(size_t at, size_t n) override;

private:
    // Calls fn(user_address, kernel_offset, length) for each piece of [at, at+n).
    template<typename Fn>
    ErrorOr each_piece(size_t at, size_t n, Fn fn) const;

    UserSegment m_single {};
    const UserSegment* m_segments;
    size_t m_count;
};

// UIO_MAXIOV.
constexpr size_t MAX_IOVECS = 1024;

// Copies a readv/writev vector in: EINVAL for more than MAX_IOVECS or a
// negative length; lengths past MAX_RW_COUNT in total are cut, as Linux does.
// Returns the total byte count.
Result<size_t> copy_iovecs_from_user(u64 iov, u64 count, core::Vector<UserSegment>& out);

// A path argument: EFAULT, or ENAMETOOLONG at PATH_MAX.
Result<core::String> copy_path_from_user(u64 addr);

} // namespace fs
