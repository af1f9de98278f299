#include "core/flush.h"
#include "core/ktimer.h"
#include "core/time.h"

namespace core::flush {

namespace {

void (*g_hook)();
bool g_requested;

void on_timer(time::KTimer&, u64) { run(); }
time::KTimer g_timer { on_timer };

} // namespace

void set_hook(void (*hook)()) { g_hook = hook; }

void request()
{
    if (g_requested) return;
    g_requested = true;
    if (!g_timer.armed) time::ktimer_arm(g_timer, time::monotonic_ns() + LATEST_NS);
}

void run()
{
    if (!g_requested) return;
    g_requested = false;
    // The timer, if still armed, fires once for nothing: cancelling it
    // would cost more than that (core/time.cpp keeps the earlier deadline).
    if (g_hook) g_hook();
}

} // namespace core::flush
