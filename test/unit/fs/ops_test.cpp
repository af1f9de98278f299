#include <catch2/catch.hpp>
#include "test/unit/fs/fs_fixture.h"
#include "fs/ops.h"

using fs_test::read_str;
using fs_test::str;
using fs_test::Tree;
using fs_test::write_str;

namespace {
Errno err(ErrorOr r) { return r.is_error() ? r.error() : Errno {}; }

struct OpsTree : Tree {
    Errno mkdir(const char* p, u32 mode = 0777) { return err(fs::mkdir_at(*ctx, fs::AT_FDCWD, p, mode)); }
    Errno unlink(const char* p) { return err(fs::unlink_at(*ctx, fs::AT_FDCWD, p, 0)); }
    Errno rmdir(const char* p) { return err(fs::unlink_at(*ctx, fs::AT_FDCWD, p, fs::UNLINK_REMOVEDIR)); }
    Errno rename(const char* a, const char* b, u32 flags = 0)
    {
        return err(fs::rename_at(*ctx, fs::AT_FDCWD, a, fs::AT_FDCWD, b, flags));
    }
    Errno link(const char* a, const char* b, u32 flags = 0)
    {
        return err(fs::link_at(*ctx, fs::AT_FDCWD, a, fs::AT_FDCWD, b, flags));
    }
    Errno symlink(const char* t, const char* p) { return err(fs::symlink_at(*ctx, t, fs::AT_FDCWD, p)); }
    bool exists(const char* p) { return error_of(p, fs::LOOKUP_NOFOLLOW) == Errno {}; }
};
} // namespace

TEST_CASE("mkdir: modes, umask, EEXIST, ENOENT, trailing slash, link counts", "[fs][ops]")
{
    OpsTree t;
    u32 root_links = t.root->nlink();
    CHECK(t.mkdir("/new", 0777) == Errno {});
    auto d = t.must("/new");
    CHECK(d->mode() == (fs::S_IFDIR | 0755));
    CHECK(d->nlink() == 2);
    CHECK(t.root->nlink() == root_links + 1);
    CHECK(t.mkdir("/new") == Errno::EEXIST);
    CHECK(t.mkdir("/new/") == Errno::EEXIST);
    CHECK(t.mkdir("/dangling") == Errno::EEXIST); // a dangling symlink is there
    CHECK(t.mkdir("/") == Errno::EEXIST);
    CHECK(t.mkdir("/etc/.") == Errno::EEXIST);
    CHECK(t.mkdir("/nope/x") == Errno::ENOENT);
    CHECK(t.mkdir("/etc/conf/x") == Errno::ENOTDIR);
    CHECK(t.mkdir("/trail///") == Errno {});
    CHECK(t.must("/trail")->is_directory());
    CHECK(t.mkdir("/proc/x") == Errno::ENOENT);
    CHECK(t.mkdir(("/" + std::string(256, 'n')).c_str()) == Errno::ENAMETOOLONG);
    CHECK(t.mkdir("/sticky", 01777) == Errno {});
    CHECK(t.must("/sticky")->permissions() == 01755);
    CHECK(t.mkdir("/dirlink/sub") == Errno {}); // through a symlinked directory
    CHECK(t.must("/etc/sub")->is_directory());
}

TEST_CASE("unlink and rmdir: EISDIR, ENOTDIR, ENOTEMPTY, EINVAL, EBUSY, link counts", "[fs][ops]")
{
    OpsTree t;
    CHECK(t.unlink("/etc") == Errno::EISDIR);
    CHECK(t.unlink("/etc/") == Errno::EISDIR);
    CHECK(t.unlink("/etc/conf/") == Errno::ENOTDIR);
    CHECK(t.unlink("/nope") == Errno::ENOENT);
    CHECK(t.unlink("/nope/") == Errno::ENOENT);
    CHECK(t.unlink(".") == Errno::EISDIR);
    CHECK(t.unlink("/") == Errno::EISDIR);
    CHECK(t.unlink("/link-abs") == Errno {}); // the link, not its target
    CHECK(!t.exists("/link-abs"));
    CHECK(t.exists("/etc/conf"));

    auto conf = t.must("/etc/conf");
    CHECK(conf->nlink() == 1);
    CHECK(t.link("/etc/conf", "/etc/conf2") == Errno {});
    CHECK(conf->nlink() == 2);
    CHECK(t.unlink("/etc/conf") == Errno {});
    CHECK(conf->nlink() == 1);
    CHECK(t.contents("/etc/conf2") == "a=1\n");

    // An open file outlives its name.
    int fd = t.open("/etc/conf2", fs::O_RDONLY);
    CHECK(t.unlink("/etc/conf2") == Errno {});
    CHECK(conf->nlink() == 0);
    CHECK(read_str(*t.file(fd), 10) == "a=1\n");

    CHECK(t.rmdir("/a") == Errno::ENOTEMPTY);
    CHECK(t.rmdir("/a/b/c/.") == Errno::EINVAL);
    CHECK(t.rmdir("/a/b/c/..") == Errno::ENOTEMPTY);
    CHECK(t.rmdir("/") == Errno::EBUSY);
    CHECK(t.rmdir("/etc/noexec") == Errno::ENOTDIR);
    CHECK(t.rmdir("/dirlink") == Errno::ENOTDIR); // a symlink to a directory
    CHECK(t.rmdir("/nope") == Errno::ENOENT);
    auto b = t.must("/a/b");
    CHECK(b->nlink() == 3);
    CHECK(t.rmdir("/a/b/c/") == Errno {});
    CHECK(b->nlink() == 2);
    CHECK(b->as_directory()->entry_count() == 0);
}

TEST_CASE("rmdir of the cwd: getcwd ENOENT, nothing can be created in it", "[fs][ops]")
{
    OpsTree t;
    REQUIRE(t.mkdir("/gone") == Errno {});
    REQUIRE(!fs::chdir(*t.ctx, "/gone").is_error());
    CHECK(t.rmdir("/gone") == Errno {});
    CHECK(fs::getcwd(*t.ctx).error() == Errno::ENOENT);
    CHECK(t.mkdir("x") == Errno::ENOENT);
    CHECK(t.symlink("t", "y") == Errno::ENOENT);
}

TEST_CASE("rename: files, replacing, directories and Linux's errors", "[fs][ops]")
{
    OpsTree t;
    SECTION("a file to a new name and over another file")
    {
        auto conf = t.must("/etc/conf");
        CHECK(t.rename("/etc/conf", "/data/moved") == Errno {});
        CHECK(!t.exists("/etc/conf"));
        CHECK(t.must("/data/moved").ptr() == conf.ptr());
        CHECK(conf->nlink() == 1);
        auto empty = t.must("/data/empty");
        CHECK(t.rename("/data/moved", "/data/empty") == Errno {});
        CHECK(empty->nlink() == 0);
        CHECK(t.contents("/data/empty") == "a=1\n");
        CHECK(t.rename("/data/empty", "/data/empty") == Errno {}); // same: nothing
        CHECK(t.link("/data/empty", "/data/hard") == Errno {});
        CHECK(t.rename("/data/empty", "/data/hard") == Errno {}); // same inode: nothing
        CHECK(t.exists("/data/empty"));
    }
    SECTION("directories: link counts move with them")
    {
        auto a = t.must("/a");
        auto etc = t.must("/etc");
        u32 a_links = a->nlink(), etc_links = etc->nlink();
        CHECK(t.rename("/a/b", "/etc/b2") == Errno {});
        CHECK(a->nlink() == a_links - 1);
        CHECK(etc->nlink() == etc_links + 1);
        CHECK(str(MUST(fs::path_of(t.root, *t.must("/etc/b2/c")->as_directory())).view()) == "/etc/b2/c");
        CHECK(t.must("/etc/b2/..").ptr() == etc.ptr());
        CHECK(t.must("/etc/b2")->nlink() == 3);
    }
    SECTION("errors")
    {
        CHECK(t.rename("/a", "/a/b/c/x") == Errno::EINVAL);   // into its own subdirectory
        CHECK(t.rename("/a", "/a/x") == Errno::EINVAL);
        CHECK(t.rename("/a/b/c", "/a") == Errno::ENOTEMPTY);  // over its own ancestor
        CHECK(t.rename("/etc", "/a") == Errno::ENOTEMPTY);    // over a non-empty directory
        CHECK(t.rename("/etc/conf", "/a") == Errno::EISDIR);  // file over directory
        CHECK(t.rename("/a", "/etc/conf") == Errno::ENOTDIR); // directory over file
        CHECK(t.rename("/etc/conf/", "/x") == Errno::ENOTDIR);
        CHECK(t.rename("/etc/conf", "/x/") == Errno::ENOTDIR);
        CHECK(t.rename("/nope", "/x") == Errno::ENOENT);
        CHECK(t.rename("/etc/conf", "/nope/x") == Errno::ENOENT);
        CHECK(t.rename("/etc/.", "/x") == Errno::EBUSY);
        CHECK(t.rename("/", "/x") == Errno::EBUSY);
        CHECK(t.rename("/etc/conf", "/etc/..") == Errno::EBUSY);
        CHECK(t.rename("/etc/conf", "/etc/..", fs::RENAME_FLAG_NOREPLACE) == Errno::EEXIST);
        CHECK(t.rename("/etc/conf", "/data/empty", fs::RENAME_FLAG_NOREPLACE) == Errno::EEXIST);
        CHECK(t.rename("/etc/conf", "/x", fs::RENAME_FLAG_NOREPLACE | fs::RENAME_FLAG_EXCHANGE) == Errno::EINVAL);
        CHECK(t.rename("/etc/conf", "/x", 8) == Errno::EINVAL);
        CHECK(t.rename("/etc/conf", "/x", fs::RENAME_FLAG_EXCHANGE) == Errno::ENOENT);
        CHECK(t.exists("/etc/conf"));
    }
    SECTION("a directory over an empty one, a symlink with a trailing slash")
    {
        REQUIRE(t.mkdir("/empty") == Errno {});
        auto old = t.must("/empty");
        CHECK(t.rename("/a", "/empty/") == Errno {});
        CHECK(old->nlink() == 0);
        CHECK(t.must("/empty/b/c")->is_directory());
        CHECK(t.rename("/dirlink/", "/x") == Errno::ENOTDIR); // the link itself is renamed: not a dir
        CHECK(t.rename("/dirlink", "/x") == Errno {});
        CHECK(t.must("/x", fs::LOOKUP_NOFOLLOW)->is_symlink());
    }
    SECTION("RENAME_EXCHANGE swaps, also a file with a directory")
    {
        auto conf = t.must("/etc/conf");
        auto a = t.must("/a");
        u32 etc_links = t.must("/etc")->nlink();
        CHECK(t.rename("/etc/conf", "/a", fs::RENAME_FLAG_EXCHANGE) == Errno {});
        CHECK(t.must("/a").ptr() == conf.ptr());
        CHECK(t.must("/etc/conf").ptr() == a.ptr());
        CHECK(t.must("/etc/conf/b/..").ptr() == a.ptr());
        CHECK(t.must("/etc")->nlink() == etc_links + 1);
        CHECK(t.rename("/etc/conf", "/etc/conf/b", fs::RENAME_FLAG_EXCHANGE) == Errno::EINVAL);
        CHECK(t.rename("/etc/conf/b", "/etc/conf", fs::RENAME_FLAG_EXCHANGE) == Errno::EINVAL);
    }
}

TEST_CASE("link and symlink", "[fs][ops]")
{
    OpsTree t;
    CHECK(t.link("/etc", "/e2") == Errno::EPERM);
    CHECK(t.link("/etc/conf", "/etc/noexec") == Errno::EEXIST);
    CHECK(t.link("/etc/conf", "/newdir/") == Errno::ENOENT);
    CHECK(t.link("/nope", "/x") == Errno::ENOENT);
    // Without AT_SYMLINK_FOLLOW the link itself is linked.
    CHECK(t.link("/link-abs", "/l2") == Errno {});
    CHECK(t.must("/l2", fs::LOOKUP_NOFOLLOW)->is_symlink());
    CHECK(t.link("/link-abs", "/l3", fs::AT_SYMLINK_FOLLOW) == Errno {});
    CHECK(t.must("/l3", fs::LOOKUP_NOFOLLOW).ptr() == t.must("/etc/conf").ptr());
    CHECK(t.must("/etc/conf")->nlink() == 2);
    CHECK(err(fs::link_at(*t.ctx, fs::AT_FDCWD, "/a", fs::AT_FDCWD, "/b", 0x10)) == Errno::EINVAL);
    int fd = t.open("/etc/noexec", fs::O_RDONLY);
    CHECK(err(fs::link_at(*t.ctx, fd, "", fs::AT_FDCWD, "/byfd", fs::AT_EMPTY_PATH)) == Errno {});
    CHECK(t.must("/byfd").ptr() == t.must("/etc/noexec").ptr());
    CHECK(err(fs::link_at(*t.ctx, fd, "", fs::AT_FDCWD, "/byfd2", 0)) == Errno::ENOENT);

    CHECK(t.symlink("etc/conf", "/sl") == Errno {});
    CHECK(t.contents("/sl") == "a=1\n");
    CHECK(t.must("/sl", fs::LOOKUP_NOFOLLOW)->size() == 8);
    CHECK(t.symlink("x", "/sl") == Errno::EEXIST);
    CHECK(t.symlink("", "/s2") == Errno::ENOENT);
    CHECK(t.symlink("x", "/s3/") == Errno::ENOENT);
    CHECK(t.symlink("x", "/nope/s") == Errno::ENOENT);
}

TEST_CASE("truncate, ftruncate, fallocate", "[fs][ops]")
{
    OpsTree t;
    CHECK(err(fs::truncate_path(*t.ctx, "/etc/conf", 2)) == Errno {});
    CHECK(t.contents("/etc/conf") == "a=");
    CHECK(err(fs::truncate_path(*t.ctx, "/etc/conf", 4)) == Errno {});
    CHECK(t.contents("/etc/conf") == std::string("a=\0\0", 4));
    CHECK(err(fs::truncate_path(*t.ctx, "/etc", 0)) == Errno::EISDIR);
    CHECK(err(fs::truncate_path(*t.ctx, "/dev/null", 0)) == Errno::EINVAL);
    CHECK(err(fs::truncate_path(*t.ctx, "/etc/conf", -1)) == Errno::EINVAL);
    CHECK(err(fs::truncate_path(*t.ctx, "/link-abs", 1)) == Errno {}); // follows
    CHECK(t.contents("/etc/conf") == "a");

    int ro = t.open("/etc/conf", fs::O_RDONLY);
    int rw = t.open("/etc/conf", fs::O_RDWR);
    CHECK(err(fs::ftruncate(*t.file(ro), 0)) == Errno::EINVAL);
    CHECK(err(fs::ftruncate(*t.file(rw), -1)) == Errno::EINVAL);
    CHECK(err(fs::ftruncate(*t.file(rw), 10)) == Errno {});
    CHECK(t.must("/etc/conf")->size() == 10);

    auto& f = *t.file(rw);
    CHECK(err(fs::fallocate(f, 0, 0, 0)) == Errno::EINVAL);
    CHECK(err(fs::fallocate(f, 0, -1, 1)) == Errno::EINVAL);
    CHECK(err(fs::fallocate(f, 0x80, 0, 1)) == Errno::EOPNOTSUPP);
    CHECK(err(fs::fallocate(f, fs::FALLOCATE_PUNCH_HOLE, 0, 1)) == Errno::EOPNOTSUPP);
    CHECK(err(fs::fallocate(*t.file(ro), 0, 0, 1)) == Errno::EBADF);
    CHECK(err(fs::fallocate(f, 0, 0, 100)) == Errno {});
    CHECK(f.inode().size() == 100);
    CHECK(err(fs::fallocate(f, 0, 0, 50)) == Errno {}); // never shrinks
    CHECK(f.inode().size() == 100);
    CHECK(err(fs::fallocate(f, fs::FALLOCATE_KEEP_SIZE, 0, 8192)) == Errno {});
    CHECK(f.inode().size() == 100);
    CHECK(err(fs::fallocate(f, 0, INT64_MAX, 1)) == Errno::EFBIG);
    // Punching zeros a range inside the file, keeping the size.
    REQUIRE(f.seek(0, fs::WHENCE_SET).value() == 0);
    write_str(f, "abcdef");
    CHECK(err(fs::fallocate(f, fs::FALLOCATE_PUNCH_HOLE | fs::FALLOCATE_KEEP_SIZE, 1, 3)) == Errno {});
    CHECK(t.contents("/etc/conf").substr(0, 6) == std::string("a\0\0\0ef", 6));
    CHECK(f.inode().size() == 100);
    int etc = t.open("/etc", fs::O_RDONLY);
    CHECK(err(fs::fallocate(*t.file(etc), 0, 0, 1)) == Errno::EBADF);
}

TEST_CASE("utimens, chmod, chown, umask, fsync", "[fs][ops]")
{
    OpsTree t;
    auto conf = t.must("/etc/conf");
    fs::Timespec ts[2] = { { 100, 5 }, { 200, 6 } };
    CHECK(err(fs::utimens(*conf, ts)) == Errno {});
    CHECK(conf->atime().sec == 100);
    CHECK(conf->mtime().sec == 200);
    CHECK(conf->mtime().nsec == 6);
    fs::Timespec omit[2] = { { 1, fs::NSEC_OMIT }, { 300, 0 } };
    CHECK(err(fs::utimens(*conf, omit)) == Errno {});
    CHECK(conf->atime().sec == 100);
    CHECK(conf->mtime().sec == 300);
    fs::Timespec bad[2] = { { 1, 1000000000 }, { 1, 0 } };
    CHECK(err(fs::utimens(*conf, bad)) == Errno::EINVAL);
    fs::Timespec neg[2] = { { 1, 0 }, { 1, -1 } };
    CHECK(err(fs::utimens(*conf, neg)) == Errno::EINVAL);

    CHECK(err(fs::chmod(*conf, 0104755)) == Errno {});
    CHECK(conf->mode() == (fs::S_IFREG | 04755));
    CHECK(err(fs::chown(*conf, 1000, fs::OWNER_UNCHANGED)) == Errno {});
    CHECK(conf->uid() == 1000);
    CHECK(conf->gid() == 0);
    CHECK(conf->permissions() == 0755); // set-user-ID dropped
    CHECK(err(fs::chmod(*conf, 02755)) == Errno {});
    CHECK(err(fs::chown(*conf, fs::OWNER_UNCHANGED, 50)) == Errno {});
    CHECK(conf->permissions() == 0755); // set-group-ID with group x dropped
    CHECK(conf->uid() == 1000);
    CHECK(conf->gid() == 50);

    CHECK(fs::set_umask(*t.ctx, 0777077) == 022);
    CHECK(fs::set_umask(*t.ctx, 022) == 077);

    int fd = t.open("/etc/conf", fs::O_RDONLY);
    CHECK(err(fs::fsync(*t.file(fd))) == Errno {});
    int null = t.open("/dev/null", fs::O_RDWR);
    CHECK(err(fs::fsync(*t.file(null))) == Errno::EINVAL);
}

TEST_CASE("statfs: tmpfs numbers that follow the data", "[fs][ops]")
{
    OpsTree t;
    auto before = fs::statfs(u64(64) << 20);
    CHECK(before.type == 0x01021994);
    CHECK(before.bsize == 4096);
    CHECK(before.namelen == 255);
    CHECK(before.blocks == (u64(32) << 20) / 4096);
    CHECK(before.bfree <= before.blocks);
    CHECK(before.ffree < before.files);
    int fd = t.open("/big", fs::O_CREAT | fs::O_RDWR);
    REQUIRE(!fs::ftruncate(*t.file(fd), 1 << 20).is_error());
    auto after = fs::statfs(u64(64) << 20);
    CHECK(before.bfree - after.bfree == (1 << 20) / 4096);
    CHECK(before.ffree - after.ffree == 1);
}

TEST_CASE("O_TMPFILE and memfd: unnamed files, linkat gives a name", "[fs][ops]")
{
    OpsTree t;
    auto f = MUST(fs::open_tmpfile(*t.ctx, fs::AT_FDCWD, "/etc", fs::O_TMPFILE | fs::O_RDWR, 0600));
    CHECK(f->inode().nlink() == 0);
    CHECK(f->inode().is_regular());
    write_str(*f, "temp");
    int fd = MUST(t.ctx->fds.install(f, false));
    CHECK(err(fs::link_at(*t.ctx, fd, "", fs::AT_FDCWD, "/etc/named", fs::AT_EMPTY_PATH)) == Errno {});
    CHECK(t.contents("/etc/named") == "temp");
    CHECK(f->inode().nlink() == 1);

    auto excl = MUST(fs::open_tmpfile(*t.ctx, fs::AT_FDCWD, "/etc", fs::O_TMPFILE | fs::O_WRONLY | fs::O_EXCL, 0600));
    int efd = MUST(t.ctx->fds.install(excl, false));
    CHECK(err(fs::link_at(*t.ctx, efd, "", fs::AT_FDCWD, "/etc/n2", fs::AT_EMPTY_PATH)) == Errno::ENOENT);
    CHECK(fs::open_tmpfile(*t.ctx, fs::AT_FDCWD, "/etc", fs::O_TMPFILE | fs::O_RDONLY, 0).error() == Errno::EINVAL);
    CHECK(fs::open_tmpfile(*t.ctx, fs::AT_FDCWD, "/etc/conf", fs::O_TMPFILE | fs::O_RDWR, 0).error() == Errno::ENOTDIR);
    CHECK(fs::open_tmpfile(*t.ctx, fs::AT_FDCWD, "/nope", fs::O_TMPFILE | fs::O_RDWR, 0).error() == Errno::ENOENT);

    auto m = MUST(fs::memfd_create("buf", fs::MEMFD_CLOEXEC));
    CHECK(m->can_read());
    CHECK(m->can_write());
    CHECK(m->inode().permissions() == 0777);
    CHECK(fs::memfd_create(std::string(250, 'x').c_str(), 0).error() == Errno::EINVAL);
    CHECK(fs::memfd_create("x", 0x100).error() == Errno::EINVAL);
}

TEST_CASE("sendfile and copy_file_range between files", "[fs][ops]")
{
    OpsTree t;
    std::string data;
    for (int i = 0; i < 40000; i++) data += char('a' + i % 26);
    int src = t.open("/src", fs::O_CREAT | fs::O_RDWR);
    write_str(*t.file(src), data);
    int dst = t.open("/dst", fs::O_CREAT | fs::O_WRONLY);
    auto in = t.file(src);
    auto out = t.file(dst);

    i64 off = 10;
    CHECK(MUST(fs::sendfile(*out, *in, &off, 30000)) == 30000);
    CHECK(off == 30010);
    CHECK(in->offset() == 40000); // untouched with an explicit offset
    CHECK(t.contents("/dst") == data.substr(10, 30000));
    REQUIRE(in->seek(39990, fs::WHENCE_SET).value() == 39990);
    CHECK(MUST(fs::sendfile(*out, *in, nullptr, 100)) == 10); // to the end of the input
    CHECK(in->offset() == 40000);
    CHECK(MUST(fs::sendfile(*out, *in, nullptr, 100)) == 0);
    off = -1;
    CHECK(fs::sendfile(*out, *in, &off, 1).error() == Errno::EINVAL);
    CHECK(fs::sendfile(*in, *out, nullptr, 1).error() == Errno::EBADF); // out is write-only
    int app = t.open("/dst", fs::O_WRONLY | fs::O_APPEND);
    CHECK(fs::sendfile(*t.file(app), *in, nullptr, 1).error() == Errno::EINVAL);

    int dst2 = t.open("/dst2", fs::O_CREAT | fs::O_RDWR);
    i64 in_off = 5, out_off = 100;
    CHECK(MUST(fs::copy_file_range(*in, &in_off, *t.file(dst2), &out_off, 50, 0)) == 50);
    CHECK(in_off == 55);
    CHECK(out_off == 150);
    CHECK(t.contents("/dst2") == std::string(100, '\0') + data.substr(5, 50));
    CHECK(fs::copy_file_range(*in, nullptr, *t.file(dst2), nullptr, 1, 1).error() == Errno::EINVAL);
    in_off = 100000;
    CHECK(MUST(fs::copy_file_range(*in, &in_off, *t.file(dst2), nullptr, 5, 0)) == 0);
    i64 a = 0, b = 10;
    CHECK(fs::copy_file_range(*in, &a, *in, &b, 20, 0).error() == Errno::EINVAL); // overlap
    int etc = t.open("/etc", fs::O_RDONLY);
    CHECK(fs::copy_file_range(*t.file(etc), nullptr, *out, nullptr, 1, 0).error() == Errno::EISDIR);
    CHECK(fs::copy_file_range(*in, nullptr, *t.file(app), nullptr, 1, 0).error() == Errno::EBADF);
}

TEST_CASE("flock: operations checked, locks granted", "[fs][ops]")
{
    OpsTree t;
    int fd = t.open("/etc/conf", fs::O_RDONLY);
    auto& f = *t.file(fd);
    CHECK(err(fs::flock(f, 1)) == Errno {});
    CHECK(err(fs::flock(f, 2 | 4)) == Errno {});
    CHECK(err(fs::flock(f, 8)) == Errno {});
    CHECK(err(fs::flock(f, 0)) == Errno::EINVAL);
    CHECK(err(fs::flock(f, 3)) == Errno::EINVAL);
    CHECK(err(fs::check_flock_op(4)) == Errno::EINVAL);
}
