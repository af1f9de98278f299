#pragma once
// What poll, select and epoll_wait share: timeouts as monotonic deadlines,
// the temporary signal mask of ppoll/pselect6/epoll_pwait, and the wait for
// readiness itself.
#include "syscalls/syscall.h"
#include "core/signal.h"
#include "core/time.h"
#include "fs/poll.h"

namespace sys::pollwait {

struct Timespec { i64 sec, nsec; };
constexpr u64 NS = 1000000000ull;
constexpr u64 NONE = ~0ull; // no deadline: wait for ever

inline u64 deadline_after(u64 ns)
{
    u64 now = core::time::monotonic_ns();
    return ns > NONE - 1 - now ? NONE - 1 : now + ns;
}

// A struct timespec timeout: EINVAL when negative or nsec is out of range.
inline Result<u64> read_timespec_deadline(u64 ptr)
{
    Timespec ts;
    TRY(mm::copy_from_user(&ts, ptr, sizeof ts));
    if (ts.sec < 0 || ts.nsec < 0 || u64(ts.nsec) >= NS) return Errno::EINVAL;
    if (u64(ts.sec) >= (NONE - 1) / NS - 1) return NONE;
    return deadline_after(u64(ts.sec) * NS + u64(ts.nsec));
}

// Time left until the deadline, for the timeouts that select/ppoll write back.
inline u64 left_until(u64 deadline)
{
    u64 now = core::time::monotonic_ns();
    return deadline > now ? deadline - now : 0;
}

// The mask ppoll/pselect6/epoll_pwait install for the wait. Linux keeps it
// when the wait ends with EINTR, so that the handler runs under it, and puts
// the old mask back once the handler returns; otherwise it restores at once.
class TempMask {
public:
    ErrorOr install(u64 sigmask_ptr, u64 size)
    {
        if (!sigmask_ptr) return {};
        if (size != 8) return Errno::EINVAL;
        u64 mask;
        TRY(mm::copy_from_user(&mask, sigmask_ptr, sizeof mask));
        auto& st = core::current_signal_state();
        m_old = st.blocked;
        m_active = true;
        core::signal::set_blocked(mask);
        return {};
    }
    template<typename T>
    Result<T> finish(Result<T> r)
    {
        if (!m_active) return r;
        auto& st = core::current_signal_state();
        bool interrupted = r.is_error() && (r.error() == Errno::EINTR || r.error() == Errno::ERESTARTNOHAND);
        if (interrupted) {
            st.saved_mask = m_old;
            st.restore_saved_mask = true;
        } else {
            core::signal::set_blocked(m_old);
        }
        return r;
    }

private:
    bool m_active { false };
    u64 m_old { 0 };
};

// Sleeps until readiness may have changed, the deadline (the caller's or its
// files' earliest) passes, or a signal is deliverable: returns false on
// a signal, true to look again. `seen`: fs::readiness_generation() taken
// before the caller looked at its files.
inline bool wait(u64 deadline, u64 seen)
{
    auto r = fs::wait_readiness(deadline, seen);
    return !(r.is_error() && r.error() == Errno::EINTR);
}

} // namespace sys::pollwait
