// Memory syscalls on anonymous memory: brk, mmap, munmap, mprotect, mremap,
// madvise. Signals are not delivered yet, so no check touches memory that
// should fault; the error edges are checked through return values instead.
#include "check.h"

#include <sys/mman.h>

enum { PAGE = 4096 };

static long sys_brk(unsigned long addr) { return syscall(SYS_brk, addr); }

static void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
    return (void *)syscall(SYS_mmap, addr, len, (long)prot, (long)flags, (long)fd, off);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + seed);
}

// Index of the first byte that differs from fill(seed), or -1.
static long first_bad(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 31 + seed))
            return (long)i;
    return -1;
}

static long first_nonzero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return (long)i;
    return -1;
}

static void test_brk(void)
{
    long start = sys_brk(0);
    CHECK(start > 0);
    CHECK_EQ(sys_brk(0), start);                      // asking again changes nothing
    long want = start + 64 * 1024 + 123;              // need not be page aligned
    CHECK_EQ(sys_brk(want), want);
    unsigned char *p = (unsigned char *)start;
    fill(p, want - start, 1);
    CHECK_EQ(first_bad(p, want - start, 1), -1);
    CHECK_EQ(sys_brk(start + PAGE), start + PAGE);    // shrink
    CHECK_EQ(first_bad(p, PAGE, 1), -1);              // what stays mapped keeps its data
    CHECK_EQ(sys_brk(start + 3 * PAGE), start + 3 * PAGE);
    CHECK_EQ(first_nonzero(p + 2 * PAGE, PAGE), -1);  // regrown memory is zero
    CHECK_EQ(sys_brk(start - 0x10000000L), start + 3 * PAGE);  // below the start: refused, unchanged
    CHECK_EQ(sys_brk(1UL << 62), start + 3 * PAGE);   // absurd: refused, unchanged
    CHECK_EQ(sys_brk(start), start);

    // libc's sbrk goes through brk too.
    void *old = sbrk(0);
    CHECK_EQ((long)old, start);
    CHECK(sbrk(PAGE) == old);
    CHECK_EQ((long)sbrk(0), start + PAGE);
    CHECK(sbrk(-PAGE) != (void *)-1);
}

static void test_mmap_basic(void)
{
    unsigned char *p = sys_mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    CHECK_EQ((unsigned long)p % PAGE, 0);
    CHECK_EQ(first_nonzero(p, 8 * PAGE), -1);         // anonymous memory starts zeroed
    fill(p, 8 * PAGE, 2);
    CHECK_EQ(first_bad(p, 8 * PAGE, 2), -1);

    // A length that is not a page multiple is rounded up.
    unsigned char *q = sys_mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(q != MAP_FAILED);
    if (q != MAP_FAILED) {
        CHECK(q + PAGE <= p || q >= p + 8 * PAGE);    // no overlap with a live mapping
        fill(q, PAGE, 3);
        CHECK_EQ(first_bad(q, PAGE, 3), -1);
        CHECK_EQ(munmap(q, 100), 0);
    }

    // MAP_FIXED replaces part of a mapping with fresh zeroed pages.
    unsigned char *r = sys_mmap(p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(r == p + 2 * PAGE);
    CHECK_EQ(first_bad(p, 2 * PAGE, 2), -1);
    CHECK_EQ(first_nonzero(p + 2 * PAGE, 2 * PAGE), -1);
    CHECK_EQ(first_bad(p + 4 * PAGE, 4 * PAGE, (unsigned)(2 + 4 * PAGE * 31)), -1);

    // A hint is only a hint, but a free page-aligned hint is taken as is by Linux.
    CHECK_EQ(munmap(p + 6 * PAGE, 2 * PAGE), 0);
    unsigned char *h = sys_mmap(p + 6 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(h == p + 6 * PAGE);
    if (h != MAP_FAILED && h != p + 6 * PAGE)
        munmap(h, PAGE);
    CHECK_EQ(munmap(p, 7 * PAGE), 0);
    CHECK_EQ(munmap(p, 8 * PAGE), 0);                 // unmapping nothing is fine

    // Munmap of the middle splits a mapping; both sides keep their data.
    p = sys_mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    fill(p, 3 * PAGE, 4);
    CHECK_EQ(munmap(p + PAGE, PAGE), 0);
    CHECK_EQ(first_bad(p, PAGE, 4), -1);
    CHECK_EQ(first_bad(p + 2 * PAGE, PAGE, (unsigned)(4 + 2 * PAGE * 31)), -1);
    // The hole is really gone: mprotect over it fails with ENOMEM.
    CHECK_ERR(mprotect(p, 3 * PAGE, PROT_READ), ENOMEM);
    CHECK_EQ(munmap(p, 3 * PAGE), 0);

    // MAP_SHARED anonymous memory is ordinary memory for one process.
    unsigned char *s = sys_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED);
    if (s != MAP_FAILED) {
        fill(s, PAGE, 5);
        CHECK_EQ(first_bad(s, PAGE, 5), -1);
        CHECK_EQ(munmap(s, PAGE), 0);
    }

    // A large mapping is usable at both ends.
    size_t big = 16u << 20;
    unsigned char *b = sys_mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(b != MAP_FAILED);
    if (b != MAP_FAILED) {
        b[0] = 1;
        b[big - 1] = 2;
        CHECK_EQ(b[0] + b[big - 1], 3);
        CHECK_EQ(b[big / 2], 0);
        CHECK_EQ(munmap(b, big), 0);
    }
}

static void test_mmap_errors(void)
{
    int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    int rw = PROT_READ | PROT_WRITE;
    CHECK_ERR(syscall(SYS_mmap, 0L, 0L, (long)rw, (long)anon, -1L, 0L), EINVAL);          // length 0
    CHECK_ERR(syscall(SYS_mmap, (long)PAGE * 1000 + 1, (long)PAGE, (long)rw, (long)(anon | MAP_FIXED), -1L, 0L),
              EINVAL);                                                                // unaligned fixed address
    CHECK_ERR(syscall(SYS_mmap, 0L, (long)PAGE, (long)rw, (long)MAP_ANONYMOUS, -1L, 0L), EINVAL);  // neither private nor shared
    CHECK_ERR(syscall(SYS_mmap, 0L, (long)PAGE, (long)rw, (long)MAP_PRIVATE, 999L, 0L), EBADF);   // a file mapping of no file
    CHECK_ERR(syscall(SYS_mmap, 0L, (long)PAGE, (long)rw, (long)anon, -1L, 123L), EINVAL);        // unaligned offset
    CHECK_ERR(syscall(SYS_mmap, 0L, 1L << 50, (long)rw, (long)anon, -1L, 0L), ENOMEM);             // larger than user space
    CHECK_ERR(syscall(SYS_mmap, 0L, -1L, (long)rw, (long)anon, -1L, 0L), ENOMEM);                 // rounds up to 0 bytes

    CHECK_ERR(munmap((void *)(PAGE * 1000L + 8), PAGE), EINVAL);
    unsigned char *p = sys_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, anon, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_ERR(munmap(p, 0), EINVAL);
    CHECK_ERR(syscall(SYS_munmap, 0x800000000000L, (long)PAGE), EINVAL);  // beyond user space
    CHECK_ERR(mprotect(p + 1, PAGE, PROT_READ), EINVAL);
    CHECK_ERR(mprotect(p, PAGE, 0x1000), EINVAL);                           // unknown PROT bit
    CHECK_EQ(munmap(p, PAGE), 0);
}

static void test_mprotect(void)
{
    unsigned char *p = sys_mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    fill(p, 4 * PAGE, 6);
    CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_READ), 0);
    CHECK_EQ(first_bad(p, 4 * PAGE, 6), -1);          // read-only memory is still readable
    CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_NONE), 0);
    CHECK_EQ(mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE), 0);
    CHECK_EQ(first_bad(p, 4 * PAGE, 6), -1);          // protection changes keep the data
    p[PAGE] = 0xaa;
    CHECK_EQ(p[PAGE], 0xaa);
    CHECK_EQ(mprotect(p, 4 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
    CHECK_EQ(mprotect(p, 0, PROT_READ), 0);           // an empty range is fine
    CHECK_EQ(munmap(p, 4 * PAGE), 0);
    CHECK_ERR(mprotect(p, PAGE, PROT_READ), ENOMEM);  // nothing mapped there now

    // PROT_NONE memory can be opened up later.
    unsigned char *n = sys_mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(n != MAP_FAILED);
    if (n != MAP_FAILED) {
        CHECK_EQ(mprotect(n, 2 * PAGE, PROT_READ | PROT_WRITE), 0);
        CHECK_EQ(first_nonzero(n, 2 * PAGE), -1);
        fill(n, 2 * PAGE, 7);
        CHECK_EQ(first_bad(n, 2 * PAGE, 7), -1);
        CHECK_EQ(munmap(n, 2 * PAGE), 0);
    }
}

static void test_mremap(void)
{
    int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    int rw = PROT_READ | PROT_WRITE;

    // Growing with MREMAP_MAYMOVE keeps the contents; new pages are zero.
    unsigned char *p = sys_mmap(NULL, 2 * PAGE, rw, anon, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    unsigned char *guard = p + PAGE;                               // blocks growth in place
    CHECK_EQ(mprotect(guard, PAGE, PROT_NONE), 0);
    fill(p, PAGE, 8);
    CHECK_ERR((long)mremap(p, PAGE, 2 * PAGE, 0), ENOMEM);        // cannot grow in place
    CHECK_EQ(first_bad(p, PAGE, 8), -1);                           // and nothing changed
    unsigned char *q = mremap(p, PAGE, 8 * PAGE, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED);
    if (q != MAP_FAILED) {
        CHECK(q != p);
        CHECK_EQ(first_bad(q, PAGE, 8), -1);
        CHECK_EQ(first_nonzero(q + PAGE, 7 * PAGE), -1);
        fill(q, 8 * PAGE, 9);
        CHECK_EQ(first_bad(q, 8 * PAGE, 9), -1);
        // The old place is free again: mprotect there fails.
        CHECK_ERR(mprotect(p, PAGE, PROT_READ), ENOMEM);

        // Shrinking stays in place and keeps the front.
        CHECK(mremap(q, 8 * PAGE, 2 * PAGE, 0) == q);
        CHECK_EQ(first_bad(q, 2 * PAGE, 9), -1);
        CHECK_ERR(mprotect(q, 3 * PAGE, PROT_READ), ENOMEM);      // the tail is gone
        CHECK_EQ(munmap(q, 2 * PAGE), 0);
    }
    CHECK_EQ(munmap(guard, PAGE), 0);

    // Part of a larger mapping cannot grow in place into the rest of it.
    unsigned char *r = sys_mmap(NULL, 3 * PAGE, rw, anon, -1, 0);
    CHECK(r != MAP_FAILED);
    CHECK_ERR((long)mremap(r, PAGE, 2 * PAGE, 0), ENOMEM);
    CHECK_ERR((long)mremap(r + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EINVAL);   // unaligned
    CHECK_ERR((long)mremap(r, PAGE, 0, MREMAP_MAYMOVE), EINVAL);              // new length 0
    CHECK_ERR((long)mremap(r, PAGE, 2 * PAGE, 0x80), EINVAL);                 // unknown flag
    CHECK_ERR((long)mremap(r, PAGE, 2 * PAGE, MREMAP_FIXED), EINVAL);         // FIXED needs MAYMOVE
    CHECK_EQ(munmap(r, 3 * PAGE), 0);
    CHECK_ERR((long)mremap(r, PAGE, 2 * PAGE, MREMAP_MAYMOVE), EFAULT);       // nothing mapped there
}

static void test_madvise(void)
{
    unsigned char *p = sys_mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED)
        return;
    fill(p, 4 * PAGE, 10);
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_NORMAL), 0);
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_WILLNEED), 0);
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_SEQUENTIAL), 0);
    CHECK_EQ(first_bad(p, 4 * PAGE, 10), -1);          // advice that keeps the data kept it
    CHECK_EQ(madvise(p, 4 * PAGE, MADV_DONTNEED), 0);
    CHECK_ERR(madvise(p + 1, PAGE, MADV_NORMAL), EINVAL);
    CHECK_ERR(madvise(p, PAGE, 12345), EINVAL);
    CHECK_EQ(munmap(p, 4 * PAGE), 0);
}

int main(void)
{
    test_brk();
    test_mmap_basic();
    test_mmap_errors();
    test_mprotect();
    test_mremap();
    test_madvise();
    return check_report("memory");
}
