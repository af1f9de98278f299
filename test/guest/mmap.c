// File and shared memory mappings: MAP_SHARED of a file is the file's bytes
// (read()/write() and every mapping see one copy), MAP_PRIVATE is a copy,
// shared anonymous memory and memfd, SIGBUS past the end of the file (caught
// by a handler here; the "mmap-sigbus*" integration cases run `mmap sigbus`
// and `mmap sigbus-truncate`, which die of it), msync, mincore, madvise,
// mremap, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, VMA splitting and /proc/self/maps.
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define PAGE 4096L

static char g_path[PATH_MAX];

static void *map(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return mmap(addr, len, prot, flags, fd, off);
}

// A fresh file of `size` bytes: byte i is 'a' + i % 23.
static int make_file(long size)
{
    int fd = open(g_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    char buf[PAGE];
    for (long at = 0; at < size; at += PAGE) {
        long n = size - at < PAGE ? size - at : PAGE;
        for (long i = 0; i < n; i++)
            buf[i] = (char)('a' + (at + i) % 23);
        CHECK_EQ(pwrite(fd, buf, (size_t)n, at), n);
    }
    return fd;
}

static char byte_at(int fd, off_t off)
{
    char c = 0;
    CHECK_EQ(pread(fd, &c, 1, off), 1);
    return c;
}

// The /proc/self/maps line of the mapping that starts at `p` (copied to `line`).
static int maps_line(const void *p, char *line, size_t size)
{
    char want[32];
    snprintf(want, sizeof want, "%08lx-", (unsigned long)p);
    FILE *f = fopen("/proc/self/maps", "r");
    CHECK(f != NULL);
    if (!f)
        return 0;
    int found = 0;
    while (fgets(line, (int)size, f))
        if (strncmp(line, want, strlen(want)) == 0) {
            found = 1;
            break;
        }
    fclose(f);
    line[found ? strcspn(line, "\n") : 0] = 0;
    return found;
}

// How many /proc/self/maps lines lie inside [p, p + len).
static int maps_count(const void *p, long len)
{
    FILE *f = fopen("/proc/self/maps", "r");
    CHECK(f != NULL);
    if (!f)
        return -1;
    char line[512];
    int n = 0;
    unsigned long lo = (unsigned long)p, hi = lo + (unsigned long)len;
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        if (sscanf(line, "%lx-%lx", &s, &e) == 2 && s >= lo && e <= hi)
            n++;
    }
    fclose(f);
    return n;
}

static void test_shared_file(void)
{
    int fd = make_file(2 * PAGE);
    char *p = map(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    CHECK_EQ(p[0], 'a');
    CHECK_EQ(p[PAGE + 5], 'a' + (PAGE + 5) % 23);
    // A store through the mapping is what read() returns, at once.
    p[10] = 'X';
    CHECK_EQ(byte_at(fd, 10), 'X');
    // A write() is what the mapping shows, at once.
    CHECK_EQ(pwrite(fd, "hello", 5, PAGE + 100), 5);
    CHECK_MEM(p + PAGE + 100, "hello", 5);
    // Two shared mappings of the file alias each other.
    char *q = map(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(q != MAP_FAILED && q != p);
    if (q != MAP_FAILED) {
        q[20] = 'Q';
        CHECK_EQ(p[20], 'Q');
        p[PAGE + 1] = 'R';
        CHECK_EQ(q[PAGE + 1], 'R');
        CHECK_OK(munmap(q, 2 * PAGE));
    }
    // A mapping at an offset sees the file from there.
    char *o = map(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
    CHECK(o != MAP_FAILED);
    if (o != MAP_FAILED) {
        CHECK_MEM(o + 100, "hello", 5);
        CHECK_OK(munmap(o, PAGE));
    }
    // MAP_PRIVATE: a copy; its stores reach neither the file nor the shared mapping.
    char *r = map(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(r != MAP_FAILED);
    if (r != MAP_FAILED) {
        CHECK_EQ(r[10], 'X');
        r[0] = 'P';
        CHECK_EQ(r[0], 'P');
        CHECK_EQ(p[0], 'a');
        CHECK_EQ(byte_at(fd, 0), 'a');
        // MADV_DONTNEED on a private file mapping: the file's bytes come back.
        CHECK_OK(madvise(r, PAGE, MADV_DONTNEED));
        CHECK_EQ(r[0], 'a');
        // MADV_FREE is for private anonymous memory only.
        CHECK_ERR(madvise(r, PAGE, MADV_FREE), EINVAL);
        // MADV_REMOVE wants a shared writable mapping.
        CHECK_ERR(madvise(r, PAGE, MADV_REMOVE), EACCES);
        CHECK_OK(munmap(r, 2 * PAGE));
    }
    // MADV_DONTNEED on a shared mapping loses nothing: the bytes are the file's.
    p[30] = 'D';
    CHECK_OK(madvise(p, 2 * PAGE, MADV_DONTNEED));
    CHECK_EQ(p[30], 'D');
    CHECK_EQ(p[10], 'X');
    // msync: nothing to write back, with Linux's argument checks.
    CHECK_OK(msync(p, 2 * PAGE, MS_SYNC));
    CHECK_OK(msync(p, PAGE, MS_ASYNC | MS_INVALIDATE));
    CHECK_OK(msync(p, 0, MS_SYNC));
    CHECK_ERR(msync(p, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERR(msync(p + 1, PAGE, MS_SYNC), EINVAL);
    CHECK_ERR(msync(p, PAGE, 8), EINVAL);
    // /proc/self/maps names the file, with its device and inode, shared.
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    char line[512], want[PATH_MAX + 64];
    CHECK(maps_line(p, line, sizeof line));
    snprintf(want, sizeof want, "%08lx-%08lx rw-s 00000000 %02x:%02x %lu", (unsigned long)p,
             (unsigned long)(p + 2 * PAGE), major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
    CHECK(strncmp(line, want, strlen(want)) == 0);
    size_t n = strlen(line), pn = strlen(g_path);
    CHECK(n > pn && strcmp(line + n - pn, g_path) == 0 && line[n - pn - 1] == ' ');
    CHECK_OK(munmap(p, 2 * PAGE));
    // What was written through the mapping stays in the file.
    CHECK_OK(close(fd));
    fd = open(g_path, O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(byte_at(fd, 10), 'X');
    CHECK_EQ(byte_at(fd, 20), 'Q');
    CHECK_EQ(byte_at(fd, 30), 'D');
    CHECK_EQ(byte_at(fd, PAGE + 1), 'R');
    // A file opened read-only: shared and readable, never writable.
    CHECK_ERR((long)map(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
    char *ro = map(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(ro != MAP_FAILED);
    if (ro != MAP_FAILED) {
        CHECK_EQ(ro[10], 'X');
        CHECK_ERR(mprotect(ro, PAGE, PROT_READ | PROT_WRITE), EACCES);
        CHECK_OK(mprotect(ro, PAGE, PROT_NONE));
        CHECK_OK(mprotect(ro, PAGE, PROT_READ));
        CHECK_EQ(ro[10], 'X');
        CHECK_OK(munmap(ro, PAGE));
    }
    // ... while a private mapping of it may be written (a copy).
    char *pw = map(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(pw != MAP_FAILED);
    if (pw != MAP_FAILED) {
        CHECK_OK(mprotect(pw, PAGE, PROT_READ | PROT_WRITE));
        pw[10] = 'W';
        CHECK_EQ(byte_at(fd, 10), 'X');
        CHECK_OK(munmap(pw, PAGE));
    }
    CHECK_OK(close(fd));
}

static void test_end_of_file(void)
{
    // A file of one page and 100 bytes, mapped over three pages.
    int fd = make_file(PAGE + 100);
    char *p = map(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    // The rest of the last page reads as zeros; stores there stay out of the file.
    CHECK_EQ(p[PAGE + 99], 'a' + (PAGE + 99) % 23);
    CHECK_EQ(p[PAGE + 100], 0);
    CHECK_EQ(p[2 * PAGE - 1], 0);
    p[PAGE + 200] = 'Z';
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, PAGE + 100);
    char c;
    CHECK_EQ(pread(fd, &c, 1, PAGE + 200), 0);
    // A page wholly past the end is not in memory (touching it is SIGBUS).
    unsigned char vec[3];
    CHECK_OK(mincore(p, 3 * PAGE, vec));
    CHECK_EQ(vec[0] & 1, 1);
    CHECK_EQ(vec[1] & 1, 1);
    CHECK_EQ(vec[2] & 1, 0);
    // The file grows: the third page is the file's now.
    CHECK_OK(ftruncate(fd, 3 * PAGE));
    CHECK_EQ(p[2 * PAGE + 7], 0);
    p[2 * PAGE + 7] = 'G';
    CHECK_EQ(byte_at(fd, 2 * PAGE + 7), 'G');
    // write() past the end grows the file under the mapping.
    CHECK_EQ(pwrite(fd, "end", 3, 3 * PAGE - 3), 3);
    CHECK_MEM(p + 3 * PAGE - 3, "end", 3);
    // mremap grows the mapping past the end of the file (MAYMOVE or not).
    char *g = mremap(p, 3 * PAGE, 5 * PAGE, MREMAP_MAYMOVE);
    CHECK(g != MAP_FAILED);
    if (g != MAP_FAILED) {
        CHECK_EQ(g[2 * PAGE + 7], 'G');
        unsigned char v5[5];
        CHECK_OK(mincore(g, 5 * PAGE, v5));
        CHECK_EQ(v5[4] & 1, 0);
        p = g;
    }
    CHECK_OK(munmap(p, 5 * PAGE));
    CHECK_OK(close(fd));
}

// Dies of SIGBUS: touches a page past the end of a mapped file.
static int sigbus_past_end(void)
{
    int fd = make_file(100);
    char *p = map(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return 2;
    printf("before the fault: %c\n", p[0]);
    fflush(stdout);
    unlink(g_path);
    printf("after the fault: %d\n", p[PAGE]);
    return 3;
}

// Dies of SIGBUS: the file shrinks under a page already mapped and touched.
static int sigbus_after_truncate(void)
{
    int fd = make_file(2 * PAGE);
    char *p = map(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return 2;
    p[PAGE] = 'x';
    printf("before the fault: %c\n", p[PAGE]);
    fflush(stdout);
    unlink(g_path);
    if (ftruncate(fd, 100) != 0)
        return 4;
    printf("after the fault: %d\n", p[PAGE]);
    return 3;
}

static sigjmp_buf g_jump;
static void *volatile g_bus_addr;
static volatile int g_bus_code;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    g_bus_addr = si->si_addr;
    g_bus_code = si->si_code;
    siglongjmp(g_jump, sig);
}

// Whether reading *p raises SIGBUS (caught, with its address and code).
static int bus_error_at(volatile char *p)
{
    g_bus_addr = NULL;
    g_bus_code = 0;
    if (sigsetjmp(g_jump, 1) == 0) {
        (void)*p;
        return 0;
    }
    CHECK(g_bus_addr == (void *)p);
    CHECK_EQ(g_bus_code, BUS_ADRERR);
    return 1;
}

static void test_sigbus_handler(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(SIGBUS, &sa, &old));
    int fd = make_file(2 * PAGE);
    char *p = map(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        CHECK(!bus_error_at(p + PAGE));
        CHECK(bus_error_at(p + 2 * PAGE + 5));
        // Shrinking the file takes the mapped page away too.
        CHECK_OK(ftruncate(fd, 100));
        CHECK(bus_error_at(p + PAGE + 1));
        CHECK(!bus_error_at(p + 99));
        // Growing it again brings zeros back.
        CHECK_OK(ftruncate(fd, 2 * PAGE));
        CHECK(!bus_error_at(p + PAGE + 1));
        CHECK_EQ(p[PAGE + 1], 0);
        CHECK_EQ(p[100], 0);
        CHECK_OK(munmap(p, 3 * PAGE));
    }
    CHECK_OK(close(fd));
    CHECK_OK(sigaction(SIGBUS, &old, NULL));
}

static void test_shared_anonymous(void)
{
    char *p = map(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    CHECK_EQ(p[0], 0);
    p[0] = 's';
    p[PAGE] = 't';
    // MADV_DONTNEED keeps shared memory's bytes (it is a file of its own).
    CHECK_OK(madvise(p, 2 * PAGE, MADV_DONTNEED));
    CHECK_EQ(p[0], 's');
    CHECK_EQ(p[PAGE], 't');
    // mremap with old size 0 makes a second mapping of the same pages.
    char *q = mremap(p, 0, 2 * PAGE, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED && q != p);
    if (q != MAP_FAILED) {
        CHECK_EQ(q[0], 's');
        q[1] = 'u';
        CHECK_EQ(p[1], 'u');
        CHECK_OK(munmap(q, 2 * PAGE));
    }
    char line[512];
    CHECK(maps_line(p, line, sizeof line));
    CHECK(strstr(line, " rw-s ") != NULL);
    CHECK(strstr(line, "/dev/zero (deleted)") != NULL);
    // MADV_FREE wants private memory; MADV_REMOVE frees shared memory's bytes.
    CHECK_ERR(madvise(p, PAGE, MADV_FREE), EINVAL);
    CHECK_OK(madvise(p, PAGE, MADV_REMOVE));
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[PAGE], 't');
    CHECK_OK(munmap(p, 2 * PAGE));
    // MAP_SHARED of /dev/zero is shared anonymous memory too.
    int z = open("/dev/zero", O_RDWR);
    CHECK(z >= 0);
    p = map(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        p[5] = 'z';
        CHECK_OK(madvise(p, PAGE, MADV_DONTNEED));
        CHECK_EQ(p[5], 'z');
        CHECK_OK(munmap(p, PAGE));
    }
    CHECK_OK(close(z));
}

static void test_memfd(void)
{
    int fd = memfd_create("elfin-mmap", 0);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK_OK(ftruncate(fd, 2 * PAGE));
    char *a = map(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = map(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(a != MAP_FAILED && b != MAP_FAILED);
    if (a != MAP_FAILED && b != MAP_FAILED) {
        strcpy(a + PAGE, "through a");
        CHECK_STR(b + PAGE, "through a");
        CHECK_EQ(pwrite(fd, "via write", 10, 0), 10);
        CHECK_STR(a, "via write");
        CHECK_STR(b, "via write");
        char buf[16] = { 0 };
        CHECK_EQ(pread(fd, buf, 10, PAGE), 10);
        CHECK_STR(buf, "through a");
        // Punching a hole through a mapping zeroes the file's bytes.
        CHECK_OK(madvise(b + PAGE, PAGE, MADV_REMOVE));
        CHECK_EQ(a[PAGE], 0);
        CHECK_EQ(pread(fd, buf, 1, PAGE), 1);
        CHECK_EQ(buf[0], 0);
    }
    if (a != MAP_FAILED)
        CHECK_OK(munmap(a, 2 * PAGE));
    if (b != MAP_FAILED)
        CHECK_OK(munmap(b, 2 * PAGE));
    CHECK_OK(close(fd));
}

static void test_mincore_madvise(void)
{
    unsigned char *p = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    unsigned char vec[4];
    CHECK_OK(mincore(p, 4 * PAGE, vec));
    for (int i = 0; i < 4; i++)
        CHECK_EQ(vec[i] & 1, 0);
    p[0] = 1;
    p[2 * PAGE] = 2;
    CHECK_OK(mincore(p, 4 * PAGE, vec));
    CHECK_EQ(vec[0] & 1, 1);
    CHECK_EQ(vec[1] & 1, 0);
    CHECK_EQ(vec[2] & 1, 1);
    CHECK_EQ(vec[3] & 1, 0);
    // A length that is not a whole page counts the partial page.
    memset(vec, 0xee, sizeof vec);
    CHECK_OK(mincore(p + 2 * PAGE, 1, vec));
    CHECK_EQ(vec[0] & 1, 1);
    CHECK_EQ(vec[1], 0xee);
    CHECK_ERR(mincore(p + 1, PAGE, vec), EINVAL);
    // MADV_DONTNEED on private anonymous memory: zeros on the next touch.
    CHECK_OK(madvise(p, 4 * PAGE, MADV_DONTNEED));
    CHECK_OK(mincore(p, 4 * PAGE, vec));
    CHECK_EQ(vec[0] & 1, 0);
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[2 * PAGE], 0);
    p[PAGE] = 3;
    CHECK_OK(madvise(p + PAGE, PAGE, MADV_FREE));
    CHECK_OK(madvise(p, 4 * PAGE, MADV_DONTFORK));
    CHECK_OK(madvise(p, 4 * PAGE, MADV_DOFORK));
    CHECK_OK(madvise(p, 4 * PAGE, MADV_WILLNEED));
    CHECK_OK(madvise(p, 4 * PAGE, MADV_NORMAL));
    CHECK_OK(madvise(p, 0, MADV_DONTNEED));
    CHECK_ERR(madvise(p, 4 * PAGE, 9999), EINVAL);
    CHECK_ERR(madvise(p + 1, PAGE, MADV_DONTNEED), EINVAL);
    CHECK_ERR(madvise(p, PAGE, MADV_REMOVE), EINVAL); // no file behind it
    // A hole in the middle: ENOMEM from mincore, madvise and msync.
    CHECK_OK(munmap(p + PAGE, PAGE));
    CHECK_ERR(mincore(p, 4 * PAGE, vec), ENOMEM);
    CHECK_ERR(madvise(p, 4 * PAGE, MADV_WILLNEED), ENOMEM);
    CHECK_ERR(msync(p, 4 * PAGE, MS_SYNC), ENOMEM);
    CHECK_OK(msync(p, PAGE, MS_SYNC)); // private anonymous: nothing to do, no error
    CHECK_OK(munmap(p, 4 * PAGE));
}

static void test_fixed_and_splits(void)
{
    // Inaccessible pages either side, so no neighbour merges with the mapping.
    char *area = map(NULL, 8 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(area != MAP_FAILED);
    if (area == MAP_FAILED)
        return;
    char *p = map(area + PAGE, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(p == area + PAGE);
    if (p != area + PAGE)
        return;
    CHECK_EQ(maps_count(p, 6 * PAGE), 1);
    // MAP_FIXED_NOREPLACE: EEXIST over a mapping, fine in a hole.
    CHECK_ERR((long)map(p + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
              EEXIST);
    // Partial mprotect splits the VMA in three; restoring it does not lose the data.
    p[2 * PAGE] = 'k';
    CHECK_OK(mprotect(p + 2 * PAGE, PAGE, PROT_READ));
    CHECK_EQ(maps_count(p, 6 * PAGE), 3);
    CHECK_EQ(p[2 * PAGE], 'k');
    CHECK_OK(mprotect(p + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE));
    CHECK_EQ(p[2 * PAGE], 'k');
    // Partial munmap leaves two pieces around a hole that MAP_FIXED_NOREPLACE may fill.
    CHECK_OK(munmap(p + 4 * PAGE, PAGE));
    char *f = map(p + 4 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                  -1, 0);
    CHECK(f == p + 4 * PAGE);
    // MAP_FIXED replaces: fresh zeros where 'k' was.
    char *r = map(p + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(r == p + 2 * PAGE);
    CHECK_EQ(p[2 * PAGE], 0);
    CHECK_OK(munmap(area, 8 * PAGE));
    // MAP_NORESERVE is ordinary memory here.
    char *nr = map(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(nr != MAP_FAILED);
    if (nr != MAP_FAILED) {
        nr[63 * PAGE] = 1;
        CHECK_EQ(nr[63 * PAGE], 1);
        CHECK_OK(munmap(nr, 64 * PAGE));
    }
}

static void test_mremap(void)
{
    // Room to grow in place: map 4 pages, give back the last 2.
    char *p = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    CHECK_OK(munmap(p + 2 * PAGE, 2 * PAGE));
    p[PAGE] = 'm';
    CHECK(mremap(p, 2 * PAGE, 4 * PAGE, 0) == p);
    CHECK_EQ(p[PAGE], 'm');
    CHECK_EQ(p[3 * PAGE], 0);
    // Shrinking stays in place.
    CHECK(mremap(p, 4 * PAGE, PAGE, 0) == p);
    unsigned char vec[1];
    CHECK_ERR(mincore(p + PAGE, PAGE, vec), ENOMEM);
    // Blocked growth: ENOMEM without MREMAP_MAYMOVE, a move with it.
    char *block = map(p + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(block == p + PAGE);
    p[0] = 'n';
    CHECK_ERR((long)mremap(p, PAGE, 3 * PAGE, 0), ENOMEM);
    char *m = mremap(p, PAGE, 3 * PAGE, MREMAP_MAYMOVE);
    CHECK(m != MAP_FAILED && m != p);
    if (m != MAP_FAILED) {
        CHECK_EQ(m[0], 'n');
        CHECK_ERR(mincore(p, PAGE, vec), ENOMEM); // the old place is gone
        p = m;
    }
    // MREMAP_FIXED: to a chosen place (replacing what was there).
    char *dest = map(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(dest != MAP_FAILED);
    char *fx = mremap(p, 3 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
    CHECK(fx == dest);
    if (fx == dest) {
        CHECK_EQ(fx[0], 'n');
        fx[PAGE] = 'w'; // writable: the moved mapping's protection
        p = fx;
    }
    // Errors in Linux's order.
    CHECK_ERR((long)mremap(p, PAGE, 2 * PAGE, MREMAP_FIXED, dest + 8 * PAGE), EINVAL);
    CHECK_ERR((long)mremap(p + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL);
    CHECK_ERR((long)mremap(p, PAGE, 0, MREMAP_MAYMOVE), EINVAL);
    CHECK_ERR((long)mremap(p, PAGE, 2 * PAGE, 0x100), EINVAL);
    CHECK_ERR((long)mremap(p, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p), EINVAL); // overlaps itself
    CHECK_ERR((long)mremap(p, 0, PAGE, MREMAP_MAYMOVE), EINVAL);                      // old size 0, private
    char *gone = map(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_OK(munmap(gone, PAGE));
    CHECK_ERR((long)mremap(gone, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);             // nothing there
    CHECK_ERR((long)mremap(p, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE), EFAULT);           // past the mapping
    // MREMAP_DONTUNMAP: the pages move, the old range stays mapped and empty.
    char *du = mremap(p, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
    CHECK(du != MAP_FAILED && du != p);
    if (du != MAP_FAILED) {
        CHECK_EQ(du[0], 'n');
        CHECK_EQ(p[0], 0);
        CHECK_OK(munmap(du, 2 * PAGE));
    }
    CHECK_ERR((long)mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP), EINVAL);
    CHECK_OK(munmap(p, 2 * PAGE));
    CHECK_OK(munmap(block, PAGE));
}

static void test_growsdown(void)
{
    // A MAP_GROWSDOWN mapping with free room below grows when touched just under it.
    char *room = map(NULL, 1024 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(room != MAP_FAILED);
    if (room == MAP_FAILED)
        return;
    CHECK_OK(munmap(room, 1023 * PAGE));
    char *top = room + 1023 * PAGE;
    char *g = map(top, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
    CHECK(g == top);
    if (g != top)
        return;
    g[0] = 1;
    g[-1] = 2; // one byte below: the mapping grows a page
    CHECK_EQ(g[-1], 2);
    CHECK_EQ(g[-PAGE], 0);
    unsigned char vec[1];
    CHECK_OK(mincore(g - PAGE, PAGE, vec));
    CHECK_OK(munmap(g - PAGE, 2 * PAGE));
}

int main(int argc, char **argv)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    mkdir(dir, 01777); // the VM's root may have no /tmp
    char real[PATH_MAX];
    if (!realpath(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    if (strlen(real) > sizeof g_path - 32)
        return 2;
    snprintf(g_path, sizeof g_path, "%.*s/elfin-mmap-%d", (int)(sizeof g_path - 32), real, (int)getpid());
    if (argc > 1 && strcmp(argv[1], "sigbus") == 0)
        return sigbus_past_end();
    if (argc > 1 && strcmp(argv[1], "sigbus-truncate") == 0)
        return sigbus_after_truncate();

    test_shared_file();
    test_end_of_file();
    test_sigbus_handler();
    unlink(g_path);
    test_shared_anonymous();
    test_memfd();
    test_mincore_madvise();
    test_fixed_and_splits();
    test_mremap();
    test_growsdown();
    return check_report("mmap");
}
