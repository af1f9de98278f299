#pragma once
// virtio-mmio (virtio 1.x §4.2), version 2 only, and discovery on microvm.
#include "drivers/virtio/transport.h"

namespace drivers::virtio {

// Finds the virtio-mmio devices: each `virtio_mmio.device=SIZE@BASE:IRQ` word
// of the kernel command line (QEMU's microvm adds one per device it has,
// auto-kernel-cmdline), else microvm's eight slots at 0xfeb00000 + 0x200 * n
// on IRQs 5 + n, probed for the magic value. Offers each to the drivers.
void discover_mmio(const char* cmdline);

} // namespace drivers::virtio
