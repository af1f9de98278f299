// Shared checking helpers for the guest test programs. Each program runs every
// check, reports each failure as "file:line: what: expected X, got Y" on
// stderr and exits 1 if any check failed. When all passed it prints
// "NAME: N checks passed" on stdout and exits 0: the test driver wants that
// line, so a kernel that never ran the program cannot pass for one that did.
#pragma once
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static int check_failures;
static int check_count;
// Printed with each failure when set: which iteration of a loop failed.
static const char *check_context;

static void check_fail(const char *file, int line, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void check_fail(const char *file, int line, const char *what, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: check failed: %s: ", file, line, what);
    if (check_context)
        fprintf(stderr, "[%s] ", check_context);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    check_failures++;
}

// A condition that must hold.
#define CHECK(cond)                                                                    \
    do {                                                                               \
        check_count++;                                                                 \
        if (!(cond))                                                                   \
            check_fail(__FILE__, __LINE__, #cond, "expected true, got false");        \
    } while (0)

// Two integers that must be equal.
#define CHECK_EQ(got, want)                                                            \
    do {                                                                               \
        check_count++;                                                                 \
        long long check_g_ = (long long)(got), check_w_ = (long long)(want);           \
        if (check_g_ != check_w_)                                                      \
            check_fail(__FILE__, __LINE__, #got, "expected %lld (%#llx), got %lld (%#llx)", \
                       check_w_, (unsigned long long)check_w_, check_g_,               \
                       (unsigned long long)check_g_);                                  \
    } while (0)

// Two NUL-terminated strings that must be equal.
#define CHECK_STR(got, want)                                                           \
    do {                                                                               \
        check_count++;                                                                 \
        const char *check_g_ = (got), *check_w_ = (want);                              \
        if (!check_g_ || strcmp(check_g_, check_w_) != 0)                              \
            check_fail(__FILE__, __LINE__, #got, "expected \"%s\", got \"%s\"",         \
                       check_w_, check_g_ ? check_g_ : "(null)");                      \
    } while (0)

// Two byte ranges that must be equal.
#define CHECK_MEM(got, want, n)                                                        \
    do {                                                                               \
        check_count++;                                                                 \
        if (memcmp((got), (want), (n)) != 0)                                           \
            check_fail(__FILE__, __LINE__, #got, "expected the %zu bytes of %s",       \
                       (size_t)(n), #want);                                            \
    } while (0)

// A call that must succeed (return >= 0); evaluates to its result.
#define CHECK_OK(expr)                                                                 \
    ({                                                                                 \
        check_count++;                                                                 \
        errno = 0;                                                                     \
        long check_r_ = (long)(expr);                                                  \
        if (check_r_ < 0)                                                              \
            check_fail(__FILE__, __LINE__, #expr, "expected success, got %ld (errno %d %s)", \
                       check_r_, errno, strerrorname_np(errno) ? strerrorname_np(errno) : "?"); \
        check_r_;                                                                      \
    })

// A call that must fail with -1 and the given errno.
#define CHECK_ERR(expr, want_errno)                                                    \
    do {                                                                               \
        check_count++;                                                                 \
        errno = 0;                                                                     \
        long check_r_ = (long)(expr);                                                  \
        int check_e_ = errno;                                                          \
        if (check_r_ != -1 || check_e_ != (want_errno))                                \
            check_fail(__FILE__, __LINE__, #expr,                                      \
                       "expected -1 with errno %s, got %ld with errno %d (%s)",        \
                       #want_errno, check_r_, check_e_,                                \
                       strerrorname_np(check_e_) ? strerrorname_np(check_e_) : "0");   \
    } while (0)

// Ends the program: exit status 0 when every check passed.
static int check_report(const char *program)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks failed\n", program, check_failures, check_count);
        return 1;
    }
    printf("%s: %d checks passed\n", program, check_count);
    fflush(stdout);
    return 0;
}
