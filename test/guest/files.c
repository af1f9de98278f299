// File syscalls: open/openat/close/read/write/readv/writev/pread64/pwrite64/
// lseek, fstat/stat/lstat/newfstatat/statx, getdents64, readlink(at),
// access/faccessat(2), getcwd/chdir, dup/dup2/dup3, fcntl, ioctl.
//
// usage: files FIXTURE_DIR   (an absolute path; the test driver makes it)
//   FIXTURE_DIR/hello.txt  "Hello, Elfin!\n", mode 0644
//   FIXTURE_DIR/data.bin   10000 bytes, byte i = (i * 7 + 3) & 0xff
//   FIXTURE_DIR/sub/       holding the empty files a and b
//   FIXTURE_DIR/link       symlink to "hello.txt"
// The directory must be writable: the program creates new.txt and app.txt.
// EXPECT_STDOUT_TTY=1 in the environment says fd 1 is a terminal; otherwise
// fd 1 must not be one. EXPECT_CONSOLE_TTY=1: /dev/console is a terminal.
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/stat.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <termios.h>

static const char HELLO[] = "Hello, Elfin!\n";
enum { HELLO_LEN = sizeof HELLO - 1, DATA_LEN = 10000 };

static char dir[4096];

static const char *in_dir(const char *name)
{
    static char bufs[4][4200];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

// Raw syscalls: libc must not hide what the kernel returns.
static long sys_getdents64(int fd, void *buf, size_t n) { return syscall(SYS_getdents64, fd, buf, n); }

static void test_read_seek(void)
{
    char buf[128];
    int fd = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    CHECK_EQ(read(fd, buf, sizeof buf), HELLO_LEN);
    CHECK_MEM(buf, HELLO, HELLO_LEN);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);                 // end of file
    CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
    CHECK_EQ(read(fd, buf, 5), 5);
    CHECK_MEM(buf, "Elfin", 5);
    CHECK_EQ(lseek(fd, -5, SEEK_CUR), 7);
    CHECK_EQ(lseek(fd, 0, SEEK_END), HELLO_LEN);
    CHECK_EQ(lseek(fd, -1, SEEK_END), HELLO_LEN - 1);
    CHECK_EQ(read(fd, buf, sizeof buf), 1);
    CHECK_EQ(buf[0], '\n');
    CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);                // past the end is allowed
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERR(lseek(fd, -200, SEEK_CUR), EINVAL);
    CHECK_ERR(lseek(fd, 0, 99), EINVAL);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 100);                  // failed seeks moved nothing

    // pread64 reads at an offset without moving the file offset.
    CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(syscall(SYS_pread64, fd, buf, 5, 7), 5);
    CHECK_MEM(buf, "Elfin", 5);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
    CHECK_EQ(syscall(SYS_pread64, fd, buf, 5, 1000), 0);
    CHECK_ERR(syscall(SYS_pread64, fd, buf, 5, -1L), EINVAL);

    // readv fills the buffers in order.
    char a[5], b[20];
    struct iovec iov[2] = {{a, sizeof a}, {b, sizeof b}};
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(readv(fd, iov, 2), HELLO_LEN);
    CHECK_MEM(a, "Hello", 5);
    CHECK_MEM(b, ", Elfin!\n", 9);
    CHECK_ERR(syscall(SYS_readv, fd, iov, -1L), EINVAL);
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(close(fd), EBADF);
    CHECK_ERR(read(fd, buf, 1), EBADF);

    // A larger file read in pieces.
    static unsigned char data[DATA_LEN + 100];
    fd = CHECK_OK(open(in_dir("data.bin"), O_RDONLY | O_CLOEXEC));
    size_t total = 0;
    for (;;) {
        ssize_t n = read(fd, data + total, 4096 < sizeof data - total ? 4096 : sizeof data - total);
        CHECK(n >= 0);
        if (n <= 0)
            break;
        total += n;
    }
    CHECK_EQ(total, DATA_LEN);
    int bad = -1;
    for (int i = 0; i < DATA_LEN; i++)
        if (data[i] != ((i * 7 + 3) & 0xff)) {
            bad = i;
            break;
        }
    CHECK_EQ(bad, -1);
    CHECK_EQ(close(fd), 0);
}

static void test_stat(void)
{
    struct stat st, st2;
    int fd = CHECK_OK(open(in_dir("data.bin"), O_RDONLY));
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0644);
    CHECK_EQ(st.st_size, DATA_LEN);
    CHECK(st.st_blksize > 0);
    CHECK_EQ(st.st_nlink, 1);
    CHECK_EQ(syscall(SYS_stat, in_dir("data.bin"), &st2), 0);
    CHECK_EQ(st2.st_ino, st.st_ino);
    CHECK_EQ(st2.st_dev, st.st_dev);
    CHECK_EQ(st2.st_size, DATA_LEN);

    // newfstatat: relative to a directory fd, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW.
    int dfd = CHECK_OK(open(dir, O_RDONLY | O_DIRECTORY));
    CHECK_EQ(syscall(SYS_newfstatat, dfd, "data.bin", &st2, 0), 0);
    CHECK_EQ(st2.st_ino, st.st_ino);
    CHECK_EQ(syscall(SYS_newfstatat, fd, "", &st2, AT_EMPTY_PATH), 0);
    CHECK_EQ(st2.st_ino, st.st_ino);
    CHECK_ERR(syscall(SYS_newfstatat, fd, "", &st2, 0), ENOENT);
    CHECK_ERR(syscall(SYS_newfstatat, dfd, "data.bin", &st2, 0x40000000), EINVAL);
    CHECK_EQ(syscall(SYS_newfstatat, dfd, "link", &st2, AT_SYMLINK_NOFOLLOW), 0);
    CHECK(S_ISLNK(st2.st_mode));
    CHECK_EQ(syscall(SYS_newfstatat, dfd, "link", &st2, 0), 0);
    CHECK(S_ISREG(st2.st_mode));
    CHECK_EQ(st2.st_size, HELLO_LEN);
    CHECK_ERR(syscall(SYS_newfstatat, dfd, "missing", &st2, 0), ENOENT);
    CHECK_ERR(syscall(SYS_newfstatat, 999, "data.bin", &st2, 0), EBADF);
    CHECK_ERR(syscall(SYS_newfstatat, fd, "x", &st2, 0), ENOTDIR);  // dirfd is a file

    // lstat sees the link itself; stat follows it.
    CHECK_EQ(syscall(SYS_lstat, in_dir("link"), &st2), 0);
    CHECK(S_ISLNK(st2.st_mode));
    CHECK_EQ(st2.st_size, strlen("hello.txt"));
    CHECK_EQ(syscall(SYS_stat, in_dir("link"), &st2), 0);
    CHECK(S_ISREG(st2.st_mode));
    CHECK_EQ(st2.st_size, HELLO_LEN);
    CHECK_EQ(syscall(SYS_stat, in_dir("sub"), &st2), 0);
    CHECK(S_ISDIR(st2.st_mode));
    CHECK_ERR(syscall(SYS_stat, in_dir("missing"), &st2), ENOENT);
    CHECK_ERR(syscall(SYS_stat, in_dir("hello.txt/x"), &st2), ENOTDIR);
    CHECK_ERR(syscall(SYS_stat, "", &st2), ENOENT);

    // statx
    struct statx sx;
    memset(&sx, 0, sizeof sx);
    CHECK_EQ(syscall(SYS_statx, dfd, "data.bin", 0, STATX_BASIC_STATS, &sx), 0);
    CHECK((sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_INO)) ==
          (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_INO));
    CHECK_EQ(sx.stx_size, DATA_LEN);
    CHECK(S_ISREG(sx.stx_mode));
    CHECK_EQ(sx.stx_ino, st.st_ino);
    CHECK_EQ(syscall(SYS_statx, AT_FDCWD, in_dir("sub"), 0, STATX_BASIC_STATS, &sx), 0);
    CHECK(S_ISDIR(sx.stx_mode));
    CHECK_EQ(syscall(SYS_statx, dfd, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx), 0);
    CHECK(S_ISLNK(sx.stx_mode));
    CHECK_EQ(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx), 0);
    CHECK_EQ(sx.stx_ino, st.st_ino);
    CHECK_ERR(syscall(SYS_statx, dfd, "missing", 0, STATX_BASIC_STATS, &sx), ENOENT);
    CHECK_ERR(syscall(SYS_statx, dfd, "data.bin", 0, 0x80000000u, &sx), EINVAL);  // STATX__RESERVED
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(close(dfd), 0);
}

// Reads a whole directory with getdents64 into "name:type " words, sorted.
static int list_dir(const char *path, char names[][64], unsigned char *types, int max)
{
    int fd = CHECK_OK(open(path, O_RDONLY | O_DIRECTORY));
    char buf[512] __attribute__((aligned(8)));
    int n = 0;
    for (;;) {
        long got = sys_getdents64(fd, buf, sizeof buf);
        CHECK(got >= 0);
        if (got <= 0)
            break;
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            CHECK(d->d_reclen > 0 && off + d->d_reclen <= got);
            if (d->d_reclen == 0)
                return n;
            if (n < max) {
                snprintf(names[n], 64, "%.63s", d->d_name);
                types[n] = d->d_type;
                n++;
            }
            off += d->d_reclen;
        }
    }
    CHECK_EQ(sys_getdents64(fd, buf, sizeof buf), 0);      // stays at the end
    CHECK_EQ(close(fd), 0);
    return n;
}

static int find(char names[][64], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

static void test_getdents(void)
{
    char names[32][64];
    unsigned char types[32];
    int n = list_dir(dir, names, types, 32);
    CHECK_EQ(n, 6);
    static const char *const want[] = {".", "..", "hello.txt", "data.bin", "sub", "link"};
    static const unsigned char want_type[] = {DT_DIR, DT_DIR, DT_REG, DT_REG, DT_DIR, DT_LNK};
    for (int i = 0; i < 6; i++) {
        int at = find(names, n, want[i]);
        if (at < 0) {
            check_fail(__FILE__, __LINE__, "getdents64 entry", "expected \"%s\", not listed", want[i]);
            continue;
        }
        CHECK_EQ(types[at], want_type[i]);
    }
    n = list_dir(in_dir("sub"), names, types, 32);
    CHECK_EQ(n, 4);
    CHECK(find(names, n, "a") >= 0);
    CHECK(find(names, n, "b") >= 0);

    char small[8] __attribute__((aligned(8)));
    int fd = CHECK_OK(open(dir, O_RDONLY | O_DIRECTORY));
    CHECK_ERR(sys_getdents64(fd, small, sizeof small), EINVAL);   // too small for one entry
    CHECK_EQ(close(fd), 0);
    fd = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    char buf[512] __attribute__((aligned(8)));
    CHECK_ERR(sys_getdents64(fd, buf, sizeof buf), ENOTDIR);
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(sys_getdents64(999, buf, sizeof buf), EBADF);
}

static void test_readlink(void)
{
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(syscall(SYS_readlink, in_dir("link"), buf, sizeof buf), 9);
    CHECK_MEM(buf, "hello.txtx", 10);                        // no NUL is added
    CHECK_EQ(syscall(SYS_readlink, in_dir("link"), buf, 4), 4);
    CHECK_MEM(buf, "hell", 4);
    CHECK_ERR(syscall(SYS_readlink, in_dir("link"), buf, 0), EINVAL);
    CHECK_ERR(syscall(SYS_readlink, in_dir("hello.txt"), buf, sizeof buf), EINVAL);
    CHECK_ERR(syscall(SYS_readlink, in_dir("missing"), buf, sizeof buf), ENOENT);
    int dfd = CHECK_OK(open(dir, O_RDONLY | O_DIRECTORY));
    memset(buf, 0, sizeof buf);
    CHECK_EQ(syscall(SYS_readlinkat, dfd, "link", buf, sizeof buf), 9);
    CHECK_STR(buf, "hello.txt");
    CHECK_EQ(close(dfd), 0);

    // /proc/self/exe names this program: an absolute path to the same file.
    memset(buf, 0, sizeof buf);
    long n = CHECK_OK(syscall(SYS_readlink, "/proc/self/exe", buf, sizeof buf - 1));
    CHECK(n > 1 && buf[0] == '/');
    struct stat a, b;
    CHECK_EQ(stat(buf, &a), 0);
    CHECK_EQ(stat("/proc/self/exe", &b), 0);
    CHECK_EQ(a.st_ino, b.st_ino);
    CHECK(S_ISREG(a.st_mode));
    CHECK_STR(basename(buf), "files");
}

static void test_access(void)
{
    CHECK_EQ(access(in_dir("hello.txt"), R_OK | W_OK), 0);
    CHECK_EQ(access(in_dir("hello.txt"), F_OK), 0);
    CHECK_ERR(access(in_dir("hello.txt"), X_OK), EACCES);  // mode 0644: not even root may run it
    CHECK_EQ(access("/proc/self/exe", X_OK), 0);
    CHECK_ERR(access(in_dir("missing"), F_OK), ENOENT);
    CHECK_ERR(syscall(SYS_access, in_dir("hello.txt"), 0x100), EINVAL);
    int dfd = CHECK_OK(open(dir, O_RDONLY | O_DIRECTORY));
    CHECK_EQ(syscall(SYS_faccessat, dfd, "hello.txt", R_OK), 0);
    CHECK_ERR(syscall(SYS_faccessat, dfd, "missing", R_OK), ENOENT);
    CHECK_EQ(syscall(SYS_faccessat2, dfd, "hello.txt", R_OK, AT_EACCESS), 0);
    CHECK_EQ(syscall(SYS_faccessat2, dfd, "link", R_OK, AT_SYMLINK_NOFOLLOW), 0);
    CHECK_ERR(syscall(SYS_faccessat2, dfd, "hello.txt", R_OK, 0x1), EINVAL);  // unknown flag
    CHECK_ERR(syscall(SYS_faccessat, 999, "hello.txt", R_OK), EBADF);
    CHECK_EQ(close(dfd), 0);
}

static void test_cwd(void)
{
    char buf[4096], parent[4096];
    CHECK_EQ(chdir(dir), 0);
    CHECK(getcwd(buf, sizeof buf) != NULL);
    CHECK_STR(buf, dir);
    CHECK_EQ(syscall(SYS_getcwd, buf, sizeof buf), strlen(dir) + 1);  // the raw call counts the NUL
    CHECK_ERR(syscall(SYS_getcwd, buf, 1), ERANGE);
    int fd = CHECK_OK(open("hello.txt", O_RDONLY));   // relative to the new cwd
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(chdir("sub"), 0);
    CHECK_EQ(access("a", F_OK), 0);
    CHECK_EQ(chdir(".."), 0);
    CHECK_STR(getcwd(buf, sizeof buf), dir);
    CHECK_ERR(chdir("hello.txt"), ENOTDIR);
    CHECK_ERR(chdir("missing"), ENOENT);
    CHECK_STR(getcwd(buf, sizeof buf), dir);          // failed chdirs changed nothing
    snprintf(parent, sizeof parent, "%s", dir);
    CHECK_EQ(chdir(".."), 0);
    CHECK_STR(getcwd(buf, sizeof buf), dirname(parent));
    CHECK_EQ(chdir("/"), 0);
    CHECK_STR(getcwd(buf, sizeof buf), "/");
    CHECK_EQ(chdir(".."), 0);                         // the root is its own parent
    CHECK_STR(getcwd(buf, sizeof buf), "/");
}

static void test_open_edges(void)
{
    int fd;
    CHECK_ERR(open(in_dir("missing"), O_RDONLY), ENOENT);
    CHECK_ERR(open(in_dir("missing/x"), O_RDONLY), ENOENT);
    CHECK_ERR(open(in_dir("hello.txt/x"), O_RDONLY), ENOTDIR);
    CHECK_ERR(open(in_dir("hello.txt"), O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERR(open(in_dir("sub"), O_WRONLY), EISDIR);
    CHECK_ERR(open(in_dir("hello.txt"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
    fd = CHECK_OK(open(in_dir("sub"), O_RDONLY));
    char c;
    CHECK_ERR(read(fd, &c, 1), EISDIR);
    CHECK_EQ(close(fd), 0);

    // Lowest free descriptor first.
    int a = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    int b = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    CHECK(b > a);
    CHECK_EQ(close(a), 0);
    CHECK_EQ(open(in_dir("data.bin"), O_RDONLY), a);
    CHECK_EQ(close(a), 0);
    CHECK_EQ(close(b), 0);

    // openat: relative to a directory fd; an absolute path ignores the fd.
    int dfd = CHECK_OK(open(dir, O_RDONLY | O_DIRECTORY));
    fd = CHECK_OK(openat(dfd, "sub/a", O_RDONLY));
    CHECK_EQ(close(fd), 0);
    fd = CHECK_OK(openat(999, in_dir("hello.txt"), O_RDONLY));
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(openat(999, "hello.txt", O_RDONLY), EBADF);
    int file = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    CHECK_ERR(openat(file, "x", O_RDONLY), ENOTDIR);
    CHECK_EQ(close(file), 0);
    CHECK_EQ(close(dfd), 0);

    // Write permission is checked against the open mode.
    fd = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_EQ(close(fd), 0);
}

static void test_dup_fcntl(void)
{
    char buf[16];
    int fd = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);

    // dup shares the file offset.
    int d = CHECK_OK(dup(fd));
    CHECK(d != fd);
    CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 7);
    CHECK_EQ(read(d, buf, 5), 5);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 12);
    CHECK_EQ(fcntl(d, F_GETFD), 0);                  // dup clears close-on-exec

    CHECK_EQ(dup2(fd, 100), 100);
    CHECK_EQ(lseek(100, 0, SEEK_CUR), 12);
    CHECK_EQ(dup2(fd, fd), fd);                       // a no-op that checks fd
    CHECK_ERR(dup2(999, 101), EBADF);
    CHECK_ERR(dup2(fd, -1), EBADF);
    int other = CHECK_OK(open(in_dir("data.bin"), O_RDONLY));
    CHECK_EQ(dup2(other, 100), 100);                  // closes the old 100 first
    struct stat s1, s2;
    CHECK_EQ(fstat(100, &s1), 0);
    CHECK_EQ(fstat(other, &s2), 0);
    CHECK_EQ(s1.st_ino, s2.st_ino);
    CHECK_EQ(s1.st_size, DATA_LEN);
    CHECK_EQ(close(other), 0);

    CHECK_EQ(syscall(SYS_dup3, fd, 101, O_CLOEXEC), 101);
    CHECK_EQ(fcntl(101, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL);
    CHECK_ERR(syscall(SYS_dup3, fd, 102, O_NONBLOCK), EINVAL);
    CHECK_ERR(dup(999), EBADF);

    CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(d, F_GETFD), 0);                   // per-descriptor flag
    CHECK_EQ(fcntl(fd, F_SETFD, 0), 0);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);

    CHECK_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(d, F_GETFL) & O_NONBLOCK);            // status flags live in the shared file
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);  // F_SETFL cannot change the access mode
    CHECK_EQ(fcntl(fd, F_SETFL, 0), 0);
    CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK));

    int f1 = CHECK_OK(fcntl(fd, F_DUPFD, 50));
    CHECK(f1 >= 50);
    CHECK_EQ(fcntl(f1, F_GETFD), 0);
    int f2 = CHECK_OK(fcntl(fd, F_DUPFD_CLOEXEC, 60));
    CHECK(f2 >= 60);
    CHECK_EQ(fcntl(f2, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERR(fcntl(fd, 12345), EINVAL);
    CHECK_ERR(fcntl(999, F_GETFD), EBADF);

    int c = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY | O_CLOEXEC));
    CHECK_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(close(c), 0);

    int fds[] = {fd, d, 100, 101, f1, f2};
    for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++)
        CHECK_EQ(close(fds[i]), 0);
}

static void test_ioctl(void)
{
    struct termios t;
    struct winsize ws;
    const char *tty = getenv("EXPECT_STDOUT_TTY");
    if (tty && strcmp(tty, "1") == 0) {
        CHECK_EQ(ioctl(1, TCGETS, &t), 0);
        CHECK_EQ(ioctl(1, TIOCGWINSZ, &ws), 0);
    } else {
        CHECK_ERR(ioctl(1, TCGETS, &t), ENOTTY);
    }
    const char *console = getenv("EXPECT_CONSOLE_TTY");
    if (console && strcmp(console, "1") == 0) {
        int c = CHECK_OK(open("/dev/console", O_RDWR | O_NOCTTY));
        CHECK_EQ(ioctl(c, TCGETS, &t), 0);
        CHECK_EQ(ioctl(c, TIOCGWINSZ, &ws), 0);
        CHECK_EQ(isatty(c), 1);
        CHECK_EQ(close(c), 0);
    }
    int fd = CHECK_OK(open(in_dir("hello.txt"), O_RDONLY));
    CHECK_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(ioctl(999, TCGETS, &t), EBADF);
}

static void test_write(void)
{
    char buf[64];
    const char *path = in_dir("new.txt");
    int fd = CHECK_OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_EQ(write(fd, "abc", 3), 3);
    struct iovec iov[3] = {{"def", 3}, {"", 0}, {"ghi", 3}};
    CHECK_EQ(writev(fd, iov, 3), 6);
    CHECK_EQ(syscall(SYS_pwrite64, fd, "XY", 2, 1), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9);              // pwrite leaves the offset alone
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 9);
    CHECK_EQ(syscall(SYS_pread64, fd, buf, sizeof buf, 0), 9);
    CHECK_MEM(buf, "aXYdefghi", 9);
    CHECK_ERR(syscall(SYS_pwrite64, fd, "x", 1, -1L), EINVAL);
    CHECK_EQ(write(fd, "", 0), 0);

    // Writing past the end leaves a hole that reads as zeros.
    CHECK_EQ(syscall(SYS_pwrite64, fd, "Z", 1, 20), 1);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 21);
    memset(buf, 'q', sizeof buf);
    CHECK_EQ(syscall(SYS_pread64, fd, buf, sizeof buf, 0), 21);
    CHECK_MEM(buf, "aXYdefghi\0\0\0\0\0\0\0\0\0\0\0Z", 21);
    CHECK_EQ(close(fd), 0);

    // The data is in the file, not the descriptor.
    fd = CHECK_OK(open(path, O_RDONLY));
    CHECK_EQ(read(fd, buf, sizeof buf), 21);
    CHECK_EQ(close(fd), 0);
    fd = CHECK_OK(open(path, O_WRONLY | O_TRUNC));
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 0);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_EQ(close(fd), 0);

    // O_APPEND writes at the end whatever the offset.
    fd = CHECK_OK(open(in_dir("app.txt"), O_WRONLY | O_CREAT | O_APPEND, 0600));
    CHECK_EQ(write(fd, "one", 3), 3);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "two", 3), 3);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_mode & 07777, 0600);
    CHECK(fcntl(fd, F_GETFL) & O_APPEND);
    CHECK_EQ(close(fd), 0);
    fd = CHECK_OK(open(in_dir("app.txt"), O_RDONLY));
    CHECK_EQ(read(fd, buf, sizeof buf), 6);
    CHECK_MEM(buf, "onetwo", 6);
    CHECK_EQ(close(fd), 0);

    // A created file shows up in the directory.
    char names[32][64];
    unsigned char types[32];
    int n = list_dir(dir, names, types, 32);
    CHECK_EQ(n, 8);
    CHECK(find(names, n, "new.txt") >= 0);
    CHECK(find(names, n, "app.txt") >= 0);
}

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] != '/') {
        fprintf(stderr, "usage: files ABSOLUTE_FIXTURE_DIR\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    test_read_seek();
    test_stat();
    test_getdents();
    test_readlink();
    test_access();
    test_open_edges();
    test_dup_fcntl();
    test_ioctl();
    test_write();
    test_cwd();
    return check_report("files");
}
