// poll, ppoll, select, pselect6: scan the descriptors' readiness (fs/poll.h),
// sleep until something changes, scan again.
//
// Interrupted by a signal they answer ERESTARTNOHAND: EINTR when a handler
// runs, a restart otherwise. (Linux restarts poll with the time left through
// restart_syscall; Elfin restarts it with its whole timeout.)
#include "syscalls/poll_wait.h"
#include "fs/vfs.h"
#include "fs/fd_table.h"

namespace sys {

using namespace pollwait;

namespace {

struct PollFd {
    i32 fd;
    i16 events, revents;
};

u32 file_mask(fs::OpenFile& f) { return f.inode().poll(f.flags()); }

// One pass over the pollfds: fills revents, returns how many have some.
// `next` gets the earliest time a file's readiness changes by itself.
u64 scan(PollFd* p, u64 n, u64& next)
{
    auto& fds = fs::current_fds();
    u64 ready = 0;
    for (u64 i = 0; i < n; i++) {
        p[i].revents = 0;
        if (p[i].fd < 0) continue;
        auto f = fds.get(p[i].fd);
        if (f.is_error()) {
            p[i].revents = i16(fs::POLLNVAL);
            ready++;
            continue;
        }
        u32 want = u32(u16(p[i].events)) | fs::POLLERR | fs::POLLHUP;
        u32 got = file_mask(*f.value()) & want;
        u64 d = f.value()->inode().poll_deadline();
        if (d < next) next = d;
        p[i].revents = i16(got);
        if (got) ready++;
    }
    return ready;
}

Ret do_poll(u64 ufds, u64 nfds, u64 deadline)
{
    if (nfds > fs::current_fds().limit()) return Errno::EINVAL;
    core::Vector<PollFd> p;
    TRY(p.reserve(nfds ? nfds : 1));
    for (u64 i = 0; i < nfds; i++) TRY(p.append(PollFd {}));
    if (nfds) TRY(mm::copy_from_user(p.data(), ufds, nfds * sizeof(PollFd)));
    u64 ready;
    for (;;) {
        u64 next = NONE, seen = fs::readiness_generation();
        ready = scan(p.data(), nfds, next);
        if (ready || core::time::monotonic_ns() >= deadline) break;
        if (!wait(next < deadline ? next : deadline, seen)) return Errno::ERESTARTNOHAND;
    }
    for (u64 i = 0; i < nfds; i++)
        TRY(mm::copy_to_user(ufds + i * sizeof(PollFd) + offsetof(PollFd, revents), &p[i].revents, sizeof(i16)));
    return i64(ready);
}

// ---- select ------------------------------------------------------------------

constexpr u32 SELECT_IN = fs::POLLRDNORM | fs::POLLRDBAND | fs::POLLIN | fs::POLLHUP | fs::POLLERR;
constexpr u32 SELECT_OUT = fs::POLLWRBAND | fs::POLLWRNORM | fs::POLLOUT | fs::POLLERR;
constexpr u32 SELECT_EX = fs::POLLPRI;

struct FdSets {
    core::Vector<u64> in, out, ex; // user's sets (what to watch)
    core::Vector<u64> rin, rout, rex;
};

Result<core::Vector<u64>> read_set(u64 ptr, u64 words)
{
    core::Vector<u64> v;
    TRY(v.reserve(words ? words : 1));
    for (u64 i = 0; i < words; i++) TRY(v.append(0));
    if (ptr && words) TRY(mm::copy_from_user(v.data(), ptr, words * 8));
    return v;
}

bool has(const core::Vector<u64>& s, u64 fd) { return s.data()[fd / 64] >> (fd % 64) & 1; }
void put(core::Vector<u64>& s, u64 fd) { s.data()[fd / 64] |= 1ull << (fd % 64); }

// One pass: EBADF when a watched descriptor is not open.
Result<u64> select_scan(FdSets& s, u64 n, u64& next)
{
    auto& fds = fs::current_fds();
    u64 ready = 0;
    for (u64 w = 0; w < (n + 63) / 64; w++) s.rin.data()[w] = s.rout.data()[w] = s.rex.data()[w] = 0;
    for (u64 fd = 0; fd < n; fd++) {
        bool in = has(s.in, fd), out = has(s.out, fd), ex = has(s.ex, fd);
        if (!in && !out && !ex) continue;
        auto f = TRY(fds.get(int(fd)));
        u32 mask = file_mask(*f);
        u64 d = f->inode().poll_deadline();
        if (d < next) next = d;
        if (in && (mask & SELECT_IN)) put(s.rin, fd), ready++;
        if (out && (mask & SELECT_OUT)) put(s.rout, fd), ready++;
        if (ex && (mask & SELECT_EX)) put(s.rex, fd), ready++;
    }
    return ready;
}

Ret do_select(i64 nfds, u64 inp, u64 outp, u64 exp, u64 deadline)
{
    if (nfds < 0) return Errno::EINVAL;
    // Linux caps n at the size of the descriptor table instead of refusing it.
    u64 n = u64(nfds);
    if (n > fs::current_fds().limit()) n = fs::current_fds().limit();
    u64 words = (n + 63) / 64;
    FdSets s;
    s.in = TRY(read_set(inp, words));
    s.out = TRY(read_set(outp, words));
    s.ex = TRY(read_set(exp, words));
    s.rin = TRY(read_set(0, words));
    s.rout = TRY(read_set(0, words));
    s.rex = TRY(read_set(0, words));
    // Bits past n in the last word are not descriptors to watch.
    if (n % 64) {
        u64 keep = (1ull << (n % 64)) - 1;
        s.in.data()[words - 1] &= keep, s.out.data()[words - 1] &= keep, s.ex.data()[words - 1] &= keep;
    }
    u64 ready;
    for (;;) {
        u64 next = NONE, seen = fs::readiness_generation();
        ready = TRY(select_scan(s, n, next));
        if (ready || core::time::monotonic_ns() >= deadline) break;
        if (!wait(next < deadline ? next : deadline, seen)) return Errno::ERESTARTNOHAND;
    }
    // Linux writes back whole words of each set it was given.
    if (inp && words) TRY(mm::copy_to_user(inp, s.rin.data(), words * 8));
    if (outp && words) TRY(mm::copy_to_user(outp, s.rout.data(), words * 8));
    if (exp && words) TRY(mm::copy_to_user(exp, s.rex.data(), words * 8));
    return i64(ready);
}

// select and pselect6 write the time left back (Linux's poll_select_finish),
// also when interrupted; a fault doing so is ignored, as Linux does.
template<typename T>
void write_back_left(u64 ptr, u64 deadline, bool usec)
{
    if (!ptr || deadline == NONE) return;
    u64 left = left_until(deadline);
    T t { i64(left / NS), i64(usec ? left % NS / 1000 : left % NS) };
    (void)mm::copy_to_user(ptr, &t, sizeof t);
}

} // namespace

Ret sys_poll(const Args& a)
{
    i64 ms = i64(int(a[2]));
    u64 deadline = ms < 0 ? NONE : deadline_after(u64(ms) * 1000000ull);
    return do_poll(a[0], a[1], deadline);
}

Ret sys_ppoll(const Args& a)
{
    u64 deadline = a[2] ? TRY(read_timespec_deadline(a[2])) : NONE;
    TempMask mask;
    TRY(mask.install(a[3], a[4]));
    auto r = mask.finish(do_poll(a[0], a[1], deadline));
    write_back_left<Timespec>(a[2], deadline, false);
    return r;
}

Ret sys_select(const Args& a)
{
    u64 deadline = NONE;
    if (a[4]) {
        struct { i64 sec, usec; } tv;
        TRY(mm::copy_from_user(&tv, a[4], sizeof tv));
        if (tv.sec < 0 || tv.usec < 0) return Errno::EINVAL;
        // Linux folds whole seconds out of an oversized tv_usec.
        u64 sec = u64(tv.sec) + u64(tv.usec) / 1000000, usec = u64(tv.usec) % 1000000;
        deadline = sec >= (NONE - 1) / NS - 1 ? NONE : deadline_after(sec * NS + usec * 1000);
    }
    auto r = do_select(i64(int(a[0])), a[1], a[2], a[3], deadline);
    struct Timeval { i64 sec, usec; };
    write_back_left<Timeval>(a[4], deadline, true);
    return r;
}

Ret sys_pselect6(const Args& a)
{
    u64 deadline = a[4] ? TRY(read_timespec_deadline(a[4])) : NONE;
    TempMask mask;
    if (a[5]) {
        struct { u64 set, size; } sig;
        TRY(mm::copy_from_user(&sig, a[5], sizeof sig));
        TRY(mask.install(sig.set, sig.size));
    }
    auto r = mask.finish(do_select(i64(int(a[0])), a[1], a[2], a[3], deadline));
    write_back_left<Timespec>(a[4], deadline, false);
    return r;
}

} // namespace sys
