#pragma once
#include "core/types.h"

namespace core {
// Unpacks the initramfs, sets up the process (fds, cwd) and starts the program.
// Bit N of `stdio_tty_mask` is set when the host's end of descriptor N is a
// terminal (see fs::init_stdio).
// Runs once the image is unpacked and before the program starts (the
// network writes /etc/resolv.conf from its DHCP lease then).
void set_after_unpack_hook(void (*hook)());
[[noreturn]] void boot_program(const u8* initramfs, size_t size, u32 stdio_tty_mask);
} // namespace core
