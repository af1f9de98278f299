#pragma once
// Clocks: a calibrated TSC gives monotonic nanoseconds; the CMOS RTC read at
// boot anchors real time. Sleeping programs the local APIC timer and halts.
#include "core/types.h"

namespace core::time {
void init();
u64 monotonic_ns();
u64 realtime_ns();
u64 boot_ns();                      // monotonic time at which the kernel started
u64 tsc_hz();
void sleep_until_ns(u64 monotonic_deadline); // returns early on no condition
void set_realtime_ns(u64 ns);
void timer_interrupt();             // the APIC timer's vector handler
// The interval timers' next expiry (core/signal.cpp), ~0 for none: the APIC
// timer is kept armed for it, and the timer interrupt then calls
// core::signal::timer_expired().
void set_signal_timer(u64 monotonic_deadline);
constexpr u8 TIMER_VECTOR = 0x20;
constexpr u8 SPURIOUS_VECTOR = 0xff;
} // namespace core::time
