#include "fs/timerfd.h"
#include "core/process.h"
#include "core/time.h"

namespace fs {

namespace {
u64 clock_now(int clock) { return MUST(core::time::clock_read(clock)); } // checked by make_timerfd
} // namespace

TimerFd::TimerFd(int clock) : StreamInode(KIND), m_clock(clock)
{
    m_ktimer.fire = expired;
    m_ktimer.owner = this;
}

TimerFd::~TimerFd() { core::time::ktimer_cancel(m_ktimer); }

// The timer interrupt: the count is worked out by whoever looks; this only
// tells the waiters to look.
void TimerFd::expired(core::time::KTimer& k, u64)
{
    static_cast<TimerFd*>(k.owner)->changed();
}

void TimerFd::advance(u64 now)
{
    if (m_expires == ~0ull || now < m_expires) return;
    if (!m_interval) {
        m_ticks++;
        m_expires = ~0ull;
        return;
    }
    u64 n = (now - m_expires) / m_interval + 1;
    m_ticks += n;
    u64 step = n > ~0ull / m_interval ? ~0ull : n * m_interval;
    m_expires = step > ~0ull - 1 - m_expires ? ~0ull - 1 : m_expires + step;
}

void TimerFd::arm(u64 now)
{
    if (m_expires == ~0ull || m_ticks) {
        core::time::ktimer_cancel(m_ktimer);
        return;
    }
    u64 mono = core::time::monotonic_ns();
    u64 left = m_expires > now ? m_expires - now : 0;
    core::time::ktimer_arm(m_ktimer, left > ~0ull - 1 - mono ? ~0ull - 1 : mono + left);
}

TimerFd::Setting TimerFd::remaining(u64 now) const
{
    return { m_expires != ~0ull && m_expires > now ? m_expires - now : 0, m_interval };
}

Result<size_t> TimerFd::read(u64, IoBuffer& buf, size_t n, u32)
{
    if (n < sizeof(u64)) return Errno::EINVAL;
    u64 now = clock_now(m_clock);
    advance(now);
    if (!m_ticks) return Errno::EAGAIN;
    TRY(buf.copy_out(0, &m_ticks, sizeof m_ticks));
    m_ticks = 0;
    arm(now);
    return sizeof(u64);
}

u32 TimerFd::poll(u32)
{
    advance(clock_now(m_clock));
    return m_ticks ? POLLIN | POLLRDNORM : 0;
}

u64 TimerFd::poll_deadline()
{
    u64 now = clock_now(m_clock);
    advance(now);
    if (m_ticks || m_expires == ~0ull) return POLL_NO_DEADLINE;
    u64 mono = core::time::monotonic_ns();
    u64 left = m_expires - now;
    return left > ~0ull - 1 - mono ? ~0ull - 1 : mono + left;
}

u64 TimerFd::io_deadline()
{
    u64 d = poll_deadline();
    if (d == POLL_NO_DEADLINE && m_ticks) return 0; // expired since the read looked
    return d;
}

TimerFd::Setting TimerFd::set(u32 flags, Setting s)
{
    u64 now = clock_now(m_clock);
    advance(now); // the old setting's time left, as Linux forwards it
    Setting old = remaining(now);
    // The clock never jumps (nothing sets real time yet), so a timer with
    // TFD_TIMER_CANCEL_ON_SET is never cancelled: the flag is accepted as Linux does.
    m_ticks = 0;
    m_interval = s.value_ns ? s.interval_ns : 0;
    if (!s.value_ns) m_expires = ~0ull;
    else if (flags & TFD_TIMER_ABSTIME) m_expires = s.value_ns;
    else m_expires = s.value_ns > ~0ull - 1 - now ? ~0ull - 1 : now + s.value_ns;
    // An absolute time already past counts an expiry at once; no timer is
    // left to fire, so the blocked readers are woken here.
    advance(now);
    if (m_ticks) changed();
    arm(now);
    return old;
}

TimerFd::Setting TimerFd::get()
{
    u64 now = clock_now(m_clock);
    advance(now);
    arm(now);
    return remaining(now);
}

Result<core::Ref<OpenFile>> make_timerfd(int clock, u32 flags)
{
    using namespace core::time;
    if (flags & ~(O_NONBLOCK | O_CLOEXEC)) return Errno::EINVAL;
    bool alarm = clock == clk::REALTIME_ALARM || clock == clk::BOOTTIME_ALARM;
    if (clock != clk::REALTIME && clock != clk::MONOTONIC && clock != clk::BOOTTIME && !alarm)
        return Errno::EINVAL;
    // Nothing suspends the VM: an alarm clock's timer is its plain clock's.
    // Linux asks for CAP_WAKE_ALARM.
    if (alarm && core::process().euid != 0) return Errno::EPERM;
    return open_anon(new (std::nothrow) TimerFd(clock), flags);
}

} // namespace fs
