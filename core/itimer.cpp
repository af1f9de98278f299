// The interval timers (setitimer, getitimer, alarm), on kernel timers
// (core/ktimer.h). ITIMER_REAL counts monotonic time; ITIMER_PROF and
// ITIMER_VIRTUAL count the process's CPU time (the scheduler's per-thread
// accounting): PROF all of it, VIRTUAL the part spent in user mode. A CPU timer's kernel timer comes when the clock could
// have reached it at the earliest, and re-arms itself until it has.
#include "core/ktimer.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/signal_internal.h"
#include "core/time.h"

namespace core::signal {

namespace {
constexpr int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2, NTIMERS = 3;
constexpr int TIMER_SIGNAL[NTIMERS] = { SIGALRM, SIGVTALRM, SIGPROF };

struct IntervalTimer {
    u64 expires = ~0ull; // on the timer's clock, ~0: disarmed
    u64 interval = 0;
    time::KTimer ktimer;
};
IntervalTimer g_timers[NTIMERS];

u64 cpu_clock(int which)
{
    if (which == ITIMER_PROF) return sched::process_cpu_ns();
    auto u = sched::process_usage();
    return u.cpu_ns - u.sys_ns;
}

u64 clock_now(int which) { return which == ITIMER_REAL ? time::monotonic_ns() : cpu_clock(which); }

int which_of(time::KTimer& k)
{
    for (int w = 0; w < NTIMERS; w++)
        if (&g_timers[w].ktimer == &k) return w;
    return ITIMER_REAL;
}

// Arms the kernel timer for the first moment the timer's clock can reach
// its expiry (`clk`: the clock now).
void arm(int which, u64 now, u64 clk)
{
    IntervalTimer& t = g_timers[which];
    if (t.expires == ~0ull) {
        time::ktimer_cancel(t.ktimer);
        return;
    }
    if (which == ITIMER_REAL) time::ktimer_arm(t.ktimer, t.expires);
    else time::ktimer_arm(t.ktimer, time::cpu_timer_deadline(now, t.expires > clk ? t.expires - clk : 0));
}

void expired(time::KTimer& k, u64 now)
{
    int which = which_of(k);
    IntervalTimer& t = g_timers[which];
    if (t.expires == ~0ull) return;
    u64 clk = which == ITIMER_REAL ? now : cpu_clock(which);
    if (clk >= t.expires) {
        if (t.interval) {
            // Overruns are not counted for itimers: a late timer fires once.
            u64 missed = (clk - t.expires) / t.interval;
            t.expires += (missed + 1) * t.interval;
        } else {
            t.expires = ~0ull;
        }
        SigInfo info {};
        info.signo = TIMER_SIGNAL[which];
        info.code = SI_KERNEL;
        (void)send_to_process(info);
    }
    arm(which, now, clk);
}
} // namespace

Result<ITimer> get_itimer(int which)
{
    if (which < ITIMER_REAL || which > ITIMER_PROF) return Errno::EINVAL;
    IrqOff off;
    const IntervalTimer& t = g_timers[which];
    if (t.expires == ~0ull) return ITimer { 0, t.interval };
    u64 clk = clock_now(which);
    // An expired timer not yet seen by the interrupt still reads as just about to fire.
    u64 left = t.expires > clk ? t.expires - clk : 1000;
    return ITimer { left, t.interval };
}

Result<ITimer> set_itimer(int which, ITimer v)
{
    if (which < ITIMER_REAL || which > ITIMER_PROF) return Errno::EINVAL;
    ITimer old = TRY(get_itimer(which));
    IrqOff off;
    IntervalTimer& t = g_timers[which];
    t.ktimer.fire = expired;
    t.interval = v.value_ns ? v.interval_ns : 0;
    u64 clk = clock_now(which);
    if (v.value_ns) t.expires = v.value_ns > ~0ull - 1 - clk ? ~0ull - 1 : clk + v.value_ns;
    else t.expires = ~0ull;
    arm(which, time::monotonic_ns(), clk);
    return old;
}

} // namespace core::signal
