#include "syscalls/syscall.h"
#include "core/random.h"

namespace sys {

Ret sys_getrandom(const Args& a)
{
    constexpr u64 GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
    u64 flags = a[2];
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return Errno::EINVAL;
    if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM)) return Errno::EINVAL;
    u64 len = a[1] > 0x1ffffff ? 0x1ffffff : a[1]; // Linux caps one call at 32 MiB - 1
    u8 buf[256];
    for (u64 done = 0; done < len;) {
        u64 n = len - done < sizeof buf ? len - done : sizeof buf;
        core::random_bytes(buf, n);
        auto r = mm::copy_to_user(a[0] + done, buf, n);
        if (r.is_error()) return done ? Ret(i64(done)) : Ret(r.error());
        done += n;
    }
    return i64(len);
}

} // namespace sys
