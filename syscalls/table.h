#pragma once
#include "syscalls/syscall.h"
#include "syscall_names.h" // generated

namespace sys {
extern const Handler SYSCALL_HANDLERS[SYSCALL_TABLE_SIZE];
}
