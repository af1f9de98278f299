#include <catch2/catch.hpp>
#include <cstring> // before core/string.h, whose declarations lack glibc's noexcept
#include "fs/devices.h"
#include "fs/pipe.h"
#include "test/unit/fs/fs_fixture.h"

using fs_test::read_str;
using fs_test::Tree;
using fs_test::write_str;

namespace {
std::string g_console_out;
std::string g_console_err;
std::string g_console_in;
Errno g_console_in_error {};

void fake_write(int stream, const u8* p, size_t n)
{
    (stream == 2 ? g_console_err : g_console_out).append(reinterpret_cast<const char*>(p), n);
}
Result<size_t> fake_read(u8* p, size_t n, bool nonblocking)
{
    if (g_console_in.empty() && nonblocking) return Errno::EAGAIN;
    size_t k = std::min(n, g_console_in.size());
    memcpy(p, g_console_in.data(), k);
    g_console_in.erase(0, k);
    return k;
}
void fake_random(u8* p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = static_cast<u8>(0xa5 ^ i);
}

// Hooks are process-wide: install for one test, remove after.
struct Hooks {
    Hooks()
    {
        g_console_out.clear();
        g_console_err.clear();
        g_console_in.clear();
        fs::set_console_hooks(fake_write, fake_read);
        fs::set_random_hook(fake_random);
    }
    ~Hooks()
    {
        fs::set_console_hooks(nullptr, nullptr);
        fs::set_random_hook(nullptr);
    }
};
} // namespace

TEST_CASE("/dev/null: reads end of file, writes vanish, lseek stays 0", "[fs][dev]")
{
    Tree t;
    auto f = t.file(t.open("/dev/null", fs::O_RDWR));
    CHECK(read_str(*f, 100) == "");
    CHECK(write_str(*f, "discard me") == 10);
    CHECK(MUST(f->seek(100, fs::WHENCE_SET)) == 0);
    CHECK(MUST(f->seek(-5, fs::WHENCE_SET)) == 0);
    char c;
    fs::KernelBuffer buf(&c, 1);
    CHECK(MUST(f->pread(buf, 1, 5)) == 0);
    auto st = t.must("/dev/null")->stat();
    CHECK(st.mode == (fs::S_IFCHR | 0666));
    CHECK(st.rdev == fs::make_dev(1, 3));
    CHECK(st.rdev == 0x103);
}

TEST_CASE("/dev/zero and /dev/full", "[fs][dev]")
{
    Tree t;
    auto z = t.file(t.open("/dev/zero", fs::O_RDWR));
    std::string s(1000, 'x');
    fs::KernelBuffer buf(s.data(), s.size());
    CHECK(MUST(z->read(buf, s.size())) == 1000);
    CHECK(s == std::string(1000, '\0'));
    CHECK(write_str(*z, "abc") == 3);
    CHECK(z->offset() == 0);
    auto full = t.file(t.open("/dev/full", fs::O_RDWR));
    fs::KernelBuffer in(static_cast<const void*>("x"), 1);
    CHECK(full->write(in, 1).error() == Errno::ENOSPC);
    CHECK(read_str(*full, 3) == std::string(3, '\0'));
    CHECK(t.must("/dev/zero")->rdev() == fs::make_dev(1, 5));
}

TEST_CASE("/dev/urandom goes through the random hook; without one it is EIO", "[fs][dev]")
{
    Tree t;
    auto f = t.file(t.open("/dev/urandom", fs::O_RDONLY));
    std::string s(600, '\0');
    fs::KernelBuffer buf(s.data(), s.size());
    CHECK(f->read(buf, 4).error() == Errno::EIO);
    {
        Hooks h;
        CHECK(MUST(f->read(buf, 600)) == 600);
        CHECK(static_cast<u8>(s[0]) == 0xa5);
        CHECK(static_cast<u8>(s[257]) == (0xa5 ^ 1)); // second chunk restarts the fake
    }
}

TEST_CASE("/dev/console: hooks, ESPIPE, a tty; stdio shares one description", "[fs][dev]")
{
    Hooks h;
    Tree t;
    REQUIRE(!fs::init_stdio(*t.ctx).is_error());
    auto& fds = t.ctx->fds;
    auto out = MUST(fds.get(1));
    CHECK(MUST(fds.get(0)).ptr() == out.ptr());
    CHECK(MUST(fds.get(2)).ptr() == out.ptr());
    CHECK(out->inode().is_tty());
    CHECK(out->flags() == (fs::O_RDWR | fs::O_LARGEFILE));
    std::string big(700, 'y');
    CHECK(write_str(*out, "hello\n") == 6);
    CHECK(write_str(*out, big) == 700);
    CHECK(g_console_out == "hello\n" + big);
    g_console_in = "typed";
    CHECK(read_str(*out, 3) == "typ");
    CHECK(read_str(*out, 10) == "ed");
    out->set_status_flags(fs::O_NONBLOCK);
    char c;
    fs::KernelBuffer buf(&c, 1);
    CHECK(out->read(buf, 1).error() == Errno::EAGAIN);
    CHECK(out->seek(0, fs::WHENCE_SET).error() == Errno::ESPIPE);
    CHECK(out->pread(buf, 1, 0).error() == Errno::ESPIPE);
    CHECK(out->pwrite(buf, 1, 0).error() == Errno::ESPIPE);
    CHECK(out->pread(buf, 1, -1).error() == Errno::EINVAL);
    CHECK(t.must("/dev/tty")->is_tty());
    CHECK(t.must("/dev/console")->rdev() == fs::make_dev(5, 1));
    CHECK(!t.must("/dev/null")->is_tty());
    // shm_open's directory: sticky, world-writable.
    CHECK(t.must("/dev/shm")->is_directory());
    CHECK((t.must("/dev/shm")->mode() & 07777) == 01777);
}

TEST_CASE("stdio to a host file or pipe: not a tty, a FIFO, stderr apart", "[fs][dev]")
{
    Hooks h;
    Tree t;
    // stdin from a terminal, stdout and stderr redirected on the host.
    REQUIRE(!fs::init_stdio(*t.ctx, 1).is_error());
    auto& fds = t.ctx->fds;
    auto in = MUST(fds.get(0)), out = MUST(fds.get(1)), err = MUST(fds.get(2));
    CHECK(in->inode().is_tty());
    CHECK(!out->inode().is_tty());
    CHECK(!err->inode().is_tty());
    CHECK(out.ptr() != err.ptr());
    CHECK(out->inode().type() == fs::InodeType::Fifo);
    // A FIFO that is not a pipe: F_GETPIPE_SZ and FIONREAD must not take it for one.
    CHECK(fs::stream_cast<fs::Pipe>(out->inode()) == nullptr);
    CHECK(out->flags() == (fs::O_WRONLY | fs::O_LARGEFILE));
    CHECK(write_str(*out, "to stdout\n") == 10);
    CHECK(write_str(*err, "to stderr\n") == 10);
    CHECK(g_console_out == "to stdout\n");
    CHECK(g_console_err == "to stderr\n");
    char c;
    fs::KernelBuffer buf(&c, 1);
    CHECK(out->read(buf, 1).error() == Errno::EBADF);
    CHECK(out->seek(0, fs::WHENCE_SET).error() == Errno::ESPIPE);

    // Everything redirected: stdin reads the console input, read-only.
    Tree t2;
    REQUIRE(!fs::init_stdio(*t2.ctx, 0).is_error());
    auto in2 = MUST(t2.ctx->fds.get(0));
    CHECK(!in2->inode().is_tty());
    CHECK(in2->flags() == (fs::O_RDONLY | fs::O_LARGEFILE));
    g_console_in = "abc";
    CHECK(read_str(*in2, 10) == "abc");
    fs::KernelBuffer one(static_cast<const void*>("x"), 1);
    CHECK(in2->write(one, 1).error() == Errno::EBADF);
}
