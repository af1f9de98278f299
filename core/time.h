#pragma once
// Clocks: a calibrated TSC gives monotonic nanoseconds; the CMOS RTC read at
// boot anchors real time. The local APIC timer, armed one-shot by the
// scheduler, ends time slices and sleeps.
#include "core/types.h"

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
// The interval timers' next expiry (core/signal.cpp), ~0 for none: the APIC
// timer is kept armed for it, and the timer interrupt then calls
// core::signal::timer_expired().
void set_signal_timer(u64 monotonic_deadline);
// One callout for a subsystem's own timers (the network stack's): `fn` runs
// in the timer interrupt, interrupts off, once the deadline has passed; it
// re-arms through this call. ~0: none.
void set_callout(u64 monotonic_deadline, void (*fn)());
constexpr u8 TIMER_VECTOR = 0x20;
constexpr u8 SPURIOUS_VECTOR = 0xff;
} // namespace core::time
