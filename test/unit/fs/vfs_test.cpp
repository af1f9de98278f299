#include <catch2/catch.hpp>
#include "test/unit/fs/fs_fixture.h"

using fs_test::read_str;
using fs_test::str;
using fs_test::Tree;
using fs_test::write_str;

TEST_CASE("open: O_CREAT, O_EXCL, umask, EISDIR, ENOTDIR", "[fs][vfs]")
{
    Tree t;
    CHECK(t.open_error("/etc/new", fs::O_RDONLY) == Errno::ENOENT);
    int fd = t.open("/etc/new", fs::O_CREAT | fs::O_WRONLY, 0666);
    auto f = t.file(fd);
    CHECK(f->inode().mode() == (fs::S_IFREG | 0644)); // umask 022
    CHECK(write_str(*f, "data") == 4);
    CHECK(t.contents("/etc/new") == "data");
    CHECK(t.open_error("/etc/new", fs::O_CREAT | fs::O_EXCL | fs::O_WRONLY) == Errno::EEXIST);
    t.open("/etc/new", fs::O_CREAT | fs::O_RDONLY); // exists: opened, not truncated
    CHECK(t.contents("/etc/new") == "data");

    CHECK(t.open_error("/etc", fs::O_WRONLY) == Errno::EISDIR);
    CHECK(t.open_error("/etc", fs::O_RDWR) == Errno::EISDIR);
    CHECK(t.open_error("/etc", fs::O_RDONLY | fs::O_TRUNC) == Errno::EISDIR);
    CHECK(t.open_error("/etc", fs::O_CREAT | fs::O_RDONLY) == Errno::EISDIR);
    CHECK(t.open_error("/etc/newdir/", fs::O_CREAT | fs::O_WRONLY) == Errno::EISDIR);
    CHECK(t.open_error("/etc/conf", fs::O_DIRECTORY) == Errno::ENOTDIR);
    CHECK(t.open_error("/etc", fs::O_DIRECTORY | fs::O_CREAT) == Errno::EINVAL);
    CHECK(t.open_error("/nope/new", fs::O_CREAT | fs::O_WRONLY) == Errno::ENOENT);
    CHECK(t.open_error("/proc/new", fs::O_CREAT | fs::O_WRONLY) == Errno::ENOENT); // as Linux: proc's lookup fails first
    CHECK(t.open_error(("/etc/" + std::string(256, 'x')).c_str(), fs::O_CREAT | fs::O_WRONLY) == Errno::ENAMETOOLONG);
    CHECK(t.open("/etc", fs::O_RDONLY | fs::O_DIRECTORY) >= 0);
}

TEST_CASE("open: symlinks with O_NOFOLLOW, O_CREAT through a dangling link, O_PATH", "[fs][vfs]")
{
    Tree t;
    CHECK(t.open_error("/link-abs", fs::O_RDONLY | fs::O_NOFOLLOW) == Errno::ELOOP);
    CHECK(t.open_error("/link-abs", fs::O_RDONLY | fs::O_NOFOLLOW | fs::O_DIRECTORY) == Errno::ENOTDIR);
    CHECK(t.open_error("/dirlink/conf", fs::O_RDONLY | fs::O_NOFOLLOW) == Errno {}); // only the last
    CHECK(t.open_error("/dangling", fs::O_CREAT | fs::O_EXCL | fs::O_WRONLY) == Errno::EEXIST);
    int fd = t.open("/dangling", fs::O_CREAT | fs::O_WRONLY);
    (void)fd;
    CHECK(t.must("/nowhere")->is_regular()); // Linux creates the link's target
    int p = t.open("/link-abs", fs::O_PATH | fs::O_NOFOLLOW);
    CHECK(t.file(p)->inode().is_symlink());
    CHECK(str(MUST(fs::readlink_at(*t.ctx, p, "")).view()) == "/etc/conf");
}

TEST_CASE("openat: relative to a directory descriptor", "[fs][vfs]")
{
    Tree t;
    int etc = t.open("/etc", fs::O_RDONLY | fs::O_DIRECTORY);
    int conf = MUST(fs::open_at(*t.ctx, etc, "conf", fs::O_RDONLY, 0));
    CHECK(read_str(*t.file(conf), 10) == "a=1\n");
    CHECK(t.open_error("conf", fs::O_RDONLY, conf) == Errno::ENOTDIR);
    CHECK(t.open_error("conf", fs::O_RDONLY, 99) == Errno::EBADF);
    CHECK(t.open_error("/etc/conf", fs::O_RDONLY, 99) == Errno {}); // absolute: dirfd unused
    CHECK(t.open_error("", fs::O_RDONLY, 99) == Errno::ENOENT);     // empty before EBADF
    int p = t.open("/etc", fs::O_PATH);
    CHECK(MUST(fs::open_at(*t.ctx, p, "conf", fs::O_RDONLY, 0)) >= 0); // O_PATH dirfd works
}

TEST_CASE("access: modes as root", "[fs][vfs]")
{
    Tree t;
    auto acc = [&](const char* p, int mode, u32 flags = 0) {
        auto r = fs::access_at(*t.ctx, fs::AT_FDCWD, p, mode, flags);
        return r.is_error() ? r.error() : Errno {};
    };
    CHECK(acc("/bin/prog", fs::ACCESS_X) == Errno {});
    CHECK(acc("/etc/noexec", fs::ACCESS_X) == Errno::EACCES); // no x bit, even for root
    CHECK(acc("/etc/noexec", fs::ACCESS_R | fs::ACCESS_W) == Errno {});
    CHECK(acc("/etc", fs::ACCESS_X) == Errno {});
    CHECK(acc("/nope", fs::ACCESS_EXISTS) == Errno::ENOENT);
    CHECK(acc("/etc/conf", 8) == Errno::EINVAL);
    CHECK(acc("/etc/conf", fs::ACCESS_R, 0x1) == Errno::EINVAL);
    CHECK(acc("/dangling", fs::ACCESS_EXISTS) == Errno::ENOENT);
    CHECK(acc("/dangling", fs::ACCESS_EXISTS, fs::AT_SYMLINK_NOFOLLOW) == Errno {});
    CHECK(fs::check_executable(*t.must("/bin/prog")).is_error() == false);
    CHECK(fs::check_executable(*t.must("/etc/noexec")).error() == Errno::EACCES);
    CHECK(fs::check_executable(*t.must("/bin")).error() == Errno::EACCES);
}

TEST_CASE("readlink and stat", "[fs][vfs]")
{
    Tree t;
    CHECK(str(MUST(fs::readlink_at(*t.ctx, fs::AT_FDCWD, "/link-rel")).view()) == "etc/conf");
    CHECK(fs::readlink_at(*t.ctx, fs::AT_FDCWD, "/etc/conf").error() == Errno::EINVAL);
    CHECK(fs::readlink_at(*t.ctx, fs::AT_FDCWD, "/nope").error() == Errno::ENOENT);
    auto st = MUST(fs::inode_at(*t.ctx, fs::AT_FDCWD, "/etc/conf", 0))->stat();
    CHECK(st.mode == (fs::S_IFREG | 0644));
    CHECK(st.size == 4);
    CHECK(st.blocks == 8); // one page, in 512-byte units
    CHECK(st.blksize == 4096);
    CHECK(st.nlink == 1);
    CHECK(st.mtime.sec == 1700000000);
    auto lst = MUST(fs::inode_at(*t.ctx, fs::AT_FDCWD, "/link-abs", fs::AT_SYMLINK_NOFOLLOW))->stat();
    CHECK(lst.mode == (fs::S_IFLNK | 0777));
    CHECK(lst.size == 9);
    CHECK(lst.ino != st.ino);
    CHECK(lst.dev == st.dev);
    // A directory's links: its entry, its ".", and each subdirectory's "..".
    CHECK(t.must("/a")->stat().nlink == 3);
    CHECK(t.must("/a/b/c")->stat().nlink == 2);
    // AT_EMPTY_PATH names the descriptor (or the cwd).
    int fd = t.open("/etc/conf", fs::O_RDONLY);
    CHECK(MUST(fs::inode_at(*t.ctx, fd, "", fs::AT_EMPTY_PATH))->ino() == st.ino);
    CHECK(fs::inode_at(*t.ctx, fd, "", 0).error() == Errno::ENOENT);
    CHECK(MUST(fs::inode_at(*t.ctx, fs::AT_FDCWD, "", fs::AT_EMPTY_PATH)).ptr() == t.root.ptr());
}
