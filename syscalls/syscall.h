#pragma once
// Every handler has this shape: it decodes its arguments (raw u64s), calls into
// fs::/mm::/core::, and returns a value or an Errno. Conversion to the raw
// -errno happens only in the dispatcher (syscalls/dispatch.cpp).
#include "core/types.h"
#include "core/result.h"
#include "mm/user_ptr.h"

namespace sys {

struct Args {
    u64 a[6];
    u64 operator[](int i) const { return a[i]; }
    int fd(int i) const { return static_cast<int>(a[i]); }
    template<typename T>
    mm::UserPtr<T> ptr(int i) const { return mm::UserPtr<T>(a[i]); }
};

using Ret = Result<i64>;
using Handler = Ret (*)(const Args&);

} // namespace sys
