// File system operations beyond open/read/write: mkdir(at), unlink(at), rmdir,
// rename(at/at2), link(at), symlink(at), truncate/ftruncate, fallocate,
// utimensat/futimesat/utimes, chmod/fchmod/fchmodat, chown/fchown/lchown/
// fchownat, umask, fchdir, creat, fsync/fdatasync/syncfs/sync, statfs/fstatfs,
// pipe/pipe2, eventfd/eventfd2, sendfile, copy_file_range, memfd_create,
// O_TMPFILE, flock and fcntl record locks.
//
// usage: fsops DIR   (an absolute, writable directory; the program works in
// DIR/fsops.d, which must not exist). Each check expects what Linux does.
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <utime.h>

static char base[4096];

static const char *at(const char *name)
{
    static char bufs[8][4200];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", base, name);
    return b;
}

static long nlink_of(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    return (long)st.st_nlink;
}

static void put_file(const char *path, const char *text)
{
    int fd = CHECK_OK(open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644));
    CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
    CHECK_OK(close(fd));
}

static void get_file(const char *path, char *buf, size_t n)
{
    memset(buf, 0, n);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    ssize_t r = read(fd, buf, n - 1);
    (void)r;
    close(fd);
}

static void test_mkdir_unlink(void)
{
    long links = nlink_of(base);
    CHECK_OK(mkdir(at("d"), 0755));
    CHECK_EQ(nlink_of(base), links + 1);
    CHECK_EQ(nlink_of(at("d")), 2);
    CHECK_ERR(mkdir(at("d"), 0755), EEXIST);
    CHECK_ERR(mkdir(at("d/."), 0755), EEXIST);
    CHECK_ERR(mkdir(at("nope/x"), 0755), ENOENT);
    CHECK_OK(mkdir(at("d/sub/"), 0700));              // a trailing slash is fine for mkdir
    CHECK_EQ(nlink_of(at("d")), 3);
    int dfd = CHECK_OK(open(at("d"), O_RDONLY | O_DIRECTORY));
    CHECK_OK(mkdirat(dfd, "sub2", 0755));
    put_file(at("d/file"), "x");
    CHECK_ERR(mkdir(at("d/file/x"), 0755), ENOTDIR);
    CHECK_ERR(mkdirat(dfd, "file", 0755), EEXIST);

    CHECK_ERR(unlink(at("d")), EISDIR);
    CHECK_ERR(unlink(at("d/file/")), ENOTDIR);
    CHECK_ERR(unlink(at("d/missing")), ENOENT);
    CHECK_ERR(rmdir(at("d")), ENOTEMPTY);
    CHECK_ERR(rmdir(at("d/file")), ENOTDIR);
    CHECK_ERR(rmdir(at("d/sub/.")), EINVAL);
    CHECK_ERR(rmdir(at("d/sub/..")), ENOTEMPTY);
    CHECK_ERR(unlinkat(dfd, "sub", 0x1), EINVAL);
    CHECK_ERR(unlinkat(dfd, "sub", 0), EISDIR);
    CHECK_OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
    CHECK_OK(rmdir(at("d/sub2")));
    CHECK_EQ(nlink_of(at("d")), 2);
    CHECK_ERR(unlinkat(dfd, "file", AT_REMOVEDIR), ENOTDIR);
    CHECK_OK(unlinkat(dfd, "file", 0));
    CHECK_ERR(access(at("d/file"), F_OK), ENOENT);

    // An open file outlives its last name.
    put_file(at("d/tmp"), "still here");
    int fd = CHECK_OK(open(at("d/tmp"), O_RDONLY));
    CHECK_OK(unlink(at("d/tmp")));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_nlink, 0);
    char buf[32] = {0};
    CHECK_EQ(read(fd, buf, sizeof buf), 10);
    CHECK_STR(buf, "still here");
    CHECK_OK(close(fd));
    CHECK_OK(close(dfd));
    CHECK_OK(rmdir(at("d")));
    CHECK_EQ(nlink_of(base), links);
}

static void test_rename(void)
{
    CHECK_OK(mkdir(at("r"), 0755));
    CHECK_OK(mkdir(at("r/a"), 0755));
    CHECK_OK(mkdir(at("r/a/b"), 0755));
    CHECK_OK(mkdir(at("r/full"), 0755));
    put_file(at("r/full/x"), "x");
    CHECK_OK(mkdir(at("r/empty"), 0755));
    put_file(at("r/f1"), "one");
    put_file(at("r/f2"), "two");

    CHECK_ERR(rename(at("r/a"), at("r/a/b/c")), EINVAL);   // into its own subdirectory
    CHECK_ERR(rename(at("r/a"), at("r/full")), ENOTEMPTY); // over a non-empty directory
    CHECK_ERR(rename(at("r/a/b"), at("r/a")), ENOTEMPTY);  // over its own parent
    CHECK_ERR(rename(at("r/f1"), at("r/a")), EISDIR);      // file over directory
    CHECK_ERR(rename(at("r/a"), at("r/f1")), ENOTDIR);     // directory over file
    CHECK_ERR(rename(at("r/f1/"), at("r/g")), ENOTDIR);
    CHECK_ERR(rename(at("r/missing"), at("r/g")), ENOENT);
    CHECK_ERR(rename(at("r/f1"), at("r/missing/g")), ENOENT);

    // A file over a file: the old one is gone, the name holds the new data.
    CHECK_OK(rename(at("r/f1"), at("r/f2")));
    char buf[32];
    get_file(at("r/f2"), buf, sizeof buf);
    CHECK_STR(buf, "one");
    CHECK_ERR(access(at("r/f1"), F_OK), ENOENT);
    CHECK_OK(rename(at("r/f2"), at("r/f2")));              // to itself: nothing happens
    CHECK_OK(access(at("r/f2"), F_OK));

    // A directory over an empty directory, with link counts following.
    long r_links = nlink_of(at("r"));
    CHECK_OK(rename(at("r/a"), at("r/empty")));
    CHECK_EQ(nlink_of(at("r")), r_links - 1);
    CHECK_OK(access(at("r/empty/b"), F_OK));
    CHECK_OK(rename(at("r/empty/b"), at("r/b2")));
    CHECK_EQ(nlink_of(at("r/empty")), 2);
    CHECK_EQ(nlink_of(at("r")), r_links);

    // renameat2: NOREPLACE and EXCHANGE.
    int rfd = CHECK_OK(open(at("r"), O_RDONLY | O_DIRECTORY));
    put_file(at("r/f3"), "three");
    CHECK_ERR(syscall(SYS_renameat2, rfd, "f2", rfd, "f3", RENAME_NOREPLACE), EEXIST);
    CHECK_ERR(syscall(SYS_renameat2, rfd, "f2", rfd, "f3", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
    CHECK_ERR(syscall(SYS_renameat2, rfd, "f2", rfd, "nothere", RENAME_EXCHANGE), ENOENT);
    CHECK_ERR(syscall(SYS_renameat2, rfd, "f2", rfd, "f3", 0x100), EINVAL);
    CHECK_OK(syscall(SYS_renameat2, rfd, "f2", rfd, "f4", RENAME_NOREPLACE));
    CHECK_OK(syscall(SYS_renameat2, rfd, "f4", rfd, "f3", RENAME_EXCHANGE));
    get_file(at("r/f3"), buf, sizeof buf);
    CHECK_STR(buf, "one");
    get_file(at("r/f4"), buf, sizeof buf);
    CHECK_STR(buf, "three");
    CHECK_OK(syscall(SYS_renameat2, rfd, "f4", rfd, "full", RENAME_EXCHANGE)); // file <-> directory
    CHECK_OK(access(at("r/f4/x"), F_OK));
    CHECK_OK(renameat(rfd, "f4", AT_FDCWD, at("r/moved")));
    CHECK_OK(access(at("r/moved/x"), F_OK));
    CHECK_OK(close(rfd));
}

static void test_links(void)
{
    CHECK_OK(mkdir(at("l"), 0755));
    put_file(at("l/target"), "target data");
    CHECK_EQ(nlink_of(at("l/target")), 1);
    CHECK_OK(link(at("l/target"), at("l/hard")));
    CHECK_EQ(nlink_of(at("l/target")), 2);
    CHECK_ERR(link(at("l/target"), at("l/hard")), EEXIST);
    CHECK_ERR(link(at("l"), at("l2")), EPERM);
    CHECK_ERR(link(at("l/none"), at("l/x")), ENOENT);
    struct stat a, b;
    CHECK_OK(stat(at("l/target"), &a));
    CHECK_OK(stat(at("l/hard"), &b));
    CHECK_EQ(a.st_ino, b.st_ino);
    CHECK_OK(unlink(at("l/target")));
    CHECK_EQ(nlink_of(at("l/hard")), 1);

    CHECK_OK(symlink("hard", at("l/sym")));
    char buf[64] = {0};
    CHECK_EQ(readlink(at("l/sym"), buf, sizeof buf), 4);
    CHECK_STR(buf, "hard");
    CHECK_ERR(symlink("x", at("l/sym")), EEXIST);
    CHECK_ERR(symlink("", at("l/empty")), ENOENT);
    int lfd = CHECK_OK(open(at("l"), O_RDONLY | O_DIRECTORY));
    CHECK_OK(symlinkat("/nowhere", lfd, "dangling"));
    // linkat without AT_SYMLINK_FOLLOW links the symlink itself.
    CHECK_OK(linkat(lfd, "sym", lfd, "sym2", 0));
    struct stat st;
    CHECK_OK(lstat(at("l/sym2"), &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_OK(linkat(lfd, "sym", lfd, "hard2", AT_SYMLINK_FOLLOW));
    CHECK_OK(lstat(at("l/hard2"), &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_nlink, 2);
    CHECK_ERR(linkat(lfd, "sym", lfd, "x", 0x10), EINVAL);
    CHECK_OK(close(lfd));
}

static void test_truncate_fallocate(void)
{
    const char *p = at("t");
    put_file(p, "0123456789");
    CHECK_OK(truncate(p, 4));
    struct stat st;
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_size, 4);
    CHECK_OK(truncate(p, 8));
    char buf[16];
    int fd = CHECK_OK(open(p, O_RDWR));
    CHECK_EQ(read(fd, buf, sizeof buf), 8);
    CHECK_MEM(buf, "0123\0\0\0\0", 8);
    CHECK_ERR(truncate(p, -1), EINVAL);
    CHECK_ERR(truncate(base, 0), EISDIR);
    CHECK_ERR(ftruncate(fd, -1), EINVAL);
    CHECK_OK(ftruncate(fd, 2));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 2);
    int ro = CHECK_OK(open(p, O_RDONLY));
    CHECK_ERR(ftruncate(ro, 0), EINVAL);
    CHECK_ERR(ftruncate(999, 0), EBADF);

    CHECK_OK(fallocate(fd, 0, 0, 5000));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 5000);
    CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20000));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 5000);
    CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
    CHECK_ERR(fallocate(ro, 0, 0, 10), EBADF);
    int pfd[2];
    CHECK_OK(pipe(pfd));
    CHECK_ERR(fallocate(pfd[1], 0, 0, 10), ESPIPE);
    close(pfd[0]);
    close(pfd[1]);
    CHECK_OK(close(ro));
    CHECK_OK(close(fd));
}

static void test_times_modes(void)
{
    const char *p = at("m");
    put_file(p, "m");
    struct timespec ts[2] = {{1000000000, 123}, {1100000000, 456}};
    CHECK_OK(utimensat(AT_FDCWD, p, ts, 0));
    struct stat st;
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_atim.tv_sec, 1000000000);
    CHECK_EQ(st.st_atim.tv_nsec, 123);
    CHECK_EQ(st.st_mtim.tv_sec, 1100000000);
    CHECK_EQ(st.st_mtim.tv_nsec, 456);
    struct timespec omit[2] = {{5, UTIME_OMIT}, {1200000000, 0}};
    CHECK_OK(utimensat(AT_FDCWD, p, omit, 0));
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_atim.tv_sec, 1000000000);
    CHECK_EQ(st.st_mtim.tv_sec, 1200000000);
    struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
    CHECK_OK(utimensat(AT_FDCWD, p, now, 0));
    CHECK_OK(stat(p, &st));
    CHECK(st.st_atim.tv_sec > 1200000000);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    CHECK_ERR(utimensat(AT_FDCWD, p, bad, 0), EINVAL);
    CHECK_ERR(utimensat(AT_FDCWD, p, ts, 0x4), EINVAL);
    int fd = CHECK_OK(open(p, O_RDONLY));
    CHECK_OK(futimens(fd, ts));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mtim.tv_sec, 1100000000);
    struct timeval tv[2] = {{1300000000, 7}, {1400000000, 8}};
    CHECK_OK(utimes(p, tv));
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_mtim.tv_sec, 1400000000);
    CHECK_EQ(st.st_mtim.tv_nsec, 8000);
    struct timeval badtv[2] = {{0, 1000000}, {0, 0}};
    CHECK_ERR(utimes(p, badtv), EINVAL);
    CHECK_OK(syscall(SYS_futimesat, AT_FDCWD, p, tv));
    struct utimbuf ub = {1500000000, 1600000000};
    CHECK_OK(utime(p, &ub));
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_mtim.tv_sec, 1600000000);
    CHECK_EQ(st.st_mtim.tv_nsec, 0);
    // A symlink's own times with AT_SYMLINK_NOFOLLOW.
    CHECK_OK(symlink("m", at("msym")));
    CHECK_OK(utimensat(AT_FDCWD, at("msym"), ts, AT_SYMLINK_NOFOLLOW));
    CHECK_OK(lstat(at("msym"), &st));
    CHECK_EQ(st.st_mtim.tv_sec, 1100000000);
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_mtim.tv_sec, 1600000000);

    CHECK_OK(chmod(p, 0600));
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_mode, S_IFREG | 0600);
    CHECK_OK(fchmod(fd, 0640));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0640);
    CHECK_OK(fchmodat(AT_FDCWD, at("msym"), 0604, 0)); // follows the link
    CHECK_OK(stat(p, &st));
    CHECK_EQ(st.st_mode & 07777, 0604);
    CHECK_ERR(chmod(at("none"), 0600), ENOENT);
    CHECK_ERR(fchmod(999, 0600), EBADF);

    CHECK_OK(chown(p, -1, -1));
    CHECK_OK(fchown(fd, getuid(), getgid()));
    CHECK_OK(lchown(at("msym"), getuid(), getgid()));
    CHECK_ERR(fchownat(AT_FDCWD, p, 0, 0, 0x4), EINVAL);
    if (geteuid() == 0) {
        CHECK_OK(chmod(p, 04755));
        CHECK_OK(chown(p, 1234, 5678));
        CHECK_OK(stat(p, &st));
        CHECK_EQ(st.st_uid, 1234);
        CHECK_EQ(st.st_gid, 5678);
        CHECK_EQ(st.st_mode & 07777, 0755); // set-user-ID cleared by chown
        CHECK_OK(fchownat(AT_FDCWD, at("msym"), 42, -1, AT_SYMLINK_NOFOLLOW));
        CHECK_OK(lstat(at("msym"), &st));
        CHECK_EQ(st.st_uid, 42);
        CHECK_OK(stat(p, &st));
        CHECK_EQ(st.st_uid, 1234);
        CHECK_OK(fchownat(fd, "", 7, 8, AT_EMPTY_PATH));
        CHECK_OK(fstat(fd, &st));
        CHECK_EQ(st.st_uid, 7);
        CHECK_EQ(st.st_gid, 8);
    }
    CHECK_OK(close(fd));

    mode_t old = umask(027);
    CHECK_EQ(umask(027), 027);
    int nfd = CHECK_OK(open(at("masked"), O_CREAT | O_WRONLY, 0666));
    CHECK_OK(fstat(nfd, &st));
    CHECK_EQ(st.st_mode & 0777, 0640);
    CHECK_OK(mkdir(at("maskdir"), 0777));
    CHECK_OK(stat(at("maskdir"), &st));
    CHECK_EQ(st.st_mode & 0777, 0750);
    CHECK_EQ(umask(old), 027);
    CHECK_OK(close(nfd));
    int cfd = CHECK_OK(creat(at("masked"), 0600)); // creat truncates an existing file
    CHECK_OK(fstat(cfd, &st));
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(fcntl(cfd, F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_OK(close(cfd));
}

static void test_fchdir_sync_statfs(void)
{
    char cwd[4096], want[4096];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_OK(mkdir(at("cd"), 0755));
    int dfd = CHECK_OK(open(at("cd"), O_RDONLY | O_DIRECTORY));
    CHECK_OK(fchdir(dfd));
    CHECK(getcwd(want, sizeof want) != NULL);
    CHECK_STR(want, at("cd"));
    int pfd = CHECK_OK(open(at("cd"), O_PATH));
    CHECK_OK(fchdir(pfd)); // O_PATH descriptors work for fchdir
    put_file(at("cd/f"), "f");
    int ffd = CHECK_OK(open("f", O_RDWR)); // relative to the new cwd
    CHECK_ERR(fchdir(ffd), ENOTDIR);
    CHECK_ERR(fchdir(999), EBADF);
    CHECK_OK(chdir(cwd));

    CHECK_OK(fsync(ffd));
    CHECK_OK(fdatasync(ffd));
    CHECK_OK(fsync(dfd));
    CHECK_OK(syncfs(ffd));
    sync();
    CHECK_ERR(fsync(999), EBADF);
    CHECK_ERR(fdatasync(999), EBADF);
    CHECK_ERR(syncfs(999), EBADF);
    int pp[2];
    CHECK_OK(pipe(pp));
    CHECK_ERR(fsync(pp[0]), EINVAL); // pipes have no fsync
    close(pp[0]);
    close(pp[1]);

    struct statfs a, b;
    CHECK_OK(statfs(base, &a));
    CHECK_OK(fstatfs(ffd, &b));
    CHECK_OK(fstatfs(pfd, &b)); // O_PATH too
    CHECK_EQ(a.f_type, b.f_type);
    CHECK(a.f_bsize > 0);
    CHECK_EQ(a.f_namelen, 255);
    CHECK(a.f_blocks >= a.f_bfree);
    CHECK(a.f_files >= a.f_ffree);
    CHECK_ERR(statfs(at("nope"), &a), ENOENT);
    CHECK_ERR(fstatfs(999, &a), EBADF);
    CHECK_OK(close(ffd));
    CHECK_OK(close(pfd));
    CHECK_OK(close(dfd));
}

static void test_pipes(void)
{
    int p[2];
    CHECK_OK(pipe2(p, O_NONBLOCK | O_CLOEXEC));
    CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK); // no O_LARGEFILE: not from open()
    struct stat st;
    CHECK_OK(fstat(p[0], &st));
    CHECK(S_ISFIFO(st.st_mode));
    char buf[100];
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);      // empty, a writer open
    CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERR(write(p[0], "x", 1), EBADF);
    CHECK_EQ(write(p[1], "hello", 5), 5);
    int avail = 0;
    CHECK_OK(ioctl(p[0], FIONREAD, &avail));
    CHECK_EQ(avail, 5);
    CHECK_EQ(read(p[0], buf, 2), 2);
    CHECK_MEM(buf, "he", 2);
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    CHECK_MEM(buf, "llo", 3);

    // Fill it: 16 page slots, then EAGAIN; drain it in pieces across the ring's end.
    CHECK_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
    static char big[70000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 13);
    CHECK_EQ(write(p[1], big, 60000), 60000);
    // 10000 % 4096 does not fit beside the 2656 bytes in the 15th page: one
    // fresh page is what fits (Linux's pipe_write).
    CHECK_EQ(write(p[1], big + 60000, 10000), 4096);
    CHECK_ERR(write(p[1], "y", 1), EAGAIN);
    static char got[70000];
    CHECK_EQ(read(p[0], got, 30000), 30000);
    CHECK_EQ(write(p[1], big, 20000), 20000);             // wraps around the ring
    size_t total = 0;
    for (;;) {
        ssize_t n = read(p[0], got + total, 7000);
        if (n <= 0)
            break;
        total += n;
        if (total >= 34096 + 20000)
            break;
    }
    CHECK_EQ(total, 34096 + 20000);
    CHECK_MEM(got, big + 30000, 34096);
    CHECK_MEM(got + 34096, big, 20000);

    // The writer closes: the rest, then end of file.
    CHECK_EQ(write(p[1], "end", 3), 3);
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    CHECK_OK(close(p[0]));

    // The reader closes: EPIPE (SIGPIPE ignored).
    signal(SIGPIPE, SIG_IGN);
    CHECK_OK(pipe(p));
    CHECK_EQ(fcntl(p[0], F_GETFD), 0);
    CHECK_OK(close(p[0]));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_OK(close(p[1]));
    CHECK_ERR(pipe2(p, 0x1), EINVAL);
    CHECK_ERR(syscall(SYS_pipe2, (void *)8, 0), EFAULT);

    // A blocking read with data returns it without waiting; dup keeps the writer open.
    CHECK_OK(pipe(p));
    int w2 = CHECK_OK(dup(p[1]));
    CHECK_OK(close(p[1]));
    CHECK_EQ(write(w2, "ab", 2), 2);
    CHECK_EQ(read(p[0], buf, sizeof buf), 2);
    CHECK_OK(close(w2));
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    CHECK_OK(close(p[0]));
}

static void test_eventfd(void)
{
    int e = CHECK_OK(eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC));
    CHECK_EQ(fcntl(e, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(e, F_GETFL), O_RDWR | O_NONBLOCK);
    uint64_t v = 4;
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(v, 7);
    CHECK_ERR(read(e, &v, 8), EAGAIN);
    CHECK_ERR(read(e, &v, 4), EINVAL);
    v = UINT64_MAX;
    CHECK_ERR(write(e, &v, 8), EINVAL);
    v = UINT64_MAX - 1;
    CHECK_EQ(write(e, &v, 8), 8);
    v = 1;
    CHECK_ERR(write(e, &v, 8), EAGAIN);                   // would overflow
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(v, UINT64_MAX - 1);
    CHECK_OK(close(e));

    e = CHECK_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(v, 1);
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(v, 1);
    CHECK_ERR(read(e, &v, 8), EAGAIN);
    CHECK_OK(close(e));
    CHECK_ERR(syscall(SYS_eventfd2, 0, 0x10), EINVAL);
    e = CHECK_OK(syscall(SYS_eventfd2, 5, 0));
    CHECK_EQ(read(e, &v, 8), 8);                           // blocking, but there is a count
    CHECK_EQ(v, 5);
    CHECK_OK(close(e));
}

static void test_copies(void)
{
    static char data[50000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 23);
    int src = CHECK_OK(open(at("src"), O_CREAT | O_RDWR, 0644));
    CHECK_EQ(write(src, data, sizeof data), (long)sizeof data);
    int dst = CHECK_OK(open(at("dst"), O_CREAT | O_RDWR, 0644));
    off_t off = 100;
    CHECK_EQ(sendfile(dst, src, &off, 40000), 40000);
    CHECK_EQ(off, 40100);
    CHECK_EQ(lseek(src, 0, SEEK_CUR), (long)sizeof data);   // untouched with an offset
    CHECK_OK(lseek(src, 49990, SEEK_SET));
    CHECK_EQ(sendfile(dst, src, NULL, 100), 10);            // up to the end of the input
    CHECK_EQ(lseek(src, 0, SEEK_CUR), (long)sizeof data);
    static char got[50000];
    CHECK_EQ(pread(dst, got, sizeof got, 0), 40010);
    CHECK_MEM(got, data + 100, 40000);
    CHECK_MEM(got + 40000, data + 49990, 10);
    int ro = CHECK_OK(open(at("dst"), O_RDONLY));
    CHECK_ERR(sendfile(ro, src, NULL, 1), EBADF);
    CHECK_ERR(sendfile(dst, 999, NULL, 1), EBADF);
    off = -1;
    CHECK_ERR(sendfile(dst, src, &off, 1), EINVAL);

    // To a pipe, and to stdout.
    int p[2];
    CHECK_OK(pipe(p));
    off = 0;
    CHECK_EQ(sendfile(p[1], src, &off, 1000), 1000);
    CHECK_EQ(read(p[0], got, sizeof got), 1000);
    CHECK_MEM(got, data, 1000);
    close(p[0]);
    close(p[1]);
    const char line[] = "fsops: a line sent with sendfile\n";
    put_file(at("line"), line);
    int lfd = CHECK_OK(open(at("line"), O_RDONLY));
    fflush(stdout);
    CHECK_EQ(sendfile(1, lfd, NULL, 4096), (long)strlen(line));
    CHECK_OK(close(lfd));

    // copy_file_range between regular files.
    int cp = CHECK_OK(open(at("cp"), O_CREAT | O_RDWR | O_TRUNC, 0644));
    off_t in_off = 10, out_off = 5;
    CHECK_EQ(copy_file_range(src, &in_off, cp, &out_off, 1000, 0), 1000);
    CHECK_EQ(in_off, 1010);
    CHECK_EQ(out_off, 1005);
    CHECK_EQ(pread(cp, got, sizeof got, 0), 1005);
    CHECK_MEM(got, "\0\0\0\0\0", 5);
    CHECK_MEM(got + 5, data + 10, 1000);
    CHECK_ERR(copy_file_range(src, NULL, cp, NULL, 10, 1), EINVAL);
    in_off = 100000;
    CHECK_EQ(copy_file_range(src, &in_off, cp, NULL, 10, 0), 0); // past the end
    CHECK_ERR(copy_file_range(src, NULL, ro, NULL, 10, 0), EBADF);
    CHECK_OK(close(cp));
    CHECK_OK(close(ro));
    CHECK_OK(close(dst));
    CHECK_OK(close(src));
}

static void test_memfd_tmpfile(void)
{
    int m = CHECK_OK(memfd_create("elfin", MFD_CLOEXEC));
    CHECK_EQ(fcntl(m, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(m, F_GETFL), O_RDWR | 0100000); // the kernel's O_LARGEFILE (glibc's is 0)
    CHECK_EQ(write(m, "memory", 6), 6);
    struct stat st;
    CHECK_OK(fstat(m, &st));
    CHECK_EQ(st.st_size, 6);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_nlink, 0);
    char buf[16] = {0};
    CHECK_EQ(pread(m, buf, sizeof buf, 0), 6);
    CHECK_STR(buf, "memory");
    CHECK_OK(ftruncate(m, 4096));
    CHECK_OK(close(m));
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK_ERR(memfd_create(longname, 0), EINVAL);
    CHECK_ERR(memfd_create("x", 0x1000), EINVAL);

    int t = CHECK_OK(open(base, O_TMPFILE | O_RDWR, 0600));
    CHECK_EQ(write(t, "tmp", 3), 3);
    CHECK_OK(fstat(t, &st));
    CHECK_EQ(st.st_nlink, 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_ERR(open(base, O_TMPFILE | O_RDONLY, 0600), EINVAL);
    CHECK_ERR(open(at("src"), O_TMPFILE | O_RDWR, 0600), ENOTDIR);
    CHECK_OK(linkat(t, "", AT_FDCWD, at("named"), AT_EMPTY_PATH));
    char got[8] = {0};
    get_file(at("named"), got, sizeof got);
    CHECK_STR(got, "tmp");
    CHECK_OK(close(t));
    t = CHECK_OK(open(base, O_TMPFILE | O_WRONLY | O_EXCL, 0600));
    CHECK_ERR(linkat(t, "", AT_FDCWD, at("named2"), AT_EMPTY_PATH), ENOENT);
    CHECK_OK(close(t));
}

static void test_locks(void)
{
    int fd = CHECK_OK(open(at("lock"), O_CREAT | O_RDWR, 0644));
    int ro = CHECK_OK(open(at("lock"), O_RDONLY));
    CHECK_OK(flock(fd, LOCK_EX));
    CHECK_OK(flock(fd, LOCK_SH | LOCK_NB));
    CHECK_OK(flock(fd, LOCK_UN));
    CHECK_ERR(flock(fd, 0), EINVAL);
    CHECK_ERR(flock(999, LOCK_EX), EBADF);

    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    CHECK_OK(fcntl(fd, F_SETLK, &fl));
    CHECK_OK(fcntl(fd, F_SETLKW, &fl));
    fl.l_type = F_WRLCK;
    CHECK_OK(fcntl(fd, F_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_UNLCK);                          // our own lock never conflicts
    fl.l_type = F_UNLCK;
    CHECK_ERR(fcntl(fd, F_GETLK, &fl), EINVAL);
    fl.l_type = F_WRLCK;
    CHECK_ERR(fcntl(ro, F_SETLK, &fl), EBADF);             // a write lock needs write access
    fl.l_type = F_RDLCK;
    CHECK_OK(fcntl(ro, F_SETLK, &fl));
    fl.l_whence = 7;
    CHECK_ERR(fcntl(fd, F_SETLK, &fl), EINVAL);
    fl.l_whence = SEEK_SET;
    fl.l_start = -1;
    CHECK_ERR(fcntl(fd, F_SETLK, &fl), EINVAL);
    fl.l_start = 0;
    fl.l_type = F_UNLCK;
    CHECK_OK(fcntl(fd, F_SETLK, &fl));
    struct flock ofd = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0, .l_pid = 0};
    CHECK_OK(fcntl(fd, F_OFD_SETLK, &ofd));
    ofd.l_pid = 1;
    CHECK_ERR(fcntl(fd, F_OFD_SETLK, &ofd), EINVAL);
    ofd.l_pid = 0;
    ofd.l_type = F_UNLCK;
    CHECK_OK(fcntl(fd, F_OFD_SETLK, &ofd));
    CHECK_OK(close(ro));
    CHECK_OK(close(fd));
}

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: fsops ABSOLUTE_DIR\n");
        return 2;
    }
    snprintf(base, sizeof base, "%s/fsops.d", argv[1]);
    if (mkdir(base, 0755) != 0) {
        fprintf(stderr, "fsops: cannot make %s: %s\n", base, strerror(errno));
        return 2;
    }
    test_mkdir_unlink();
    test_rename();
    test_links();
    test_truncate_fallocate();
    test_times_modes();
    test_fchdir_sync_statfs();
    test_pipes();
    test_eventfd();
    test_copies();
    test_memfd_tmpfile();
    test_locks();
    return check_report("fsops");
}
