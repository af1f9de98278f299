#pragma once
// What the syscall layer does when a thread ends (syscalls/futex.cpp): the
// robust futex list is released with FUTEX_OWNER_DIED and clear_child_tid is
// zeroed and woken, which is how pthread_join learns of the end.
#include "core/thread.h"

namespace sys {
void thread_exit_cleanup(core::Thread* t);
} // namespace sys
