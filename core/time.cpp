#include "core/time.h"
#include "core/flush.h"
#include "core/klog.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/thread.h"
#include "core/ktimer.h"
#include "core/sync.h"
#include "core/vvar.h"
#include "platform/x86_64/cpu.h"
#include "platform/x86_64/paging.h"
#include "platform/x86_64/smp.h"
#include "platform/x86_64/trap.h"

namespace core::time {

namespace {
u64 g_tsc_hz;
u64 g_tsc_boot;
u64 g_realtime_at_boot_ns;
volatile u32* g_lapic;
u64 g_lapic_hz; // timer ticks per second at divide-by-16
constexpr u64 LAPIC_VA = 0xffffffffff000000ull;

// The PIT counts down at 1.193182 MHz. Channel 0 is read back with latch
// commands (channel 2's gate lives on port 0x61, which microvm does not have):
// count TSC ticks across `ms` milliseconds of PIT time.
u16 pit_read()
{
    x86::outb(0x43, 0x00); // latch channel 0
    u8 lo = x86::inb(0x40);
    u8 hi = x86::inb(0x40);
    return u16(lo | (hi << 8));
}

u64 calibrate_tsc_with_pit(u32 ms)
{
    x86::outb(0x43, 0x34); // channel 0, lo/hi, mode 2, binary
    x86::outb(0x40, 0);
    x86::outb(0x40, 0);    // period 65536
    u32 want = 1193182u * ms / 1000;
    u16 last = pit_read();
    // Wait for the counter to move, so we start on an edge.
    for (u64 spins = 0; pit_read() == last; spins++)
        if (spins > 1000000) return 0; // no PIT
    last = pit_read();
    u64 t0 = x86::rdtsc();
    u32 elapsed = 0;
    while (elapsed < want) {
        u16 now = pit_read();
        elapsed += u16(last - now);
        last = now;
    }
    u64 t1 = x86::rdtsc();
    return (t1 - t0) * 1193182ull / elapsed;
}

u8 cmos(u8 reg)
{
    x86::outb(0x70, reg);
    return x86::inb(0x71);
}

u64 read_rtc_ns()
{
    while (cmos(0x0a) & 0x80) {}
    u8 sec = cmos(0), min = cmos(2), hour = cmos(4), day = cmos(7), mon = cmos(8), year = cmos(9);
    u8 regb = cmos(0x0b);
    if (sec == 0xff && min == 0xff) return 0; // no RTC
    auto bcd = [&](u8 v) -> u32 { return (regb & 4) ? v : (v & 0xf) + (v >> 4) * 10; };
    u32 s = bcd(sec), m = bcd(min), d = bcd(day), mo = bcd(mon), y = 2000 + bcd(year);
    u32 h = bcd(hour & 0x7f);
    if (!(regb & 2) && (hour & 0x80)) h = (h % 12) + 12;
    // Days from the civil date (Howard Hinnant's algorithm).
    int yy = int(y) - (mo <= 2);
    int era = yy / 400;
    unsigned yoe = unsigned(yy - era * 400);
    unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i64 days = i64(era) * 146097 + i64(doe) - 719468;
    return (u64(days) * 86400 + h * 3600 + m * 60 + s) * 1000000000ull;
}

void lapic_write(u32 reg, u32 v) { g_lapic[reg / 4] = v; }
u32 lapic_read(u32 reg) { return g_lapic[reg / 4]; }
} // namespace

void init()
{
    g_tsc_boot = x86::rdtsc();
    // A hypervisor may tell us the TSC frequency (leaf 0x40000010, in kHz).
    u32 hv_max = x86::cpuid(0x40000000).eax;
    if (hv_max >= 0x40000010) g_tsc_hz = u64(x86::cpuid(0x40000010).eax) * 1000;
    if (!g_tsc_hz) {
        x86::Cpuid l15 = x86::cpuid(0, 0).eax >= 0x15 ? x86::cpuid(0x15) : x86::Cpuid {};
        if (l15.eax && l15.ebx && l15.ecx) g_tsc_hz = u64(l15.ecx) * l15.ebx / l15.eax;
    }
    if (!g_tsc_hz) g_tsc_hz = calibrate_tsc_with_pit(5);
    if (!g_tsc_hz) {
        klog::warn("no way to calibrate the TSC: assuming 1 GHz");
        g_tsc_hz = 1000000000;
    }
    g_realtime_at_boot_ns = read_rtc_ns();

    // Local APIC (xAPIC MMIO), for the wake-up timer.
    u64 base = x86::rdmsr(x86::MSR_APIC_BASE);
    x86::wrmsr(x86::MSR_APIC_BASE, base | (1 << 11));
    if (paging::map_mmio(LAPIC_VA, base & 0xfffff000).is_error()) return;
    g_lapic = reinterpret_cast<volatile u32*>(LAPIC_VA);
    // Mask the legacy PICs; everything comes through the APIC.
    x86::outb(0x21, 0xff);
    x86::outb(0xa1, 0xff);
    lapic_write(0xf0, 0x100 | SPURIOUS_VECTOR); // enable
    lapic_write(0x3e0, 0x3);                    // divide by 16
    lapic_write(0x320, 0x10000 | TIMER_VECTOR); // one-shot, masked
    // Calibrate the APIC timer against the TSC over 1 ms.
    lapic_write(0x380, 0xffffffff);
    u64 t0 = x86::rdtsc(), end = t0 + g_tsc_hz / 1000;
    while (x86::rdtsc() < end) x86::pause();
    u32 elapsed = 0xffffffff - lapic_read(0x390);
    lapic_write(0x380, 0);
    lapic_write(0x320, TIMER_VECTOR); // one-shot, unmasked, stopped (count 0) until programmed
    g_lapic_hz = u64(elapsed) * 1000;
    klog::info("TSC %lu kHz, APIC timer %lu kHz", g_tsc_hz / 1000, g_lapic_hz / 1000);
}

void init_ap()
{
    if (!g_lapic) return;
    x86::wrmsr(x86::MSR_APIC_BASE, x86::rdmsr(x86::MSR_APIC_BASE) | (1 << 11));
    lapic_write(0xf0, 0x100 | SPURIOUS_VECTOR);
    lapic_write(0x3e0, 0x3);
    lapic_write(0x380, 0);
    lapic_write(0x320, TIMER_VECTOR); // one-shot, unmasked, stopped until programmed
}

u64 tsc_hz() { return g_tsc_hz; }

u64 tsc_at_boot() { return g_tsc_boot; }

u64 realtime_offset_ns() { return g_realtime_at_boot_ns; }

// The vDSO (loader/vdso/vclock.cpp) repeats this computation from the vvar
// page (core/vvar.h): keep the two the same.
u64 monotonic_ns()
{
    u64 d = x86::rdtsc() - g_tsc_boot, ns;
    if (vvar::tsc_to_ns(d, g_tsc_hz, &ns)) return ns;
    return u64((unsigned __int128)d * 1000000000ull / g_tsc_hz); // centuries after boot
}

u64 boot_ns() { return 0; }

u64 realtime_ns() { return g_realtime_at_boot_ns + monotonic_ns(); }

void set_realtime_ns(u64 ns)
{
    g_realtime_at_boot_ns = ns - monotonic_ns();
    vvar::publish();
}

namespace {
// Two users share each CPU's one-shot APIC timer: the scheduler (slice ends
// and sleepers: each CPU's own) and the kernel timers (core/ktimer.h: one
// list for all, in the timer of every CPU that programs its own; the first
// to fire runs the callbacks). It is armed for the earlier.
u64 g_sched_deadline[x86::smp::MAX_CPUS]; // + 1: zero-initialized means none

// When each CPU's APIC timer will fire, as last programmed, + 1: zero once
// it has fired (or was never set).
u64 g_fires_at[x86::smp::MAX_CPUS];

u64& sched_deadline_plus_1() { return g_sched_deadline[x86::this_cpu()->cpu_id]; }

// Programs the timer for the earlier deadline, unless it already counts to
// one no later: then it fires early, finds nothing due and programs the
// next. Every context switch and every network lock release asks for a
// deadline, and each APIC write is a trap to the hypervisor (under QEMU's
// TCG, taken under its global lock): most of them would move the deadline
// later, and those cost nothing now.
void program_timer()
{
    if (!g_lapic || !g_lapic_hz) return;
    u64 sched_deadline = sched_deadline_plus_1() - 1;
    u64 deadline = ktimer_next_deadline();
    if (sched_deadline < deadline) deadline = sched_deadline;
    u64& fires_at_plus_1 = g_fires_at[x86::this_cpu()->cpu_id];
    if (fires_at_plus_1 && fires_at_plus_1 - 1 <= deadline) return; // armed no later; also when nothing is due
    if (deadline == ~0ull) return; // nothing due, and the timer is not counting
    u64 now = monotonic_ns();
    u64 left = deadline > now ? deadline - now : 0;
    u64 ticks = u64((unsigned __int128)left * g_lapic_hz / 1000000000ull);
    if (ticks > 0xffffffffull) {
        ticks = 0xffffffffull; // fires before the deadline, and programs the rest
        deadline = now + u64((unsigned __int128)ticks * 1000000000ull / g_lapic_hz);
    }
    if (ticks == 0) ticks = 1;
    lapic_write(0x380, u32(ticks));
    fires_at_plus_1 = deadline + 1;
}
} // namespace

void reprogram_timer()
{
    u64 flags = irq_save();
    program_timer();
    irq_restore(flags);
}

void arm_timer(u64 deadline)
{
    u64 flags = irq_save();
    sched_deadline_plus_1() = deadline + 1;
    program_timer();
    irq_restore(flags);
}

void timer_interrupt()
{
    if (g_lapic) lapic_write(0xb0, 0); // EOI
    g_fires_at[x86::this_cpu()->cpu_id] = 0;
    ktimer_run_expired(monotonic_ns()); // callbacks may re-arm their timers
    sched::timer_tick(); // re-arms through arm_timer
    flush::run();
    program_timer();
}

void end_of_interrupt()
{
    if (g_lapic) lapic_write(0xb0, 0);
}

Result<ClockId> decode_clock(int id)
{
    if (id >= 0) return ClockId { id, 0 };
    int pid = ~(id >> 3);
    if ((id & 3) == 3) return Errno::EINVAL; // CPUCLOCK_MAX
    if (id & 4) { // per thread
        if (pid == 0) return ClockId { clk::THREAD_CPUTIME_ID, 0 };
        if (!find_thread(pid)) return Errno::EINVAL;
        return ClockId { clk::THREAD_CPUTIME_ID, pid };
    }
    if (pid != 0 && pid != process().pid) return Errno::EINVAL;
    return ClockId { clk::PROCESS_CPUTIME_ID, 0 };
}

Result<u64> clock_read(int raw_id)
{
    ClockId c = TRY(decode_clock(raw_id));
    int id = c.id;
    if (id == clk::THREAD_CPUTIME_ID && c.tid) {
        Thread* t = find_thread(c.tid);
        if (!t) return Errno::EINVAL;
        return sched::thread_cpu_ns(t);
    }
    switch (id) {
    case clk::REALTIME: case clk::REALTIME_COARSE: case clk::REALTIME_ALARM:
        return realtime_ns();
    case clk::TAI: return realtime_ns() + 37000000000ull;
    // Nothing suspends the VM: boot time is monotonic time.
    case clk::MONOTONIC: case clk::MONOTONIC_RAW: case clk::MONOTONIC_COARSE:
    case clk::BOOTTIME: case clk::BOOTTIME_ALARM:
        return monotonic_ns();
    case clk::PROCESS_CPUTIME_ID: return sched::process_cpu_ns();
    case clk::THREAD_CPUTIME_ID: return sched::thread_cpu_ns(current());
    default: return Errno::EINVAL;
    }
}

void sleep_until_ns(u64 deadline) { (void)sched::sleep_until(deadline, false); }

} // namespace core::time
