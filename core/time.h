#pragma once
// Clocks: a calibrated TSC gives monotonic nanoseconds; the CMOS RTC read at
// boot anchors real time. The local APIC timer, armed one-shot by the
// scheduler, ends time slices and sleeps.
#include "core/types.h"
#include "core/result.h"

namespace core::time {
void init();
// Another CPU's local APIC: enabled, its timer stopped, the boot CPU's
// calibration reused (every CPU's APIC timer runs at the same rate).
void init_ap();
u64 monotonic_ns();
u64 realtime_ns();
u64 boot_ns();                      // monotonic time at which the kernel started
u64 tsc_hz();
u64 tsc_at_boot();                  // the TSC reading monotonic time counts from
u64 realtime_offset_ns();           // realtime_ns() - monotonic_ns(), read once
// Sleeps the calling thread (uninterruptibly) until the deadline.
void sleep_until_ns(u64 monotonic_deadline);
// The next timer interrupt at a monotonic deadline (~0: none).
void arm_timer(u64 monotonic_deadline);
void set_realtime_ns(u64 ns);
void timer_interrupt();             // the APIC timer's vector handler
void end_of_interrupt();            // local APIC EOI, after a device interrupt (core/irq.cpp)
// The kernel timers' head moved (core/ktimer.cpp): re-arms the APIC timer.
void reprogram_timer();
constexpr u8 TIMER_VECTOR = 0x20;
constexpr u8 SPURIOUS_VECTOR = 0xff;
} // namespace core::time

namespace core::time {
// Linux's clock ids (clk::MONOTONIC is CLOCK_MONOTONIC).
namespace clk {
enum : int {
    REALTIME = 0, MONOTONIC = 1, PROCESS_CPUTIME_ID = 2, THREAD_CPUTIME_ID = 3,
    MONOTONIC_RAW = 4, REALTIME_COARSE = 5, MONOTONIC_COARSE = 6, BOOTTIME = 7,
    REALTIME_ALARM = 8, BOOTTIME_ALARM = 9, TAI = 11,
};
} // namespace clk
// The clock `id` now, in ns (the CPU-time clocks: the process's, the calling
// thread's, or those named by clock_getcpuclockid/pthread_getcpuclockid ids);
// EINVAL for an id Linux does not know.
Result<u64> clock_read(int id);
// A negative id is a CPU-time clock of a process or thread (Linux's
// CPUCLOCK_PID/PERTHREAD/WHICH encoding; glibc passes one for
// CLOCK_PROCESS_CPUTIME_ID to clock_nanosleep). It comes out as
// PROCESS_CPUTIME_ID or THREAD_CPUTIME_ID and the thread's tid (0: the
// caller); EINVAL for a bad encoding, a process other than ours or no such
// thread. Other ids come out as they are. The VIRT and PROF kinds read the
// whole CPU time, as ITIMER_VIRTUAL does (user time is not counted apart).
struct ClockId { int id; int tid; };
Result<ClockId> decode_clock(int id);
// The clocks that are a fixed distance from the monotonic clock: every one
// but the CPU-time clocks. (Real time moves only with that distance, which
// changes only through set_realtime_ns; no syscall sets it yet.)
inline bool follows_monotonic(int id) { return id != clk::PROCESS_CPUTIME_ID && id != clk::THREAD_CPUTIME_ID; }
} // namespace core::time
