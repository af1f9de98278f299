#include <catch2/catch.hpp>
#include "test/unit/fs/fs_fixture.h"

using fs_test::Tree;

TEST_CASE("fd table: lowest free descriptor, close, EBADF", "[fs][fd]")
{
    Tree t;
    auto& fds = t.ctx->fds;
    int a = t.open("/etc/conf", fs::O_RDONLY);
    int b = t.open("/etc/conf", fs::O_RDONLY);
    int c = t.open("/etc/conf", fs::O_RDONLY);
    CHECK(a == 0);
    CHECK(b == 1);
    CHECK(c == 2);
    REQUIRE(!fds.close(b).is_error());
    CHECK(fds.close(b).error() == Errno::EBADF);
    CHECK(fds.get(b).error() == Errno::EBADF);
    CHECK(fds.get(-1).error() == Errno::EBADF);
    CHECK(fds.get(100000).error() == Errno::EBADF);
    CHECK(t.open("/etc/conf", fs::O_RDONLY) == 1); // the hole is reused
    CHECK(fds.open_count() == 3);
}

TEST_CASE("fd table: EMFILE at the limit", "[fs][fd]")
{
    Tree t;
    auto& fds = t.ctx->fds;
    CHECK(fds.limit() == 1024);
    for (int i = 0; i < 1024; i++) REQUIRE(t.open("/etc/conf", fs::O_RDONLY) == i);
    CHECK(t.open_error("/etc/conf", fs::O_RDONLY) == Errno::EMFILE);
    CHECK(fds.dup(0).error() == Errno::EMFILE);
    REQUIRE(!fds.close(500).is_error());
    CHECK(MUST(fds.dup(0)) == 500);
    fds.set_limit(10);
    CHECK(fds.dup_from(0, 10, false).error() == Errno::EINVAL);
}

TEST_CASE("fd table: dup shares the description; cloexec is per descriptor", "[fs][fd]")
{
    Tree t;
    auto& fds = t.ctx->fds;
    int fd = t.open("/etc/conf", fs::O_RDONLY | fs::O_CLOEXEC);
    CHECK(MUST(fds.cloexec(fd)) == true);
    int d = MUST(fds.dup(fd));
    CHECK(d == fd + 1);
    CHECK(MUST(fds.cloexec(d)) == false);
    CHECK(MUST(fds.get(d)).ptr() == MUST(fds.get(fd)).ptr());
    // A shared offset.
    fs_test::read_str(*MUST(fds.get(fd)), 2);
    CHECK(MUST(fds.get(d))->offset() == 2);
    CHECK(fds.dup(77).error() == Errno::EBADF);

    fds.close_on_exec();
    CHECK(fds.get(fd).error() == Errno::EBADF);
    CHECK(!fds.get(d).is_error());
}

TEST_CASE("fd table: dup2 and dup3 as Linux", "[fs][fd]")
{
    Tree t;
    auto& fds = t.ctx->fds;
    int a = t.open("/etc/conf", fs::O_RDONLY);  // 0
    int b = t.open("/bin/prog", fs::O_RDONLY);  // 1
    auto file_b = MUST(fds.get(b));

    CHECK(MUST(fds.dup2(a, a)) == a);                      // same fd: returned as is
    CHECK(fds.dup2(9, 9).error() == Errno::EBADF);         // ... unless it is not open
    CHECK(fds.dup3(a, a, 0).error() == Errno::EINVAL);     // dup3 refuses the same fd
    CHECK(fds.dup3(a, 5, 1).error() == Errno::EINVAL);     // bad flags
    CHECK(fds.dup3(a, 5, fs::O_NONBLOCK).error() == Errno::EINVAL);
    CHECK(fds.dup2(a, -1).error() == Errno::EBADF);
    CHECK(fds.dup2(a, 1024).error() == Errno::EBADF);      // at the limit
    CHECK(fds.dup2(42, 5).error() == Errno::EBADF);        // old not open
    CHECK(fds.get(5).error() == Errno::EBADF);             // nothing made on failure

    // dup2 onto an open descriptor replaces it.
    CHECK(MUST(fds.dup2(a, b)) == b);
    CHECK(MUST(fds.get(b)).ptr() == MUST(fds.get(a)).ptr());
    CHECK(file_b->ref_count() == 1); // only our Ref is left: the old one was closed
    CHECK(MUST(fds.dup3(a, 700, fs::O_CLOEXEC)) == 700);
    CHECK(MUST(fds.cloexec(700)) == true);
    CHECK(MUST(fds.dup2(700, 701)) == 701);
    CHECK(MUST(fds.cloexec(701)) == false);                // dup2 clears FD_CLOEXEC

    // F_DUPFD: the lowest free at or above the minimum.
    CHECK(MUST(fds.dup_from(a, 700, true)) == 702);
    CHECK(MUST(fds.cloexec(702)) == true);
    CHECK(MUST(fds.dup_from(a, 0, false)) == 2);
}

TEST_CASE("fd table: O_PATH descriptors only for fstat/fcntl/dup", "[fs][fd]")
{
    Tree t;
    auto& fds = t.ctx->fds;
    int p = t.open("/etc/conf", fs::O_PATH | fs::O_RDWR);
    CHECK(fds.get(p).error() == Errno::EBADF);
    auto f = MUST(fds.get_raw(p));
    CHECK(f->flags() == (fs::O_PATH | fs::O_LARGEFILE)); // O_RDWR dropped
    CHECK(!f->can_read());
    CHECK(MUST(fds.dup(p)) == p + 1);
}
