#include "fs/user_io.h"
#include "fs/abi.h"
#include "mm/user_ptr.h"

namespace fs {

template<typename Fn>
ErrorOr UserBuffer::each_piece(size_t at, size_t n, Fn fn) const
{
    size_t done = 0;
    for (size_t i = 0; i < m_count && done < n; i++) {
        const UserSegment& s = m_segments[i];
        if (at >= s.len) {
            at -= s.len;
            continue;
        }
        size_t len = s.len - at < n - done ? s.len - at : n - done;
        TRY(fn(s.base + at, done, len));
        done += len;
        at = 0;
    }
    VERIFY(done == n); // callers stay within the lengths they were given
    return {};
}

ErrorOr UserBuffer::copy_out(size_t at, const void* src, size_t n)
{
    auto* from = static_cast<const u8*>(src);
    return each_piece(at, n, [&](u64 user, size_t off, size_t len) { return mm::copy_to_user(user, from + off, len); });
}

ErrorOr UserBuffer::copy_in(void* dst, size_t at, size_t n) const
{
    auto* to = static_cast<u8*>(dst);
    return each_piece(at, n, [&](u64 user, size_t off, size_t len) { return mm::copy_from_user(to + off, user, len); });
}

ErrorOr UserBuffer::fill_zero(size_t at, size_t n)
{
    return each_piece(at, n, [](u64 user, size_t, size_t len) { return mm::clear_user(user, len); });
}

Result<size_t> copy_iovecs_from_user(u64 iov, u64 count, core::Vector<UserSegment>& out)
{
    if (count > MAX_IOVECS) return Errno::EINVAL;
    if (count == 0) return size_t(0);
    TRY(out.reserve(count));
    UserSegment segs[16];
    size_t total = 0;
    for (u64 i = 0; i < count;) {
        u64 batch = count - i < 16 ? count - i : 16;
        TRY(mm::copy_from_user(segs, iov + i * sizeof(UserSegment), batch * sizeof(UserSegment)));
        for (u64 j = 0; j < batch; j++) {
            UserSegment s = segs[j];
            if (static_cast<i64>(s.len) < 0) return Errno::EINVAL;
            if (s.len > MAX_RW_COUNT - total) s.len = MAX_RW_COUNT - total;
            total += s.len;
            TRY(out.append(s));
        }
        i += batch;
    }
    return total;
}

Result<core::String> copy_path_from_user(u64 addr)
{
    return mm::copy_string_from_user(addr, MAX_PATH_BYTES);
}

} // namespace fs
