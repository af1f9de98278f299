// Error edges across the syscall families: EFAULT for pointers that are not
// the program's (NULL, tiny, past the top of user space, kernel addresses,
// just past the end of a mapping), EBADF, ENOENT, ENOTDIR, ENAMETOOLONG, EINVAL.
// The kernel must return the error and keep running; nothing here faults.
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

enum { PAGE = 4096 };

#define USER_TOP 0x7ffffffff000UL             // Linux's TASK_SIZE on x86-64 (4-level paging)
static void *const BAD_PTRS[] = {
    NULL, (void *)1, (void *)(PAGE - 8), (void *)USER_TOP, (void *)(USER_TOP + 8),
    (void *)0x800000000000UL, (void *)0xffff800000000000UL, (void *)0xffffffff80000000UL,
    (void *)-8L,
};
enum { NBAD = sizeof BAD_PTRS / sizeof BAD_PTRS[0] };

static const char *self_path(void)
{
    return (const char *)getauxval(AT_EXECFN);
}

static void test_efault_pointers(void)
{
    int fd = CHECK_OK(open(self_path(), O_RDONLY));
    for (int i = 0; i < NBAD; i++) {
        void *p = BAD_PTRS[i];
        char ctx[64];
        snprintf(ctx, sizeof ctx, "pointer %p", p);
        check_context = ctx;
        CHECK_ERR(syscall(SYS_write, 1L, p, 10L), EFAULT);
        CHECK_ERR(syscall(SYS_read, (long)fd, p, 16L), EFAULT);
        CHECK_ERR(syscall(SYS_pread64, (long)fd, p, 16L, 0L), EFAULT);
        CHECK_ERR(syscall(SYS_open, p, (long)O_RDONLY), EFAULT);
        CHECK_ERR(syscall(SYS_openat, (long)AT_FDCWD, p, (long)O_RDONLY), EFAULT);
        CHECK_ERR(syscall(SYS_stat, p, &(struct stat){0}), EFAULT);
        CHECK_ERR(syscall(SYS_fstat, (long)fd, p), EFAULT);
        CHECK_ERR(syscall(SYS_newfstatat, (long)fd, "", p, (long)AT_EMPTY_PATH), EFAULT);
        CHECK_ERR(syscall(SYS_access, p, (long)F_OK), EFAULT);
        CHECK_ERR(syscall(SYS_chdir, p), EFAULT);
        CHECK_ERR(syscall(SYS_getcwd, p, 100L), EFAULT);
        CHECK_ERR(syscall(SYS_readlink, "/proc/self/exe", p, 100L), EFAULT);
        CHECK_ERR(syscall(SYS_clock_gettime, (long)CLOCK_MONOTONIC, p), EFAULT);
        CHECK_ERR(syscall(SYS_nanosleep, p, NULL), EFAULT);
        CHECK_ERR(syscall(SYS_uname, p), EFAULT);
        CHECK_ERR(syscall(SYS_sysinfo, p), EFAULT);
        CHECK_ERR(syscall(SYS_getrandom, p, 16L, 0L), EFAULT);
        CHECK_ERR(syscall(SYS_getrlimit, (long)RLIMIT_NOFILE, p), EFAULT);
        CHECK_ERR(syscall(SYS_readv, (long)fd, p, 1L), EFAULT);      // the iovec array itself
        CHECK_ERR(syscall(SYS_writev, 1L, p, 1L), EFAULT);
        CHECK_ERR(syscall(SYS_sched_getaffinity, 0L, 8L, p), EFAULT);
        CHECK_ERR(syscall(SYS_statx, (long)AT_FDCWD, p, 0L, 0x7ffL, &(char[256]){0}), EFAULT);
    }
    check_context = NULL;
    // Calls for which NULL means "no result wanted": only the other pointers fail.
    for (int i = 1; i < NBAD; i++) {
        void *p = BAD_PTRS[i];
        CHECK_ERR(syscall(SYS_gettimeofday, p, NULL), EFAULT);
        CHECK_ERR(syscall(SYS_clock_getres, (long)CLOCK_MONOTONIC, p), EFAULT);
        CHECK_ERR(syscall(SYS_rt_sigprocmask, (long)SIG_BLOCK, NULL, p, 8L), EFAULT);
        CHECK_ERR(syscall(SYS_time, p), EFAULT);
    }
    // A valid iovec array pointing at bad buffers.
    struct iovec iov[2] = {{"ok", 2}, {(void *)1, 10}};
    CHECK_ERR(syscall(SYS_writev, 1L, iov + 1, 1L), EFAULT);
    char good[16];
    struct iovec riov[1] = {{(void *)USER_TOP, 16}};
    (void)good;
    CHECK_ERR(syscall(SYS_readv, (long)fd, riov, 1L), EFAULT);

    // A buffer that runs past the top of user space is refused before any
    // byte moves (access_ok). (A huge length from a low address is not: Linux
    // clamps it to MAX_RW_COUNT and transfers what is mapped.)
    CHECK_ERR(syscall(SYS_write, 1L, (void *)(USER_TOP - 8), 16L), EFAULT);
    CHECK_EQ(close(fd), 0);
}

// Each buffer ends exactly where a mapping ends, with nothing mapped after it.
static void test_efault_mapping_edge(void)
{
    unsigned char *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    if (m == MAP_FAILED)
        return;
    CHECK_EQ(munmap(m + PAGE, PAGE), 0);
    unsigned char *end = m + PAGE;                    // first unmapped byte

    // Outputs straddling the edge.
    int fd = CHECK_OK(open(self_path(), O_RDONLY));
    CHECK_ERR(syscall(SYS_fstat, (long)fd, end - 8), EFAULT);
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(syscall(SYS_clock_gettime, (long)CLOCK_MONOTONIC, end - 8), EFAULT);
    CHECK_ERR(syscall(SYS_uname, end - 64), EFAULT);
    // The same outputs fit when they end exactly at the edge.
    CHECK_EQ(syscall(SYS_clock_gettime, (long)CLOCK_MONOTONIC, end - sizeof(struct timespec)), 0);
    CHECK_EQ(syscall(SYS_fstat, 1L, end - sizeof(struct stat)), 0);

    // Inputs straddling the edge.
    struct timespec ts = {0, 1};
    memcpy(end - 8, &ts, 8);                          // tv_sec fits, tv_nsec does not
    CHECK_ERR(syscall(SYS_nanosleep, end - 8, NULL), EFAULT);
    memcpy(end - sizeof ts, &ts, sizeof ts);
    CHECK_EQ(syscall(SYS_nanosleep, end - sizeof ts, NULL), 0);

    // A path with no NUL before the edge.
    memset(m, 'a', PAGE);
    CHECK_ERR(syscall(SYS_open, end - 16, (long)O_RDONLY), EFAULT);
    CHECK_ERR(syscall(SYS_stat, end - 16, &(struct stat){0}), EFAULT);
    CHECK_ERR(syscall(SYS_access, end - 3000, (long)F_OK), EFAULT);
    // The same path NUL-terminated on the last byte is just a missing file.
    end[-1] = 0;
    CHECK_ERR(syscall(SYS_open, end - 16, (long)O_RDONLY), ENOENT);

    // A write of a buffer running off the mapping: nothing valid comes first
    // at the edge itself, so it must fail.
    CHECK_ERR(syscall(SYS_write, 1L, end, 4L), EFAULT);
    CHECK_EQ(munmap(m, PAGE), 0);
}

static void test_ebadf(void)
{
    char buf[8];
    struct stat st;
    CHECK_ERR(read(999, buf, 1), EBADF);
    CHECK_ERR(write(999, buf, 1), EBADF);
    CHECK_ERR(read(-1, buf, 1), EBADF);
    CHECK_ERR(close(-1), EBADF);
    CHECK_ERR(close(999), EBADF);
    CHECK_ERR(close(1 << 30), EBADF);
    CHECK_ERR(fstat(999, &st), EBADF);
    CHECK_ERR(lseek(999, 0, SEEK_SET), EBADF);
    CHECK_ERR(dup(-1), EBADF);
    CHECK_ERR(syscall(SYS_pread64, 999L, buf, 1L, 0L), EBADF);
    CHECK_ERR(fcntl(-5, F_GETFL), EBADF);
    CHECK_ERR(syscall(SYS_ioctl, 999L, 0x5401L, buf), EBADF);
    CHECK_ERR(syscall(SYS_mmap, 0L, 4096L, (long)PROT_READ, (long)MAP_PRIVATE, 999L, 0L), EBADF);
    // A descriptor that is open for the other direction.
    int fd = CHECK_OK(open("/dev/null", O_WRONLY));
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_EQ(write(fd, "x", 1), 1);
    CHECK_EQ(close(fd), 0);
    fd = CHECK_OK(open("/dev/null", O_RDONLY));
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_EQ(close(fd), 0);
}

static void test_enoent_einval(void)
{
    char buf[256];
    struct stat st;
    CHECK_ERR(open("/no/such/file", O_RDONLY), ENOENT);
    CHECK_ERR(open("/no-such-file", O_RDONLY), ENOENT);
    CHECK_ERR(open("", O_RDONLY), ENOENT);
    CHECK_ERR(stat("/no-such-file", &st), ENOENT);
    CHECK_ERR(lstat("/no-such-file", &st), ENOENT);
    CHECK_ERR(access("/no-such-file", F_OK), ENOENT);
    CHECK_ERR(chdir("/no-such-dir"), ENOENT);
    CHECK_ERR(readlink("/no-such-link", buf, sizeof buf), ENOENT);

    char path[512];
    snprintf(path, sizeof path, "%s/x", self_path());
    CHECK_ERR(open(path, O_RDONLY), ENOTDIR);          // a file used as a directory
    CHECK_ERR(stat(path, &st), ENOTDIR);

    static char longpath[5000];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    CHECK_ERR(open(longpath, O_RDONLY), ENAMETOOLONG);
    CHECK_ERR(stat(longpath, &st), ENAMETOOLONG);
    static char longname[300];
    memset(longname, 'b', sizeof longname - 1);
    longname[0] = '/';
    CHECK_ERR(open(longname, O_RDONLY), ENAMETOOLONG);  // one component over NAME_MAX

    int fd = CHECK_OK(open(self_path(), O_RDONLY));
    CHECK_ERR(lseek(fd, 0, 42), EINVAL);
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERR(readlink(self_path(), buf, sizeof buf), EINVAL);   // not a symlink
    CHECK_ERR(fcntl(fd, 0x7fff), EINVAL);
    CHECK_ERR(syscall(SYS_dup3, (long)fd, (long)fd, 0L), EINVAL);
    CHECK_ERR(syscall(SYS_read, (long)fd, buf, -1L), EFAULT);    // huge count: the range is bad
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(syscall(SYS_clock_gettime, 99L, &(struct timespec){0}), EINVAL);
    unsigned long set = 0;
    CHECK_ERR(syscall(SYS_rt_sigprocmask, 7L, &set, NULL, 8L), EINVAL);
    CHECK_ERR(syscall(SYS_munmap, 12345L, 4096L), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, buf, 8L, -1L), EINVAL);
}

int main(void)
{
    if (!self_path() || self_path()[0] == 0) {
        fprintf(stderr, "errors: no AT_EXECFN\n");
        return 1;
    }
    test_efault_pointers();
    test_efault_mapping_edge();
    test_ebadf();
    test_enoent_einval();
    return check_report("errors");
}
