#pragma once
#include "core/types.h"

namespace core {
// Unpacks the initramfs, sets up the process (fds, cwd) and starts the program.
[[noreturn]] void boot_program(const u8* initramfs, size_t size);
} // namespace core
