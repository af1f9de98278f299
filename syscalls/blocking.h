#pragma once
// Waiting on a pipe or an eventfd (fs::Inode::can_block). A read or write
// that answers EAGAIN on a blocking file sleeps until the other side changes
// the object (fs calls the wake hook installed by syscalls/pipe.cpp), then
// tries again; a signal ends the wait (EINTR or a restart). A blocking write larger than
// PIPE_BUF goes in pieces, as Linux's does, and returns once all of it is in.
#include "core/result.h"
#include "fs/io_buffer.h"
#include "fs/open_file.h"

namespace sys {

// Sleeps until the inode is woken or its io_deadline passes; ERESTARTSYS when
// a signal is to be delivered (EINTR for the program unless the handler has
// SA_RESTART).
ErrorOr wait_for_io(fs::Inode& inode);

// A read: retried until it does not answer EAGAIN.
template<typename Op>
Result<size_t> maybe_wait(const fs::OpenFile& f, Op op)
{
    for (;;) {
        auto r = op();
        if (!r.is_error() || r.error() != Errno::EAGAIN || !f.must_wait_on_again()) return r;
        TRY(wait_for_io(f.inode()));
    }
}

// The bytes of `inner` from `skip` on.
class SkipBuffer final : public fs::IoBuffer {
public:
    SkipBuffer(const fs::IoBuffer& inner, size_t skip) : m_inner(inner), m_skip(skip) {}
    ErrorOr copy_out(size_t, const void*, size_t) override { return Errno::EFAULT; } // writes only
    ErrorOr copy_in(void* dst, size_t at, size_t n) const override { return m_inner.copy_in(dst, m_skip + at, n); }

private:
    const fs::IoBuffer& m_inner;
    size_t m_skip;
};

// A write of `total` bytes of `buf`: op(buffer, n) writes n bytes of buffer.
// On a blocking file it continues until everything is written (or an error
// after some bytes, which returns the count written so far).
template<typename Op>
Result<size_t> maybe_wait_write(const fs::OpenFile& f, const fs::IoBuffer& buf, size_t total, Op op)
{
    size_t done = 0;
    for (;;) {
        SkipBuffer rest(buf, done);
        auto r = op(rest, total - done);
        if (r.is_error()) {
            if (r.error() != Errno::EAGAIN || !f.must_wait_on_again()) {
                if (done) return done;
                return r;
            }
        } else {
            done += r.value();
            if (done == total || !f.must_wait_on_again()) return done;
            if (r.value()) continue;
        }
        auto w = wait_for_io(f.inode());
        if (w.is_error()) {
            if (done) return done;
            return w.error();
        }
    }
}

} // namespace sys
