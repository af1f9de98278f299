#pragma once
// timerfd: a file that counts the expirations of a timer on a clock. A read
// of 8 bytes or more takes the count (as a u64) and zeroes it; EAGAIN while
// it is 0, and the syscall layer waits when the file is blocking. It is
// readable (POLLIN) while the count is not 0, and poll/epoll waiters sleep
// no later than its next expiry (poll_deadline).
//
// The count is worked out from the clock when it is looked at, as Linux's
// timerfd forwards a periodic timer on read; a kernel timer
// (core/ktimer.h) at the next expiry wakes blocked readers and counts a
// readiness event (EPOLLET), and is armed again only once the count was
// read, so an unread periodic timerfd costs one interrupt, as on Linux.
#include "fs/errno_guard.h"
#include "core/ktimer.h"
#include "core/ref.h"
#include "fs/stream_inode.h"

namespace fs {

class TimerFd final : public StreamInode {
public:
    static constexpr Kind KIND = Kind::TimerFd;
    static constexpr u32 TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;
    struct Setting {
        u64 value_ns, interval_ns; // value 0: disarmed
    };
    ~TimerFd() override;

    Result<size_t> read(u64, IoBuffer& buf, size_t n, u32 flags) override;
    u32 poll(u32 flags) override;
    u64 poll_deadline() override;
    u64 io_deadline() override;

    // timerfd_settime (returns the old setting) and timerfd_gettime.
    Setting set(u32 flags, Setting s);
    Setting get();

private:
    friend Result<core::Ref<OpenFile>> make_timerfd(int clock, u32 flags);
    explicit TimerFd(int clock);
    // Counts the expirations up to the clock's `now` and moves the expiry past it.
    void advance(u64 now);
    // Arms the kernel timer for the next expiry while nothing is counted.
    void arm(u64 now);
    Setting remaining(u64 now) const;
    static void expired(core::time::KTimer& k, u64 now);

    core::time::KTimer m_ktimer;
    int m_clock;
    u64 m_expires { ~0ull }; // on the clock; ~0: disarmed
    u64 m_interval { 0 };
    u64 m_ticks { 0 };       // expirations not yet read
};

// timerfd_create: EINVAL for other flags than TFD_NONBLOCK, TFD_CLOEXEC or a
// clock other than REALTIME, MONOTONIC, BOOTTIME and the alarm clocks (EPERM
// for those without CAP_WAKE_ALARM).
Result<core::Ref<OpenFile>> make_timerfd(int clock, u32 flags);

} // namespace fs
