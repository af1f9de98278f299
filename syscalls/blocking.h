#pragma once
// Waiting on a pipe or an eventfd (fs::Inode::can_block). With one thread no
// one else can fill, drain or signal it, so a blocking wait lasts for ever:
// Linux does exactly that to a lone process. The program hangs, as it would
// on Linux; `elfin run`'s timeout or the user ends it.
#include "core/result.h"
#include "fs/open_file.h"

namespace sys {

[[noreturn]] void wait_forever();

// A read/write result: EAGAIN on a blocking pipe or eventfd waits.
inline Result<size_t> maybe_wait(const fs::OpenFile& f, Result<size_t> r)
{
    if (r.is_error() && r.error() == Errno::EAGAIN && f.must_wait_on_again()) wait_forever();
    return r;
}

} // namespace sys
