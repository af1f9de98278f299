// The vDSO's code: Linux's clock functions answered in user mode from the
// vvar page (core/vvar.h) and the TSC, with the same arithmetic as
// core/time.cpp so that they agree with the syscalls to the nanosecond.
// Anything this cannot answer (another clock, a clock the kernel could not
// calibrate) goes to the real syscall, as Linux's vDSO does.
//
// Built as a position-independent shared object with no relocations
// (loader/vdso/vdso.cmake): it may not call anything outside itself, use
// global data other than the vvar page, or need libgcc.
#include "core/vvar.h"

using core::vvar::Data;

// Placed by the linker script one page before the vDSO's first byte. Not
// const: the kernel changes it under us (the seqlock says when).
extern "C" Data vvar_data __attribute__((visibility("hidden")));

namespace {

struct Timespec { long sec, nsec; };
struct Timeval { long sec, usec; };
struct Timezone { int minuteswest, dsttime; };

constexpr long SYS_GETTIMEOFDAY = 96, SYS_TIME = 201, SYS_CLOCK_GETTIME = 228, SYS_CLOCK_GETRES = 229,
               SYS_GETCPU = 309;
constexpr int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
              CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, CLOCK_TAI = 11;
constexpr u64 NSEC = 1000000000ull;

long syscall2(long nr, long a, long b)
{
    long ret;
    asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

long syscall3(long nr, long a, long b, long c)
{
    long ret;
    asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

u32 read_seq(const volatile u32& seq)
{
    for (;;) {
        u32 s = seq;
        if (!(s & 1)) {
            asm volatile("" ::: "memory");
            return s;
        }
        asm volatile("pause");
    }
}

// rdtsc after everything before it: not earlier than the seqlock's read.
u64 rdtsc_ordered()
{
    u32 lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (u64(hi) << 32) | lo;
}

// Nanoseconds since boot, or false if the kernel has no usable TSC.
bool monotonic_ns(u64* ns, u64* realtime_offset, u64* tai_offset)
{
    const Data& d = vvar_data;
    const volatile u32& seq = d.seq;
    u64 tsc, boot, hz;
    for (;;) {
        u32 s = read_seq(seq);
        if (!(d.features & core::vvar::VVAR_CLOCK)) return false;
        boot = d.tsc_boot;
        hz = d.tsc_hz;
        *realtime_offset = d.realtime_offset_ns;
        *tai_offset = d.tai_offset_ns;
        tsc = rdtsc_ordered();
        asm volatile("" ::: "memory");
        if (seq == s) break;
    }
    return core::vvar::tsc_to_ns(tsc - boot, hz, ns); // false: let the kernel say what it says
}

// The clocks core's syscalls compute from the TSC; false for any other.
bool clock_ns(int id, u64* ns)
{
    u64 mono, realtime_offset, tai_offset;
    switch (id) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME: case CLOCK_TAI:
        break;
    default:
        return false;
    }
    if (!monotonic_ns(&mono, &realtime_offset, &tai_offset)) return false;
    switch (id) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: *ns = realtime_offset + mono; break;
    case CLOCK_TAI: *ns = realtime_offset + mono + tai_offset; break;
    default: *ns = mono; break;
    }
    return true;
}

} // namespace

extern "C" {

int __vdso_clock_gettime(int id, Timespec* ts)
{
    u64 ns;
    if (!clock_ns(id, &ns)) return int(syscall2(SYS_CLOCK_GETTIME, id, long(ts)));
    ts->sec = long(ns / NSEC);
    ts->nsec = long(ns % NSEC);
    return 0;
}

int __vdso_gettimeofday(Timeval* tv, Timezone* tz)
{
    u64 ns;
    if (!clock_ns(CLOCK_REALTIME, &ns)) return int(syscall2(SYS_GETTIMEOFDAY, long(tv), long(tz)));
    if (tv) {
        tv->sec = long(ns / NSEC);
        tv->usec = long(ns % NSEC / 1000);
    }
    if (tz) {
        tz->minuteswest = 0; // the kernel keeps no time zone (sys_gettimeofday says the same)
        tz->dsttime = 0;
    }
    return 0;
}

long __vdso_time(long* t)
{
    u64 ns;
    if (!clock_ns(CLOCK_REALTIME, &ns)) return syscall2(SYS_TIME, long(t), 0);
    long s = long(ns / NSEC);
    if (t) *t = s;
    return s;
}

int __vdso_clock_getres(int id, Timespec* res)
{
    const Data& d = vvar_data;
    long nsec;
    switch (id) {
    case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_BOOTTIME: case CLOCK_TAI:
        nsec = 1;
        break;
    case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE:
        nsec = long(d.coarse_res_ns);
        break;
    default:
        return int(syscall2(SYS_CLOCK_GETRES, id, long(res)));
    }
    if (!(d.features & core::vvar::VVAR_CLOCK)) return int(syscall2(SYS_CLOCK_GETRES, id, long(res)));
    if (res) {
        res->sec = 0;
        res->nsec = nsec;
    }
    return 0;
}

// IA32_TSC_AUX holds node << 12 | cpu (platform/x86_64/cpu_init.cpp).
long __vdso_getcpu(unsigned* cpu, unsigned* node, void* /* unused, as on Linux */)
{
    u32 features = vvar_data.features;
    u64 aux;
    if (features & core::vvar::VVAR_RDPID) {
        asm volatile("rdpid %0" : "=r"(aux));
    } else if (features & core::vvar::VVAR_RDTSCP) {
        u32 lo, hi, c;
        asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
        aux = c;
    } else {
        return syscall3(SYS_GETCPU, long(cpu), long(node), 0);
    }
    if (cpu) *cpu = unsigned(aux & 0xfff);
    if (node) *node = unsigned(aux >> 12);
    return 0;
}

// The names without the prefix, as Linux's vDSO has them.
int clock_gettime(int, Timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(Timeval*, Timezone*) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long*) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, Timespec*) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));

} // extern "C"
