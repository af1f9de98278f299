#include <catch2/catch.hpp>
#include <cstring>
#include "fs/pipe.h"
#include <string>

namespace {
Result<size_t> read_into(fs::OpenFile& f, std::string& out, size_t n)
{
    out.assign(n, '\0');
    fs::KernelBuffer buf(out.data(), n);
    auto r = f.read(buf, n);
    if (!r.is_error()) out.resize(r.value());
    return r;
}
Result<size_t> write_from(fs::OpenFile& f, const std::string& s)
{
    fs::KernelBuffer buf(static_cast<const void*>(s.data()), s.size());
    return f.write(buf, s.size());
}
Errno err_of(const Result<size_t>& r) { return r.is_error() ? r.error() : Errno {}; }
} // namespace

TEST_CASE("pipe: data in order, EOF without a writer, EPIPE without a reader", "[fs][pipe]")
{
    auto ends = MUST(fs::make_pipe(0));
    auto* pipe = fs::stream_cast<fs::Pipe>(ends.read->inode());
    REQUIRE(pipe);
    CHECK(fs::stream_cast<fs::EventFd>(ends.read->inode()) == nullptr);
    CHECK(pipe->readers() == 1);
    CHECK(pipe->writers() == 1);
    CHECK(pipe->mode() == (fs::S_IFIFO | 0600));
    CHECK(&ends.write->inode() == pipe);
    CHECK(ends.read->seek(0, fs::WHENCE_SET).error() == Errno::ESPIPE);
    CHECK(ends.write->flags() == fs::O_WRONLY); // no O_LARGEFILE: not made by open()

    std::string got;
    CHECK(err_of(read_into(*ends.read, got, 10)) == Errno::EAGAIN); // empty, a writer open: would block
    CHECK(ends.read->must_wait_on_again());
    CHECK(MUST(write_from(*ends.write, "hello ")) == 6);
    CHECK(MUST(write_from(*ends.write, "world")) == 5);
    CHECK(err_of(read_into(*ends.write, got, 1)) == Errno::EBADF);
    CHECK(err_of(write_from(*ends.read, "x")) == Errno::EBADF);
    CHECK(MUST(read_into(*ends.read, got, 3)) == 3);
    CHECK(got == "hel");
    CHECK(pipe->available() == 8);
    CHECK(MUST(read_into(*ends.read, got, 100)) == 8);
    CHECK(got == "lo world");

    MUST(write_from(*ends.write, "tail"));
    ends.write = {}; // the last writer goes: the rest, then end of file
    CHECK(pipe->writers() == 0);
    CHECK(MUST(read_into(*ends.read, got, 100)) == 4);
    CHECK(MUST(read_into(*ends.read, got, 100)) == 0);

    auto again = MUST(fs::make_pipe(0));
    again.read = {};
    CHECK(err_of(write_from(*again.write, "x")) == Errno::EPIPE);
}

TEST_CASE("pipe: the ring wraps around", "[fs][pipe]")
{
    auto ends = MUST(fs::make_pipe(fs::O_NONBLOCK));
    auto* pipe = static_cast<fs::Pipe*>(&ends.read->inode());
    const size_t cap = pipe->capacity();
    CHECK(cap == 65536);
    std::string got;
    // Move the head near the end, then write across the end of the ring.
    MUST(write_from(*ends.write, std::string(cap - 100, 'a')));
    CHECK(MUST(read_into(*ends.read, got, cap - 120)) == cap - 120);
    std::string pattern;
    for (int i = 0; i < 5000; i++) pattern += char('0' + i % 10);
    CHECK(MUST(write_from(*ends.write, pattern)) == pattern.size());
    CHECK(pipe->available() == 20 + pattern.size());
    CHECK(MUST(read_into(*ends.read, got, 20)) == 20);
    CHECK(got == std::string(20, 'a'));
    CHECK(MUST(read_into(*ends.read, got, 10000)) == pattern.size());
    CHECK(got == pattern);
}

TEST_CASE("pipe: page slots as Linux: merging, partial non-blocking writes, F_SETPIPE_SZ", "[fs][pipe]")
{
    auto ends = MUST(fs::make_pipe(fs::O_NONBLOCK));
    auto* pipe = static_cast<fs::Pipe*>(&ends.read->inode());
    CHECK(!ends.read->must_wait_on_again());
    // 60000 bytes: 14 full slots and 2656 bytes in a 15th.
    CHECK(MUST(write_from(*ends.write, std::string(60000, 'x'))) == 60000);
    // 10000 % 4096 = 1808 does not fit beside 2656: no merge, one free slot.
    CHECK(MUST(write_from(*ends.write, std::string(10000, 'y'))) == 4096);
    CHECK(pipe->available() == 64096);
    // Full: nothing fits, even one byte (the last slot is full).
    CHECK(err_of(write_from(*ends.write, "z")) == Errno::EAGAIN);
    CHECK(pipe->set_capacity(4096).error() == Errno::EBUSY);
    std::string got;
    CHECK(MUST(read_into(*ends.read, got, 100000)) == 64096);
    CHECK(got.substr(59990, 20) == std::string(10, 'x') + std::string(10, 'y'));

    // Small writes merge into the last slot: 16 slots hold more than 16 writes.
    for (int i = 0; i < 40; i++) CHECK(MUST(write_from(*ends.write, std::string(100, 'm'))) == 100);
    CHECK(pipe->available() == 4000);
    CHECK(MUST(read_into(*ends.read, got, 10000)) == 4000);

    CHECK(MUST(pipe->set_capacity(5000)) == 8192);
    CHECK(MUST(pipe->set_capacity(0)) == 4096);
    CHECK(pipe->set_capacity(u64(1) << 32).error() == Errno::EINVAL);
    // Data survives a resize, in order.
    MUST(write_from(*ends.write, "abc"));
    CHECK(MUST(pipe->set_capacity(65536)) == 65536);
    CHECK(MUST(read_into(*ends.read, got, 10)) == 3);
    CHECK(got == "abc");

    // A blocking write that cannot complete writes nothing and would wait.
    auto blocking = MUST(fs::make_pipe(0));
    CHECK(MUST(write_from(*blocking.write, std::string(65000, 'q'))) == 65000);
    CHECK(err_of(write_from(*blocking.write, std::string(1000, 'q'))) == Errno::EAGAIN);
    CHECK(blocking.write->must_wait_on_again());
    CHECK(MUST(write_from(*blocking.write, std::string(536, 'q'))) == 536); // merges: fits whole
}

TEST_CASE("eventfd: counter, semaphore, overflow, sizes", "[fs][pipe]")
{
    auto f = MUST(fs::make_eventfd(3, fs::O_NONBLOCK));
    CHECK(f->inode().mode() == 0600); // no file type, as an anon inode
    u64 v = 0;
    fs::KernelBuffer out(&v, 8);
    CHECK(MUST(f->read(out, 8)) == 8);
    CHECK(v == 3);
    CHECK(f->read(out, 8).error() == Errno::EAGAIN);
    fs::KernelBuffer small(&v, 4);
    CHECK(f->read(small, 4).error() == Errno::EINVAL);

    u64 add = 5;
    fs::KernelBuffer in(static_cast<const void*>(&add), 8);
    CHECK(MUST(f->write(in, 8)) == 8);
    CHECK(MUST(f->write(in, 8)) == 8);
    CHECK(MUST(f->read(out, 16)) == 8);
    CHECK(v == 10);

    u64 max = ~u64(0) - 1; // the largest value the counter holds
    fs::KernelBuffer big(static_cast<const void*>(&max), 8);
    CHECK(MUST(f->write(big, 8)) == 8);
    u64 one = 1;
    fs::KernelBuffer in1(static_cast<const void*>(&one), 8);
    CHECK(f->write(in1, 8).error() == Errno::EAGAIN); // would overflow: blocks
    u64 all = ~u64(0);
    fs::KernelBuffer bad(static_cast<const void*>(&all), 8);
    CHECK(f->write(bad, 8).error() == Errno::EINVAL);
    CHECK(MUST(f->read(out, 8)) == 8);
    CHECK(v == max);

    auto sem = MUST(fs::make_eventfd(2, fs::EventFd::EFD_SEMAPHORE));
    CHECK(sem->must_wait_on_again());
    CHECK(MUST(sem->read(out, 8)) == 8);
    CHECK(v == 1);
    CHECK(MUST(sem->read(out, 8)) == 8);
    CHECK(v == 1);
    CHECK(sem->read(out, 8).error() == Errno::EAGAIN);
    CHECK(fs::make_eventfd(0, 0x10).error() == Errno::EINVAL);
}
