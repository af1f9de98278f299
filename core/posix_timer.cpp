// POSIX timers (core/posix_timer.h) on kernel timers (core/ktimer.h).
//
// Interrupt context: a timer's kernel timer fires in the timer interrupt and
// its signal is taken inside core/signal.cpp's IrqOff; every change here is
// made with interrupts off (IrqOff), and the giant lock (core/giant.h), held
// by all kernel code and the timer interrupt, keeps the other CPUs out.
#include "core/posix_timer.h"
#include "core/ktimer.h"
#include "core/process.h"
#include "core/sched.h"
#include "core/signal_internal.h"
#include "core/thread.h"
#include "core/time.h"
#include <new>

namespace core::ptimer {

using signal::IrqOff;

namespace {
// Linux bounds a process's timers by RLIMIT_SIGPENDING; Elfin by this.
constexpr i32 MAX_TIMERS = 512;
constexpr i64 OVERRUN_MAX = 0x7fffffff; // DELAYTIMER_MAX

struct PosixTimer {
    time::KTimer ktimer;
    i32 id = 0;
    i32 serial = 0;           // never reused: a signal names its timer by it
    int clock = 0;
    int cpu_tid = 0;          // clk::THREAD_CPUTIME_ID: whose time it counts
    SigEvent ev {};
    u64 expires = ~0ull;      // on the timer's clock; ~0: disarmed
    u64 interval = 0;
    u32 gen = 0;              // bumped by each timer_settime
    bool queued = false;      // its signal waits in a pending queue
    u32 queued_gen = 0;       // the setting that signal is for
    i64 overrun = -1;         // Linux's it_overrun: counts from -1 at each re-arm
    i64 overrun_last = 0;     // what the last signal taken reported
    i64 queued_extra = 0;     // expiries while the signal waited (Linux's si_overrun++)
};
PosixTimer* g_timers[MAX_TIMERS];
i32 g_next_serial = 1;

PosixTimer& owner(time::KTimer& k)
{
    return *static_cast<PosixTimer*>(k.owner);
}

i32 clamp_overrun(i64 v) { return i32(v < 0 ? 0 : v > OVERRUN_MAX ? OVERRUN_MAX : v); }

Result<PosixTimer*> lookup(i32 id)
{
    if (id < 0 || id >= MAX_TIMERS || !g_timers[id]) return Errno::EINVAL;
    return g_timers[id];
}

// The timer's clock now; false when it no longer runs (its thread is gone,
// and with it the thread's CPU clock, as on Linux).
bool read_clock(const PosixTimer& t, u64& out)
{
    if (t.clock == time::clk::THREAD_CPUTIME_ID) {
        Thread* th = find_thread(t.cpu_tid);
        if (!th) return false;
        out = sched::thread_cpu_ns(th);
        return true;
    }
    out = MUST(time::clock_read(t.clock)); // checked by create()
    return true;
}

// Moves a periodic timer's expiry past `clk`: the number of intervals it
// moved (Linux's hrtimer_forward), 0 when it had not expired.
i64 forward(PosixTimer& t, u64 clk)
{
    if (!t.interval || clk < t.expires) return 0;
    u64 n = (clk - t.expires) / t.interval + 1;
    u64 step = n > ~0ull / t.interval ? ~0ull : n * t.interval;
    t.expires = step > ~0ull - 1 - t.expires ? ~0ull - 1 : t.expires + step;
    return i64(n > u64(OVERRUN_MAX) * 2 ? u64(OVERRUN_MAX) * 2 : n);
}

// Arms the kernel timer for the first monotonic moment the clock can reach
// the expiry, no sooner than `min_delay` from now.
void arm(PosixTimer& t, u64 now, u64 clk, u64 min_delay = 0)
{
    if (t.expires == ~0ull || t.ev.notify == SIGEV_NONE) {
        time::ktimer_cancel(t.ktimer);
        return;
    }
    u64 left = t.expires > clk ? t.expires - clk : 0;
    if (!time::follows_monotonic(t.clock) && left) left = time::cpu_timer_deadline(0, left);
    if (left < min_delay) left = min_delay;
    time::ktimer_arm(t.ktimer, left > ~0ull - 1 - now ? ~0ull - 1 : now + left);
}

void fire(time::KTimer& k, u64 now)
{
    PosixTimer& t = owner(k);
    u64 clk;
    if (t.expires == ~0ull || !read_clock(t, clk)) return;
    if (clk < t.expires) { // a CPU clock that has not got there yet
        arm(t, now, clk);
        return;
    }
    if (t.queued) {
        // Set again while the signal of the old setting waits: that signal
        // now stands for this setting and counts the expiry as an overrun.
        t.queued_extra++;
        t.queued_gen = t.gen;
        if (!t.interval) t.expires = ~0ull;
        return;
    }
    SigInfo info {};
    info.signo = t.ev.signo;
    info.code = signal::SI_TIMER;
    info.from_timer = t.serial;
    info.timer.tid = t.id;
    info.timer.value = t.ev.value;
    SignalState* target = nullptr;
    bool lost = false;
    if (t.ev.notify == SIGEV_THREAD_ID) {
        Thread* th = find_thread(t.ev.tid);
        if (th) target = &th->signals;
        else lost = true;
    }
    if (!lost && signal::send_timer_signal(target, info)) {
        t.queued = true;
        t.queued_gen = t.gen;
        if (!t.interval) t.expires = ~0ull; // else re-armed when the signal is taken
        return;
    }
    if (!t.interval) {
        t.expires = ~0ull;
        return;
    }
    // Not queued (ignored, or merged with a pending instance): no delivery
    // will re-arm the timer, so it re-arms now, no sooner than a tick (as
    // Linux's posix_timer_fn), so an ignored fast timer cannot swamp the CPU.
    t.overrun += forward(t, clk);
    arm(t, now, clk, time::CPU_TIMER_GRANULE_NS);
}

Setting get_locked(PosixTimer& t)
{
    Setting r { 0, t.interval };
    u64 clk;
    if (t.expires == ~0ull || !read_clock(t, clk)) return r;
    bool sig_none = t.ev.notify == SIGEV_NONE;
    // An expired periodic timer whose signal waits, or one that signals
    // nothing, reports its next expiry (Linux's common_timer_get).
    if (t.interval && ((t.queued && t.queued_gen == t.gen) || sig_none)) t.overrun += forward(t, clk);
    if (t.expires > clk) r.value_ns = t.expires - clk;
    else if (!sig_none) r.value_ns = 1; // expired: the interrupt has not seen it yet
    return r;
}

bool may_wake_alarm() { return process().euid == 0; } // CAP_WAKE_ALARM
} // namespace

Result<i32> create(int raw_clock, const SigEvent* ev)
{
    using namespace time;
    ClockId c = TRY(decode_clock(raw_clock));
    int clock = c.id;
    switch (clock) {
    case clk::REALTIME: case clk::MONOTONIC: case clk::BOOTTIME: case clk::TAI:
    case clk::PROCESS_CPUTIME_ID: case clk::THREAD_CPUTIME_ID:
    case clk::REALTIME_ALARM: case clk::BOOTTIME_ALARM:
        break;
    case clk::MONOTONIC_RAW: case clk::REALTIME_COARSE: case clk::MONOTONIC_COARSE:
        return Errno::EOPNOTSUPP; // clocks without timers
    default:
        return Errno::EINVAL;
    }
    SigEvent e { 0, signal::SIGALRM, SIGEV_SIGNAL, 0 };
    if (ev) {
        e = *ev;
        switch (e.notify) {
        case SIGEV_THREAD_ID:
            if (!find_thread(e.tid)) return Errno::EINVAL;
            [[fallthrough]];
        case SIGEV_SIGNAL:
        case SIGEV_THREAD:
            if (e.signo <= 0 || e.signo > NSIG) return Errno::EINVAL;
            break;
        case SIGEV_NONE:
            break;
        default:
            return Errno::EINVAL;
        }
    }
    // Nothing suspends the VM, so an alarm clock's timer is its plain
    // clock's; setting one needs CAP_WAKE_ALARM, as on Linux.
    if ((clock == clk::REALTIME_ALARM || clock == clk::BOOTTIME_ALARM) && !may_wake_alarm()) return Errno::EPERM;

    IrqOff off;
    i32 id = 0;
    while (id < MAX_TIMERS && g_timers[id]) id++;
    if (id == MAX_TIMERS) return Errno::EAGAIN;
    auto* t = new (std::nothrow) PosixTimer;
    if (!t) return Errno::EAGAIN; // Linux's answer when it cannot allocate a timer
    t->id = id;
    t->serial = g_next_serial;
    g_next_serial = g_next_serial == 0x7fffffff ? 1 : g_next_serial + 1;
    t->clock = clock;
    t->cpu_tid = c.tid ? c.tid : current()->tid;
    t->ev = e;
    if (!ev) t->ev.value = u64(id);
    t->ktimer.fire = fire;
    t->ktimer.owner = t;
    g_timers[id] = t;
    return id;
}

Result<Setting> set(i32 id, bool absolute, Setting s)
{
    IrqOff off;
    PosixTimer* t = TRY(lookup(id));
    Setting old = get_locked(*t);
    time::ktimer_cancel(t->ktimer);
    t->gen++;
    t->interval = 0;
    t->expires = ~0ull;
    t->overrun = -1;
    t->overrun_last = 0;
    if (!s.value_ns) return old;
    u64 clk;
    if (!read_clock(*t, clk)) return old; // the thread whose clock it was is gone
    t->interval = s.interval_ns;
    if (absolute) t->expires = s.value_ns;
    else t->expires = s.value_ns > ~0ull - 1 - clk ? ~0ull - 1 : clk + s.value_ns;
    arm(*t, time::monotonic_ns(), clk);
    return old;
}

Result<Setting> get(i32 id)
{
    IrqOff off;
    PosixTimer* t = TRY(lookup(id));
    return get_locked(*t);
}

Result<i32> overrun(i32 id)
{
    IrqOff off;
    PosixTimer* t = TRY(lookup(id));
    return clamp_overrun(t->overrun_last);
}

ErrorOr remove(i32 id)
{
    IrqOff off;
    PosixTimer* t = TRY(lookup(id));
    time::ktimer_cancel(t->ktimer);
    g_timers[id] = nullptr;
    // A signal it queued stays pending and is dropped when taken (Linux 6.13+).
    delete t;
    return {};
}

namespace {
// The live timer that queued `info`, or null.
PosixTimer* owner_of(const SigInfo& info)
{
    auto r = lookup(info.timer.tid);
    if (r.is_error() || r.value()->serial != info.from_timer || !r.value()->queued) return nullptr;
    return r.value();
}
} // namespace

bool signal_dequeued(SigInfo& info)
{
    PosixTimer* owner = owner_of(info);
    info.from_timer = 0;
    info.timer.overrun = 0;
    if (!owner) return false; // deleted since
    PosixTimer& t = *owner;
    t.queued = false;
    i64 extra = t.queued_extra;
    t.queued_extra = 0;
    // Set again since (and not expired under the new setting): the signal
    // is dropped, as Linux's posixtimer_deliver_signal does.
    if (t.queued_gen != t.gen) return false;
    info.timer.overrun = clamp_overrun(extra);
    u64 clk;
    if (!t.interval || t.expires == ~0ull || !read_clock(t, clk)) return true;
    // Linux's posixtimer_rearm: skip the expiries missed while the signal
    // waited and report them with it.
    t.overrun += forward(t, clk);
    t.overrun_last = t.overrun;
    t.overrun = -1;
    info.timer.overrun = clamp_overrun(t.overrun_last + extra);
    arm(t, time::monotonic_ns(), clk);
    return true;
}

void signal_dropped(const SigInfo& info)
{
    PosixTimer* owner = owner_of(info);
    if (!owner) return;
    PosixTimer& t = *owner;
    t.queued = false;
    t.queued_extra = 0;
    u64 clk;
    if (!t.interval || t.queued_gen != t.gen || t.expires == ~0ull || !read_clock(t, clk)) return;
    t.overrun += forward(t, clk);
    arm(t, time::monotonic_ns(), clk, time::CPU_TIMER_GRANULE_NS);
}

} // namespace core::ptimer
