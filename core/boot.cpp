#include "core/boot.h"
#include "core/klog.h"
#include "core/power.h"

namespace core {

void boot_program(const u8* initramfs, size_t size)
{
    klog::printf("elfin: booted, initramfs %lu bytes\n", size);
    program_exited(0);
}

} // namespace core
