#pragma once
// The vvar page: the kernel's clock state, published for the vDSO
// (loader/vdso/) to read in user mode without a syscall. One page of kernel
// memory, mapped read-only into the program just below the vDSO's text; the
// layout is an ABI between this file and loader/vdso/vclock.cpp, both built
// from this header.
//
// The numbers are exactly those core/time.cpp computes with, so that the vDSO
// and the syscalls give the same answer for the same TSC reading:
//   monotonic_ns = (rdtsc - tsc_boot) * 10^9 / tsc_hz   (tsc_to_ns: 128-bit, rounded down)
//   realtime_ns  = realtime_offset_ns + monotonic_ns
// A seqlock guards them: the kernel makes `seq` odd while it writes; a reader
// retries when it saw an odd value or `seq` changed under it.
#include "core/types.h"

namespace core::vvar {

// Data::features.
constexpr u32 VVAR_RDTSCP = 1; // IA32_TSC_AUX holds (node << 12) | cpu: getcpu reads it with rdtscp
constexpr u32 VVAR_RDPID = 2;  // ... or, faster, with rdpid
constexpr u32 VVAR_CLOCK = 4;  // the TSC fields are valid (else every clock goes to the syscall)

struct Data {
    u32 seq;
    u32 features;          // VVAR_*
    u64 tsc_boot;          // TSC at monotonic time 0
    u64 tsc_hz;
    u64 realtime_offset_ns;
    u64 tai_offset_ns;     // CLOCK_TAI - CLOCK_REALTIME
    u64 coarse_res_ns;     // what clock_getres says of the *_COARSE clocks
};
static_assert(sizeof(Data) <= PAGE_SIZE);

// TSC ticks to nanoseconds, delta * 10^9 / hz rounded down, as one 128-by-64
// division (divq); false when the quotient would not fit in 64 bits (after
// centuries). The kernel's clock (core/time.cpp) and the vDSO's both use it,
// so the two agree to the nanosecond; it needs no libgcc (the vDSO has none).
inline bool tsc_to_ns(u64 delta, u64 hz, u64* ns)
{
    unsigned __int128 product = (unsigned __int128)delta * 1000000000ull;
    u64 hi = u64(product >> 64), lo = u64(product);
    if (hi >= hz) return false;
    u64 q, r;
    asm("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(hz));
    *ns = q;
    return true;
}

#ifdef ELFIN_KERNEL
// The page (kernel address, page-aligned, never freed).
const void* page();
// Writes the current clock state into the page: after the clocks are
// calibrated and whenever the wall clock is set.
void publish();
#endif

} // namespace core::vvar
