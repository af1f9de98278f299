#include "fs/signalfd.h"
#include "core/signal.h"

namespace fs {

namespace {
// struct signalfd_siginfo.
struct SignalfdSiginfo {
    u32 signo;
    i32 err, code;
    u32 pid, uid;
    i32 fd;
    u32 tid, band, overrun, trapno;
    i32 status, int_value;
    u64 ptr, utime, stime, addr;
    u16 addr_lsb, pad2;
    i32 syscall;
    u64 call_addr;
    u32 arch;
    u8 pad[28];
};
static_assert(sizeof(SignalfdSiginfo) == SignalFd::RECORD);

SignalfdSiginfo convert(const core::SigInfo& in)
{
    using namespace core::signal;
    SignalfdSiginfo o {};
    o.signo = u32(in.signo);
    o.err = in.err;
    o.code = in.code;
    int sig = in.signo;
    bool fault = in.code > 0 && in.code < SI_KERNEL &&
                 (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP);
    if (fault) {
        o.addr = in.fault.addr;
    } else if (sig == SIGCHLD && in.code > 0) {
        o.pid = u32(in.child.pid), o.uid = in.child.uid, o.status = in.child.status;
        o.utime = u64(in.child.utime), o.stime = u64(in.child.stime);
    } else if (in.code == SI_TIMER) {
        o.tid = u32(in.timer.tid), o.overrun = u32(in.timer.overrun);
        o.ptr = in.timer.value, o.int_value = i32(in.timer.value);
    } else {
        o.pid = u32(in.kill.pid), o.uid = in.kill.uid;
        o.ptr = in.kill.value, o.int_value = i32(in.kill.value);
    }
    return o;
}
} // namespace

SignalFd::SignalFd(u64 mask) : StreamInode(KIND), m_mask(mask) {}

Result<size_t> SignalFd::read(u64, IoBuffer& buf, size_t n, u32)
{
    if (n < RECORD) return Errno::EINVAL;
    size_t done = 0;
    while (n - done >= RECORD) {
        core::SigInfo info;
        if (!core::signal::dequeue(m_mask, info)) break;
        SignalfdSiginfo rec = convert(info);
        // The signal is taken: a fault writing it loses it, as on Linux.
        auto r = buf.copy_out(done, &rec, sizeof rec);
        if (r.is_error()) {
            if (done) break;
            return r.error();
        }
        done += RECORD;
    }
    if (!done) return Errno::EAGAIN;
    return done;
}

u32 SignalFd::poll(u32)
{
    return (core::signal::pending_mask() & m_mask) ? POLLIN | POLLRDNORM : 0;
}

Result<core::Ref<OpenFile>> make_signalfd(u64 mask, u32 flags)
{
    if (flags & ~(O_NONBLOCK | O_CLOEXEC)) return Errno::EINVAL;
    return open_anon(new (std::nothrow) SignalFd(mask & ~core::signal::UNBLOCKABLE), flags);
}

} // namespace fs
